//! Server-rendered SVG charts: value given per week by each partner (bars),
//! and check-in series over time (lines). Every chart has both axes drawn
//! with tick values and a title on each, a legend (HTML, after the
//! drawing), and an accessible name
//! (`role="img"` named by its `<title>`); the page beside it carries the
//! same numbers as a table, its text equivalent.
//!
//! No script, no external asset: it obeys the CSP and prints on paper.
//! Colours come from classes (`series-0`…, `axis`, `grid`) that app.css maps
//! to its colour variables, so dark mode follows; the `fill`/`stroke`
//! attributes are only the fallback when no stylesheet applies. Each mark
//! carries its figure in `data-value`, so a test can hold the drawing
//! against the table.

use std::fmt::Write as _;

const WIDTH: f64 = 340.0;
/// Fallback colours per series, in the order of app.css's `--chart-1`….
const PALETTE: [&str; 4] = ["#2f5d50", "#b0563a", "#6a4a8c", "#1f2a36"];
const AXIS: &str = "#4a525c";
const GRID: &str = "#d9d4ca";
/// Room on the left for tick values and the turned y-axis title.
const LEFT: f64 = 42.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 8.0;

/// Escapes text for an SVG text node or attribute.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn color(series: usize) -> &'static str {
    PALETTE[series % PALETTE.len()]
}

/// Whole-number ticks from 0 that reach `max`: a step of 1, 2 or 5 times a
/// power of ten, the smallest giving at most four steps. Nothing to show
/// still draws a 0–1 axis.
pub fn nice_ticks(max: u32) -> Vec<u32> {
    let max = max.max(1);
    let mut base = 1u32;
    let step = loop {
        if let Some(s) = [1u32, 2, 5]
            .iter()
            .map(|m| m.saturating_mul(base))
            .find(|s| s.saturating_mul(4) >= max)
        {
            break s;
        }
        base = base.saturating_mul(10);
    };
    let top = max.div_ceil(step).saturating_mul(step);
    (0..=top / step).map(|i| i.saturating_mul(step)).collect()
}

/// The opening of a chart: its accessible name (`<title>`) and a short
/// description pointing to the text equivalent.
fn open(svg: &mut String, id: &str, height: f64, title: &str) {
    let _ = write!(
        svg,
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">The same figures are in the table with this chart.</desc>",
        escape(title)
    );
}

/// The y axis: a grid line and a value at each tick, the axis line, and
/// the axis title turned along it. `py` maps a value to its height.
fn y_axis(svg: &mut String, ticks: &[f64], py: &dyn Fn(f64) -> f64, bottom: f64, title: &str) {
    for t in ticks {
        let y = py(*t);
        let (class, stroke) = if *t == 0.0 {
            ("axis", AXIS)
        } else {
            ("grid", GRID)
        };
        let _ = write!(
            svg,
            "<line class=\"{class}\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{stroke}\"/>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{t}</text>",
            WIDTH - RIGHT,
            LEFT - 4.0,
            y + 3.5,
        );
    }
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{bottom}\" stroke=\"{AXIS}\"/>\
         <text class=\"axis-title\" transform=\"rotate(-90)\" x=\"{:.1}\" y=\"11\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
        -(TOP + bottom) / 2.0,
        escape(title)
    );
}

/// The x axis: a tick and words under each label, and the axis title below.
fn x_axis(svg: &mut String, labels: &[(f64, String)], bottom: f64, title: &str) {
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{bottom}\" x2=\"{:.1}\" y2=\"{bottom}\" stroke=\"{AXIS}\"/>",
        WIDTH - RIGHT
    );
    for (at, words) in labels {
        let anchor = if *at < LEFT + 30.0 {
            "start"
        } else if *at > WIDTH - RIGHT - 30.0 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            svg,
            "<line class=\"axis\" x1=\"{at:.1}\" y1=\"{bottom}\" x2=\"{at:.1}\" y2=\"{:.1}\" stroke=\"{AXIS}\"/>\
             <text class=\"tick\" x=\"{at:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"{anchor}\">{}</text>",
            bottom + 4.0,
            bottom + 15.0,
            escape(words)
        );
    }
    let _ = write!(
        svg,
        "<text class=\"axis-title\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
        LEFT + (WIDTH - RIGHT - LEFT) / 2.0,
        bottom + 29.0,
        escape(title)
    );
}

/// The legend, after the drawing: HTML rather than SVG text, so that a
/// long name wraps on a phone and grows with the reader's text size.
/// `key` draws a series' swatch in a 24×12 box.
fn legend(out: &mut String, names: &[&str], key: &dyn Fn(usize) -> String) {
    out.push_str("<ul class=\"chart-legend\">");
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            out,
            "<li><svg class=\"key\" viewBox=\"0 0 24 12\" aria-hidden=\"true\" focusable=\"false\">{}</svg>{}</li>",
            key(i),
            escape(name)
        );
    }
    out.push_str("</ul>");
}

