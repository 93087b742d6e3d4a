//! A server-rendered SVG bar chart of value given per week by each partner.
//! No script, no external asset: it obeys the CSP and prints on paper. The
//! page shows the same numbers as a table for screen readers.

use std::fmt::Write as _;

const WIDTH: f64 = 340.0;
const HEIGHT: f64 = 160.0;
const COLORS: [&str; 2] = ["#2f5d50", "#b0563a"];

/// Escapes text for an SVG text node or attribute.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `weeks[i] = [value given by partner 0, by partner 1]`.
pub fn weekly_bars(weeks: &[[u32; 2]], names: [&str; 2]) -> String {
    let max = weeks
        .iter()
        .flat_map(|w| w.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = WIDTH / weeks.len().max(1) as f64;
    let bar = (slot / 2.0 - 1.0).max(0.5);
    let plot = HEIGHT - 20.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"chart-title\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title id=\"chart-title\">Value given per week: {} and {}</title>",
        escape(names[0]),
        escape(names[1])
    );
    for (i, week) in weeks.iter().enumerate() {
        for (p, value) in week.iter().enumerate() {
            let h = f64::from(*value) / f64::from(max) * plot;
            let x = i as f64 * slot + p as f64 * (bar + 1.0);
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                plot - h,
                COLORS[p]
            );
        }
    }
    let _ = write!(
        svg,
        "<line x1=\"0\" y1=\"{plot}\" x2=\"{WIDTH}\" y2=\"{plot}\" stroke=\"#4a525c\"/>\
         <rect x=\"0\" y=\"{:.0}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"14\" y=\"{:.0}\" font-size=\"11\">{}</text>\
         <rect x=\"170\" y=\"{:.0}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"184\" y=\"{:.0}\" font-size=\"11\">{}</text></svg>",
        HEIGHT - 12.0,
        COLORS[0],
        HEIGHT - 3.0,
        escape(names[0]),
        HEIGHT - 12.0,
        COLORS[1],
        HEIGHT - 3.0,
        escape(names[1]),
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_week_and_names_are_escaped() {
        let svg = weekly_bars(&[[2, 4], [0, 1]], ["A<b>", "B"]);
        // The largest value (4) fills the plot height (160 − 20 = 140).
        assert!(svg.contains("height=\"140.0\""));
        assert!(svg.contains("height=\"70.0\""), "2 is half of 4");
        assert_eq!(
            svg.matches("<rect").count(),
            4 + 2,
            "four bars and two legend keys"
        );
        assert!(svg.contains("A&lt;b&gt;") && !svg.contains("A<b>"));
    }

    #[test]
    fn an_empty_series_still_draws() {
        let svg = weekly_bars(&[], ["A", "B"]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
