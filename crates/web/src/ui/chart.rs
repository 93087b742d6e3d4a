//! Server-rendered SVG charts: value given per week by each partner (bars),
//! and check-in series over time (lines with labelled axes).
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

/// One line of a [`lines`] chart: `(x, y)` points, x in days from any origin.
pub struct Line<'a> {
    pub name: &'a str,
    pub color: &'a str,
    /// An SVG `stroke-dasharray`, so lines differ by more than colour; empty
    /// for a solid line.
    pub dash: &'a str,
    pub points: Vec<(f64, f64)>,
}

/// A server-rendered line chart with both axes labelled: `y` ticks at
/// `y_ticks` (the range runs from the first to the last), `x` labelled with
/// `x_labels` (an x value and its words, e.g. the first and last day), and
/// a legend naming each line beneath. `id` makes the title's id unique on a
/// page. A single point is drawn as a dot. The page gives the same numbers
/// in words or a table.
/// The most points a line is drawn with a dot on each.
const DOTS_UP_TO: usize = 60;

pub fn lines(
    id: &str,
    title: &str,
    y_ticks: &[f64],
    x_labels: &[(f64, String)],
    series: &[Line<'_>],
) -> String {
    const LEFT: f64 = 28.0;
    const RIGHT: f64 = 8.0;
    const TOP: f64 = 8.0;
    const PLOT: f64 = 150.0;
    let (y_min, y_max) = (
        y_ticks.first().copied().unwrap_or(0.0),
        y_ticks.last().copied().unwrap_or(1.0),
    );
    let y_span = if y_max > y_min { y_max - y_min } else { 1.0 };
    let xs = series
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .chain(x_labels.iter().map(|l| l.0));
    let (x_min, x_max) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    let width = WIDTH - LEFT - RIGHT;
    let px = |x: f64| {
        if x_max > x_min {
            LEFT + (x - x_min) / (x_max - x_min) * width
        } else {
            LEFT + width / 2.0
        }
    };
    let py = |y: f64| TOP + (y_max - y.clamp(y_min, y_max)) / y_span * PLOT;
    let legend_rows = series.len();
    let height = TOP + PLOT + 22.0 + 16.0 * legend_rows as f64;
    let id = escape(id);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"{id}-title\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}</title>",
        escape(title)
    );
    // The y axis: a grid line and a label at each tick.
    for t in y_ticks {
        let y = py(*t);
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{t}</text>",
            WIDTH - RIGHT,
            if *t == 0.0 { "#4a525c" } else { "#d9d4ca" },
            LEFT - 4.0,
            y + 3.5,
        );
    }
    let bottom = TOP + PLOT;
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{bottom}\" stroke=\"#4a525c\"/>"
    );
    // The x axis: a tick and words under each label.
    for (x, words) in x_labels {
        let at = px(*x);
        let anchor = if at < LEFT + 30.0 {
            "start"
        } else if at > WIDTH - RIGHT - 30.0 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            svg,
            "<line x1=\"{at:.1}\" y1=\"{bottom}\" x2=\"{at:.1}\" y2=\"{:.1}\" stroke=\"#4a525c\"/>\
             <text x=\"{at:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"{anchor}\">{}</text>",
            bottom + 4.0,
            bottom + 15.0,
            escape(words)
        );
    }
    for line in series {
        let dash = if line.dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{}\"", escape(line.dash))
        };
        if line.points.len() > 1 {
            let path: Vec<String> = line
                .points
                .iter()
                .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
                .collect();
            let _ = write!(
                svg,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{dash}/>",
                path.join(" "),
                line.color
            );
        }
        // A dot per point while the dots can be told apart; past that the
        // line alone (years of weekly points would be thousands of dots,
        // touching each other and most of the page's weight).
        let dots: &[(f64, f64)] = if line.points.len() <= DOTS_UP_TO {
            &line.points
        } else {
            &[]
        };
        for (x, y) in dots {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{}\"/>",
                px(*x),
                py(*y),
                line.color
            );
        }
    }
    // The legend, one line each.
    for (i, line) in series.iter().enumerate() {
        let x = LEFT;
        let y = bottom + 30.0 + 16.0 * i as f64;
        let dash = if line.dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{}\"", escape(line.dash))
        };
        let _ = write!(
            svg,
            "<line x1=\"{x}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"2\"{dash}/>\
             <text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"11\">{}</text>",
            y - 4.0,
            x + 18.0,
            y - 4.0,
            line.color,
            x + 22.0,
            escape(line.name)
        );
    }
    svg.push_str("</svg>");
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
    fn lines_have_axes_a_legend_and_scale_to_the_ticks() {
        let svg = lines(
            "c1",
            "Outcome <over> time",
            &[-8.0, 0.0, 8.0],
            &[(0.0, "1 Dec".into()), (14.0, "15 Dec".into())],
            &[Line {
                name: "A&B",
                color: "#000",
                dash: "4 3",
                points: vec![(0.0, 8.0), (14.0, -8.0)],
            }],
        );
        assert!(svg.contains("aria-labelledby=\"c1-title\""));
        assert!(svg.contains("Outcome &lt;over&gt; time"));
        assert!(svg.contains("A&amp;B") && svg.contains(">15 Dec<"));
        // 8 is the top of the plot (8), −8 its bottom (8 + 150), left to right.
        assert!(svg.contains("points=\"28.0,8.0 332.0,158.0\""), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2);
        let one = lines(
            "c2",
            "t",
            &[0.0, 8.0],
            &[],
            &[Line {
                name: "x",
                color: "#000",
                dash: "",
                points: vec![(3.0, 4.0)],
            }],
        );
        assert!(
            one.contains("<circle cx=\"180.0\""),
            "a single point is centred: {one}"
        );
        assert!(!one.contains("<polyline"));
    }

    #[test]
    fn a_long_line_is_drawn_without_a_dot_on_each_point() {
        let line = |n: usize| Line {
            name: "x",
            color: "#000",
            dash: "",
            points: (0..n).map(|i| (i as f64, 1.0)).collect(),
        };
        let dotted = lines("c", "t", &[0.0, 8.0], &[], &[line(DOTS_UP_TO)]);
        assert_eq!(dotted.matches("<circle").count(), DOTS_UP_TO);
        let long = lines("c", "t", &[0.0, 8.0], &[], &[line(DOTS_UP_TO + 1)]);
        assert_eq!(long.matches("<circle").count(), 0);
        assert_eq!(long.matches("<polyline").count(), 1);
    }

    #[test]
    fn an_empty_series_still_draws() {
        let svg = weekly_bars(&[], ["A", "B"]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