/// Which of `n` slots get an x label: the first, the last, and one
/// between when there are enough to keep three labels apart.
fn labelled_slots(n: usize) -> Vec<usize> {
    match n {
        0 => Vec::new(),
        1 => vec![0],
        2..=4 => vec![0, n - 1],
        _ => vec![0, n / 2, n - 1],
    }
}

/// A bar chart of value given per week by each partner: `weeks[i]` is a
/// week's label (its Monday, in words) and `[partner 0, partner 1]`.
/// `id` must be unique on the page (it names the title and description).
pub fn weekly_bars(
    id: &str,
    title: &str,
    y_title: &str,
    weeks: &[(String, [u32; 2])],
    names: [&str; 2],
) -> String {
    const PLOT: f64 = 130.0;
    let max = weeks
        .iter()
        .flat_map(|w| w.1.iter())
        .copied()
        .max()
        .unwrap_or(0);
    let ticks = nice_ticks(max);
    let top = f64::from(*ticks.last().unwrap_or(&1));
    let bottom = TOP + PLOT;
    let height = bottom + 38.0;
    let id = escape(id);
    let mut svg = String::new();
    open(&mut svg, &id, height, title);
    let py = |v: f64| bottom - v / top * PLOT;
    let tick_values: Vec<f64> = ticks.iter().map(|t| f64::from(*t)).collect();
    y_axis(&mut svg, &tick_values, &py, bottom, y_title);
    let width = WIDTH - LEFT - RIGHT;
    let slot = width / weeks.len().max(1) as f64;
    let bar = (slot / 2.0 - 1.0).max(0.5);
    for (i, (_, week)) in weeks.iter().enumerate() {
        for (p, value) in week.iter().enumerate() {
            let h = f64::from(*value) / top * PLOT;
            let x = LEFT + i as f64 * slot + p as f64 * (bar + 1.0) + 0.5;
            let _ = write!(
                svg,
                "<rect class=\"series-{p}\" data-value=\"{value}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                bottom - h,
                color(p)
            );
        }
    }
    let labels: Vec<(f64, String)> = labelled_slots(weeks.len())
        .into_iter()
        .map(|i| (LEFT + (i as f64 + 0.5) * slot, weeks[i].0.clone()))
        .collect();
    x_axis(&mut svg, &labels, bottom, "Week starting");
    svg.push_str("</svg>");
    legend(&mut svg, &names, &|i| {
        format!(
            "<rect class=\"series-{i}\" x=\"2\" y=\"1\" width=\"20\" height=\"10\" fill=\"{}\"/>",
            color(i)
        )
    });
    svg
}

/// One line of a [`lines`] chart: `(x, y)` points, x in days from any
/// origin. Its colour is its place in the series; `dash` makes lines
/// differ by more than colour.
pub struct Line<'a> {
    pub name: &'a str,
    /// An SVG `stroke-dasharray`; empty for a solid line.
    pub dash: &'a str,
    pub points: Vec<(f64, f64)>,
}

/// The most points a line is drawn with a dot on each.
const DOTS_UP_TO: usize = 60;

/// The words of a line chart's axes.
pub struct Axes<'a> {
    /// The y axis's title (what is measured).
    pub y: &'a str,
    /// The x axis's title (when).
    pub x: &'a str,
}

