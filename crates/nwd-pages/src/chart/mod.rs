//! Charts drawn on the server as SVG: lines (with optional 95 % confidence bands), bars and
//! stacked bars. No script and no inline `style` (the pages' CSP forbids both): only SVG
//! presentation attributes.
//!
//! Accessible by construction: each chart is `role="img"` labelled by its `<title>` and
//! `<desc>` (the desc says what the chart shows and where the numbers are); series are never
//! told apart by colour alone — lines differ in dash pattern and marker shape and are
//! labelled directly at their last point, bar segments differ in fill pattern and have a
//! legend with the same swatches. The data table beside each chart is the accessible
//! equivalent and the exact source of every value.
//!
//! Missing values (`None`: suppressed small numbers, or no data) are left out: a line breaks,
//! a bar segment is not drawn.

use std::fmt::Write as _;

mod draw;
mod hbar;

use draw::pattern;

/// How the series are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// One line per series over the x positions.
    Line,
    /// Bars side by side per x position, one per series.
    Bar,
    /// One bar per x position, the series stacked.
    StackedBar,
    /// Bars running left to right, each category's name on a line above its bars: for long
    /// names (services) that would overlap beneath vertical bars.
    HorizontalBar,
}

/// One series of values, one per x label.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Shown in the legend or beside the line.
    pub label: String,
    /// Values; `None` is not drawn.
    pub values: Vec<Option<f64>>,
    /// For lines: the lower and upper bound at each point (a confidence band).
    pub band: Option<Vec<Option<(f64, f64)>>>,
}

impl Series {
    /// A series without a band.
    pub fn new(label: impl Into<String>, values: Vec<Option<f64>>) -> Series {
        Series {
            label: label.into(),
            values,
            band: None,
        }
    }
}

/// A chart to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Unique on the page (prefixes the ids inside the SVG).
    pub id: String,
    /// The chart's title.
    pub title: String,
    /// What it shows, for screen readers (the table is named as the full data).
    pub description: String,
    /// The x axis's labels, one per position.
    pub x_labels: Vec<String>,
    /// The y axis's label (unit).
    pub y_label: String,
    /// Drawing style.
    pub kind: ChartKind,
    /// The series.
    pub series: Vec<Series>,
    /// A fixed top of the y axis (e.g. 100 for percentages).
    pub y_max: Option<f64>,
}

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 340.0;
const LEFT: f64 = 64.0;
/// Space between one legend item and the next on a row.
const LEGEND_GAP: f64 = 18.0;

/// A legend item's width: the 18-unit swatch, 6 units of space, and the label at the chart's
/// 15-unit font. Label width is estimated at 0.6 em a character — wider than Arial's average
/// (about 0.5 em) so that the estimate errs towards more room, never overlap.
fn legend_item_width(label: &str) -> f64 {
    24.0 + label.chars().count() as f64 * 15.0 * 0.6
}
const TOP: f64 = 16.0;
const BOTTOM: f64 = 56.0;
const INK: &str = "#212b32";
const GRID: &str = "#d8dde0";

/// Line styles: dash pattern, marker shape. Told apart without colour.
const DASHES: [&str; 6] = ["", "8 4", "2 3", "10 3 2 3", "4 4", "1 5"];
/// Line colours (NHS palette) — an extra cue, never the only one.
const LINE_COLOURS: [&str; 6] = [
    "#005eb8", "#330072", "#007f3b", "#8a1538", "#425563", "#ae2573",
];
/// Bar fills: a pattern per series (solid, hatches, dots, cross-hatch, …), on NHS colours.
const FILLS: [&str; 7] = [
    "solid",
    "diagonal",
    "dots",
    "cross",
    "horizontal",
    "vertical",
    "open",
];
const FILL_COLOURS: [&str; 7] = [
    "#005eb8", "#41b6e6", "#330072", "#ffb81c", "#007f3b", "#768692", "#ffffff",
];

/// XML-escapes text for SVG content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A "nice" axis: the top (≥ `max`) and the step between 4–6 ticks, steps of 1, 2 or 5 × 10ᵏ.
pub fn nice_scale(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 0.2);
    }
    let rough = max / 5.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude);
    ((max / step).ceil() * step, step)
}