/// A line chart with both axes drawn and titled: `y` ticks at `y_ticks`
/// (the range runs from the first to the last), `x` labelled with
/// `x_labels` (an x value and its words, e.g. the first and last day), and
/// a legend naming each line beneath. `id` must be unique on the page. A
/// single point is drawn as a dot.
pub fn lines(
    id: &str,
    title: &str,
    axes: Axes<'_>,
    y_ticks: &[f64],
    x_labels: &[(f64, String)],
    series: &[Line<'_>],
) -> String {
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
    let bottom = TOP + PLOT;
    let height = bottom + 38.0;
    let id = escape(id);
    let mut svg = String::new();
    open(&mut svg, &id, height, title);
    y_axis(&mut svg, y_ticks, &py, bottom, axes.y);
    let labels: Vec<(f64, String)> = x_labels.iter().map(|(x, w)| (px(*x), w.clone())).collect();
    x_axis(&mut svg, &labels, bottom, axes.x);
    let dash_of = |line: &Line<'_>| {
        if line.dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{}\"", escape(line.dash))
        }
    };
    for (i, line) in series.iter().enumerate() {
        if line.points.len() > 1 {
            let path: Vec<String> = line
                .points
                .iter()
                .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
                .collect();
            let _ = write!(
                svg,
                "<polyline class=\"series-{i}\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>",
                path.join(" "),
                color(i),
                dash_of(line)
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
                "<circle class=\"series-{i}\" data-value=\"{y}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{}\"/>",
                px(*x),
                py(*y),
                color(i)
            );
        }
    }
    let names: Vec<&str> = series.iter().map(|l| l.name).collect();
    svg.push_str("</svg>");
    legend(&mut svg, &names, &|i| {
        format!(
            "<line class=\"series-{i}\" x1=\"0\" y1=\"6\" x2=\"24\" y2=\"6\" stroke=\"{}\" stroke-width=\"2\"{}/>",
            color(i),
            dash_of(&series[i])
        )
    });
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    const AXES: Axes<'static> = Axes {
        y: "Score",
        x: "Day",
    };

    #[test]
    fn ticks_are_round_steps_that_reach_the_largest_value() {
        // max 4: step 1 (4 steps) → 0..4.
        assert_eq!(nice_ticks(4), vec![0, 1, 2, 3, 4]);
        // max 7: step 1 needs 7 steps, step 2 needs 4 → top 8.
        assert_eq!(nice_ticks(7), vec![0, 2, 4, 6, 8]);
        // max 13: step 2 needs 7, step 5 needs 3 → top 15.
        assert_eq!(nice_ticks(13), vec![0, 5, 10, 15]);
        // max 41: 10 needs 5, 20 needs 3 → top 60.
        assert_eq!(nice_ticks(41), vec![0, 20, 40, 60]);
        assert_eq!(nice_ticks(0), vec![0, 1]);
        assert!(nice_ticks(u32::MAX).len() >= 2);
    }

    #[test]
    fn bars_scale_to_the_top_tick_with_both_axes_titled() {
        let weeks = vec![("1 Dec".to_owned(), [2, 4]), ("8 Dec".to_owned(), [0, 1])];
        let svg = weekly_bars("b", "Given <per> week", "Value", &weeks, ["A<b>", "B"]);
        // The top tick is 4 (max 4, step 1), so 4 fills the plot (130) and 2 half.
        assert!(svg.contains("data-value=\"4\"") && svg.contains("height=\"130.0\""));
        assert!(svg.contains("height=\"65.0\""), "2 is half of 4");
        assert_eq!(svg.matches("data-value=").count(), 4, "a bar per value");
        assert_eq!(svg.matches("<rect").count(), 4 + 2, "and two legend keys");
        assert!(svg.contains("A&lt;b&gt;") && !svg.contains("A<b>"));
        // The legend is HTML after the drawing (long names wrap there).
        let legend = &svg[svg
            .find("</svg><ul class=\"chart-legend\">")
            .expect("legend after the drawing")..];
        assert!(legend.contains("A&lt;b&gt;</li>") && legend.contains(">B</li>"));
        assert!(svg.contains("role=\"img\" aria-labelledby=\"b-title\""));
        assert!(svg.contains("Given &lt;per&gt; week</title>"));
        for words in [
            ">Value<",
            ">Week starting<",
            ">1 Dec<",
            ">8 Dec<",
            ">4<",
            ">0<",
        ] {
            assert!(svg.contains(words), "{words} in {svg}");
        }
    }

    #[test]
    fn lines_have_axes_a_legend_and_scale_to_the_ticks() {
        let svg = lines(
            "c1",
            "Outcome <over> time",
            AXES,
            &[-8.0, 0.0, 8.0],
            &[(0.0, "1 Dec".into()), (14.0, "15 Dec".into())],
            &[Line {
                name: "A&B",
                dash: "4 3",
                points: vec![(0.0, 8.0), (14.0, -8.0)],
            }],
        );
        assert!(svg.contains("aria-labelledby=\"c1-title\""));
        assert!(svg.contains("Outcome &lt;over&gt; time"));
        assert!(svg.contains("A&amp;B") && svg.contains(">15 Dec<"));
        assert!(svg.contains(">Score<") && svg.contains(">Day<"));
        // 8 is the top of the plot (8), −8 its bottom (8 + 150); x runs
        // from LEFT (42) to WIDTH − RIGHT (332).
        assert!(svg.contains("points=\"42.0,8.0 332.0,158.0\""), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("data-value=\"-8\""));
        let one = lines(
            "c2",
            "t",
            AXES,
            &[0.0, 8.0],
            &[],
            &[Line {
                name: "x",
                dash: "",
                points: vec![(3.0, 4.0)],
            }],
        );
        // Centred: 42 + 290 / 2 = 187.
        assert!(
            one.contains("cx=\"187.0\""),
            "a single point is centred: {one}"
        );
        assert!(!one.contains("<polyline"));
    }

    #[test]
    fn a_long_line_is_drawn_without_a_dot_on_each_point() {
        let line = |n: usize| Line {
            name: "x",
            dash: "",
            points: (0..n).map(|i| (i as f64, 1.0)).collect(),
        };
        let dotted = lines("c", "t", AXES, &[0.0, 8.0], &[], &[line(DOTS_UP_TO)]);
        assert_eq!(dotted.matches("<circle").count(), DOTS_UP_TO);
        let long = lines("c", "t", AXES, &[0.0, 8.0], &[], &[line(DOTS_UP_TO + 1)]);
        assert_eq!(long.matches("<circle").count(), 0);
        assert_eq!(long.matches("<polyline").count(), 1);
    }

    #[test]
    fn an_empty_series_still_draws() {
        let svg = weekly_bars("e", "t", "v", &[], ["A", "B"]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</ul>"));
    }
}