fn number(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

impl Chart {
    fn plot_right(&self) -> f64 {
        match self.kind {
            // Room for direct labels at the end of each line.
            ChartKind::Line => WIDTH - 150.0,
            ChartKind::Bar | ChartKind::StackedBar | ChartKind::HorizontalBar => WIDTH - 16.0,
        }
    }

    fn legend_rows(&self) -> usize {
        match self.kind {
            ChartKind::Line | ChartKind::HorizontalBar => 0,
            ChartKind::Bar | ChartKind::StackedBar => {
                self.legend_layout().last().map_or(0, |&(_, row)| row + 1)
            }
        }
    }

    /// Where each legend item goes: its left edge and row. Items flow left to right and wrap
    /// before one would pass the right edge, judged by [`legend_item_width`]; so long labels
    /// ("School or education service") take the room they need instead of running into the
    /// next item, at any width the chart is scaled to (it scales as a whole).
    fn legend_layout(&self) -> Vec<(f64, usize)> {
        let right = WIDTH - 8.0;
        let mut x = LEFT;
        let mut row = 0;
        let mut out = Vec::with_capacity(self.series.len());
        for series in &self.series {
            let width = legend_item_width(&series.label);
            if x > LEFT && x + width > right {
                row += 1;
                x = LEFT;
            }
            out.push((x, row));
            x += width + LEGEND_GAP;
        }
        out
    }

    fn height(&self) -> f64 {
        HEIGHT + 22.0 * self.legend_rows() as f64
    }

    fn data_max(&self) -> f64 {
        let n = self.x_labels.len();
        match self.kind {
            ChartKind::StackedBar => (0..n)
                .map(|i| {
                    self.series
                        .iter()
                        .filter_map(|s| s.values.get(i).copied().flatten())
                        .filter(|v| *v > 0.0)
                        .sum::<f64>()
                })
                .fold(0.0, f64::max),
            _ => self
                .series
                .iter()
                .flat_map(|s| {
                    s.values
                        .iter()
                        .flatten()
                        .copied()
                        .chain(s.band.iter().flatten().flatten().map(|(_, upper)| *upper))
                })
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max),
        }
    }

    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        if self.kind == ChartKind::HorizontalBar {
            return self.hbar_svg();
        }
        let n = self.x_labels.len().max(1);
        let id = escape(&self.id);
        let height = self.height();
        let plot_bottom = HEIGHT - BOTTOM;
        let right = self.plot_right();
        let (top_value, step) = match self.y_max {
            Some(max) => (max, max / 5.0),
            None => nice_scale(self.data_max()),
        };
        let y = |v: f64| plot_bottom - (v.max(0.0) / top_value) * (plot_bottom - TOP);
        let slot = (right - LEFT) / n as f64;
        let x_mid = |i: usize| LEFT + slot * (i as f64 + 0.5);

        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="nwd-chart" role="img" viewBox="0 0 {WIDTH} {height}" aria-labelledby="{id}-title {id}-desc" font-family="Frutiger W01, Arial, sans-serif" font-size="15"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
            escape(&self.title),
            escape(&self.description)
        );
        if self.kind != ChartKind::Line {
            s.push_str("<defs>");
            for (k, _) in self.series.iter().enumerate() {
                s.push_str(&pattern(&id, k));
            }
            s.push_str("</defs>");
        }
        // Grid and y axis.
        let mut tick = 0.0;
        while tick <= top_value + 1e-9 {
            let ty = y(tick);
            let _ = write!(
                s,
                r#"<line x1="{LEFT}" x2="{right}" y1="{ty:.1}" y2="{ty:.1}" stroke="{GRID}" stroke-width="1"/><text x="{}" y="{:.1}" text-anchor="end" fill="{INK}">{}</text>"#,
                LEFT - 6.0,
                ty + 5.0,
                number(tick)
            );
            tick += step;
        }
        let _ = write!(
            s,
            r#"<text x="14" y="{:.1}" transform="rotate(-90 14 {:.1})" text-anchor="middle" fill="{INK}">{}</text>"#,
            (TOP + plot_bottom) / 2.0,
            (TOP + plot_bottom) / 2.0,
            escape(&self.y_label)
        );
        // X labels: at most about 6 shown, so that they never overlap.
        let every = n.div_ceil(6).max(1);
        for (i, label) in self.x_labels.iter().enumerate() {
            // Counted from the last label, so the latest month is always named.
            if (n - 1 - i).is_multiple_of(every) {
                let _ = write!(
                    s,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{INK}">{}</text>"#,
                    x_mid(i),
                    plot_bottom + 20.0,
                    escape(label)
                );
            }
        }
        let _ = write!(
            s,
            r#"<line x1="{LEFT}" x2="{right}" y1="{plot_bottom}" y2="{plot_bottom}" stroke="{INK}" stroke-width="1.5"/>"#
        );
        match self.kind {
            ChartKind::Line => self.lines(&mut s, &y, &x_mid),
            ChartKind::Bar => self.bars(&mut s, &id, &y, slot, false),
            ChartKind::StackedBar => self.bars(&mut s, &id, &y, slot, true),
            ChartKind::HorizontalBar => {}
        }
        if self.kind != ChartKind::Line {
            self.legend(&mut s, &id);
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use super::*;

    fn chart(kind: ChartKind, series: Vec<Series>) -> Chart {
        Chart {
            id: "c".into(),
            title: "Referrals <by> source".into(),
            description: "Monthly referrals & more".into(),
            x_labels: vec!["Jan".into(), "Feb".into(), "Mar".into()],
            y_label: "Referrals".into(),
            kind,
            series,
            y_max: None,
        }
    }

    fn attr_values(svg: &str, element: &str, attr: &str) -> Vec<f64> {
        svg.split(&format!("<{element} "))
            .skip(1)
            .filter_map(|part| {
                let start = part.find(&format!(" {attr}=\""))? + attr.len() + 3;
                let end = part[start..].find('"')? + start;
                part[start..end].parse().ok()
            })
            .collect()
    }

    #[test]
    fn nice_scales_use_one_two_or_five_steps() {
        for (max, expected) in [
            (0.0, (1.0, 0.2)),
            (7.0, (8.0, 2.0)),
            (10.0, (10.0, 2.0)),
            (43.0, (50.0, 10.0)),
            (100.0, (100.0, 20.0)),
            (1234.0, (1250.0, 250.0)),
        ] {
            assert_eq!(nice_scale(max), expected, "max {max}");
        }
    }

    #[test]
    fn every_chart_is_an_image_with_a_title_and_description_and_escapes_text() {
        for kind in [ChartKind::Line, ChartKind::Bar, ChartKind::StackedBar] {
            let svg = chart(
                kind,
                vec![Series::new("<script>alert(1)</script>", vec![Some(1.0); 3])],
            )
            .svg();
            assert!(svg.starts_with("<svg "), "{svg}");
            assert!(svg.contains(r#"role="img""#));
            assert!(svg.contains(r#"aria-labelledby="c-title c-desc""#));
            assert!(svg.contains(r#"<title id="c-title">Referrals &lt;by&gt; source</title>"#));
            assert!(svg.contains(r#"<desc id="c-desc">Monthly referrals &amp; more</desc>"#));
            assert!(!svg.contains("<script>"), "{kind:?}");
            assert!(!svg.contains("style="), "no inline style under the CSP");
        }
    }

    #[test]
    fn stacked_bars_are_as_tall_as_their_total_and_use_a_pattern_per_series() {
        let svg = chart(
            ChartKind::StackedBar,
            vec![
                Series::new("GP", vec![Some(10.0), Some(20.0), None]),
                Series::new("School", vec![Some(10.0), Some(0.0), Some(5.0)]),
            ],
        )
        .svg();
        // Axis 0–20 over the plot height; bars: 10+10, 20, 5 (the None is not drawn).
        let heights = attr_values(&svg, "rect", "height");
        // Data rects carry a <title>; legend swatches are 14 high, pattern tiles 8.
        let bars: Vec<f64> = heights
            .iter()
            .copied()
            .filter(|h| *h != 14.0 && *h != 8.0)
            .collect();
        let full = 340.0 - 56.0 - 16.0;
        let expected = [full / 2.0, full / 2.0, full, full / 4.0];
        assert_eq!(bars.len(), expected.len(), "{bars:?}");
        for (got, want) in bars.iter().zip(expected) {
            assert!((got - want).abs() < 0.2, "{bars:?}");
        }
        assert!(svg.contains(r#"<pattern id="c-p0""#) && svg.contains(r#"<pattern id="c-p1""#));
        assert!(svg.contains("url(#c-p1)"));
        assert!(
            svg.contains(">GP</text>") && svg.contains(">School</text>"),
            "legend"
        );
    }

    #[test]
    fn lines_differ_by_dash_and_marker_break_at_gaps_and_are_labelled_directly() {
        let svg = chart(
            ChartKind::Line,
            vec![
                Series::new("MHS95", vec![Some(1.0), None, Some(3.0)]),
                Series::new("MHS69", vec![Some(1.0), Some(2.0), Some(2.0)]),
            ],
        )
        .svg();
        // The gap splits MHS95 into two polylines; MHS69 is one.
        assert_eq!(svg.matches("<polyline ").count(), 3);
        assert!(
            svg.contains(r#"stroke-dasharray="8 4""#),
            "second series dashed"
        );
        assert_eq!(svg.matches("<circle ").count(), 2, "first series: circles");
        assert!(svg.contains(">MHS95</text>") && svg.contains(">MHS69</text>"));
    }

    #[test]
    fn a_band_is_drawn_under_its_line() {
        let mut series = Series::new("Baseline", vec![Some(10.0), Some(12.0), Some(14.0)]);
        series.band = Some(vec![
            Some((8.0, 12.0)),
            Some((10.0, 14.0)),
            Some((12.0, 16.0)),
        ]);
        let svg = chart(ChartKind::Line, vec![series]).svg();
        let band = svg.find("<polygon points=").unwrap();
        let line = svg.find("<polyline").unwrap();
        assert!(band < line);
        // Six corners: three upper, three lower.
        let rest = &svg[band + "<polygon points=\"".len()..];
        let points = &rest[..rest.find('"').unwrap()];
        assert_eq!(points.split(' ').count(), 6, "{points}");
    }

    #[test]
    fn legend_items_with_long_labels_wrap_instead_of_overlapping() {
        let labels = [
            "GP practice",
            "School or education service",
            "Parent or carer",
            "Social care",
            "Self-referral",
            "Other sources",
        ];
        let c = chart(
            ChartKind::StackedBar,
            labels
                .iter()
                .map(|l| Series::new(*l, vec![Some(1.0), Some(2.0), Some(3.0)]))
                .collect(),
        );
        let layout = c.legend_layout();
        assert_eq!(layout.len(), labels.len());
        for (i, (&(x, row), label)) in layout.iter().zip(labels).enumerate() {
            let end = x + legend_item_width(label);
            assert!(
                end <= WIDTH,
                "{label} ends at {end}, past the chart's width"
            );
            if let Some(&(next_x, next_row)) = layout.get(i + 1) {
                if next_row == row {
                    assert!(next_x >= end, "{label} runs into the next item");
                } else {
                    assert_eq!(next_row, row + 1, "rows in order");
                    assert_eq!(next_x, LEFT, "a new row starts at the left");
                }
            }
        }
        assert!(
            c.legend_rows() >= 2,
            "six labels this long need more than one row"
        );
        // The chart is tall enough for every legend row.
        let svg = c.svg();
        let height = HEIGHT + 22.0 * c.legend_rows() as f64;
        assert!(
            svg.contains(&format!("viewBox=\"0 0 {WIDTH} {height}\"")),
            "{svg}"
        );
        for label in labels {
            assert!(
                svg.contains(&format!(">{label}</text>")),
                "{label} in the legend"
            );
        }
    }
}
