//! Horizontal bars, for categories with long names (services): each category's name is
//! written on a line of its own above its bars, across the chart's whole width, so names
//! never overlap or need shortening to fit beneath a bar (the simulator's waits chart named
//! 14 services in the space of 6). A name longer than the width is cut with "…"; the table
//! beside the chart has it in full.

use std::fmt::Write as _;

use super::draw::pattern;
use super::{escape, legend_item_width, nice_scale, number, Chart, GRID, INK, LEGEND_GAP, WIDTH};

/// Left edge of names and bars.
const LEFT: f64 = 8.0;
/// Room at the right for a bar's value.
const RIGHT: f64 = WIDTH - 56.0;
const TOP: f64 = 8.0;
/// A category's name line.
const NAME: f64 = 20.0;
/// One bar's thickness.
const BAR: f64 = 14.0;
/// Space after a category's bars.
const GAP: f64 = 10.0;
/// Characters of a name that fit the width at 0.6 em a character of the 15-unit font.
const NAME_CHARS: usize = ((RIGHT - LEFT) / 9.0) as usize;

impl Chart {
    fn row_height(&self) -> f64 {
        NAME + BAR * self.series.len().max(1) as f64 + GAP
    }

    /// The chart as an `<svg>` element, bars running left to right.
    pub(super) fn hbar_svg(&self) -> String {
        let id = escape(&self.id);
        let n = self.x_labels.len();
        let plot_bottom = TOP + self.row_height() * n as f64;
        // Below the axis title (at plot_bottom + 38, 15-unit text) with a clear gap.
        let legend_top = plot_bottom + 56.0;
        let mut legend = Vec::new();
        let (mut lx, mut row) = (LEFT, 0usize);
        for series in &self.series {
            let width = legend_item_width(&series.label);
            if lx > LEFT && lx + width > WIDTH - 8.0 {
                row += 1;
                lx = LEFT;
            }
            legend.push((lx, row));
            lx += width + LEGEND_GAP;
        }
        let height = legend_top + 22.0 * legend.last().map_or(0, |(_, r)| r + 1) as f64;
        let (top_value, step) = match self.y_max {
            Some(max) => (max, max / 5.0),
            None => nice_scale(self.data_max()),
        };
        let x = |v: f64| LEFT + (v.max(0.0) / top_value) * (RIGHT - LEFT);
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="nwd-chart" role="img" viewBox="0 0 {WIDTH} {height:.0}" aria-labelledby="{id}-title {id}-desc" font-family="Frutiger W01, Arial, sans-serif" font-size="15"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc><defs>"#,
            escape(&self.title),
            escape(&self.description)
        );
        for k in 0..self.series.len() {
            s.push_str(&pattern(&id, k));
        }
        s.push_str("</defs>");
        let mut tick = 0.0;
        while tick <= top_value + 1e-9 {
            let tx = x(tick);
            let _ = write!(
                s,
                r#"<line x1="{tx:.1}" x2="{tx:.1}" y1="{TOP}" y2="{plot_bottom:.1}" stroke="{GRID}" stroke-width="1"/><text x="{tx:.1}" y="{:.1}" text-anchor="middle" fill="{INK}">{}</text>"#,
                plot_bottom + 18.0,
                number(tick)
            );
            tick += step;
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{INK}">{}</text>"#,
            (LEFT + RIGHT) / 2.0,
            plot_bottom + 38.0,
            escape(&self.y_label)
        );
        for (i, label) in self.x_labels.iter().enumerate() {
            let top = TOP + self.row_height() * i as f64;
            let shown: String = if label.chars().count() > NAME_CHARS {
                label.chars().take(NAME_CHARS - 1).chain(['…']).collect()
            } else {
                label.clone()
            };
            let _ = write!(
                s,
                r#"<text x="{LEFT}" y="{:.1}" fill="{INK}">{}</text>"#,
                top + 15.0,
                escape(&shown)
            );
            for (k, series) in self.series.iter().enumerate() {
                let Some(v) = series.values.get(i).copied().flatten() else {
                    continue;
                };
                let bar_top = top + NAME + BAR * k as f64;
                let _ = write!(
                    s,
                    r#"<rect x="{LEFT}" y="{bar_top:.1}" width="{:.1}" height="{:.1}" fill="url(#{id}-p{k})" stroke="{INK}" stroke-width="1"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" font-size="12" fill="{INK}">{}</text>"#,
                    (x(v) - LEFT).max(0.0),
                    BAR - 2.0,
                    escape(label),
                    escape(&format!("{} {}", series.label, number(v))),
                    x(v) + 4.0,
                    bar_top + BAR - 4.0,
                    number(v)
                );
            }
        }
        let _ = write!(
            s,
            r#"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{plot_bottom:.1}" stroke="{INK}" stroke-width="1.5"/>"#
        );
        for (k, (series, (lx, row))) in self.series.iter().zip(legend).enumerate() {
            let ly = legend_top + row as f64 * 22.0;
            let _ = write!(
                s,
                r#"<rect x="{lx:.1}" y="{:.1}" width="18" height="14" fill="url(#{id}-p{k})" stroke="{INK}" stroke-width="1"/><text x="{:.1}" y="{:.1}" fill="{INK}">{}</text>"#,
                ly - 11.0,
                lx + 24.0,
                ly + 1.0,
                escape(&series.label)
            );
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
    use super::super::{ChartKind, Series};
    use super::*;

    /// Fourteen long service names (the demo county's): every one is written, each on its own
    /// line at least a line's height below the one before, none wider than the chart.
    #[test]
    fn every_long_name_is_written_on_a_line_of_its_own() {
        let names: Vec<String> = (0..14)
            .map(|i| format!("Community children and young people's mental health service {i}"))
            .collect();
        let chart = Chart {
            id: "w".into(),
            title: "Mean wait by service".into(),
            description: "Waits".into(),
            x_labels: names.clone(),
            y_label: "Days".into(),
            kind: ChartKind::HorizontalBar,
            series: vec![
                Series::new(
                    "Baseline",
                    (0..14).map(|i| Some(f64::from(i) * 3.0)).collect(),
                ),
                Series::new(
                    "Scenario",
                    (0..14).map(|i| Some(f64::from(i) * 2.0)).collect(),
                ),
            ],
            y_max: None,
        };
        let svg = chart.svg();
        let mut name_ys = Vec::new();
        for part in svg.split("<text x=\"8\" y=\"").skip(1) {
            let y: f64 = part[..part.find('"').unwrap()].parse().unwrap();
            let text = &part[part.find('>').unwrap() + 1..part.find("</text>").unwrap()];
            if text.starts_with("Community") {
                let shown = text.replace("&#39;", "'");
                assert!(shown.chars().count() <= NAME_CHARS, "{shown}");
                name_ys.push(y);
            }
        }
        assert_eq!(name_ys.len(), 14, "{svg}");
        for pair in name_ys.windows(2) {
            assert!(pair[1] - pair[0] >= NAME + BAR, "{name_ys:?}");
        }
        // A short name is written whole; a long one ends in an ellipsis.
        assert!(svg.contains("&#39;s mental health service 13") || svg.contains('…'));
        assert_eq!(svg.matches("<rect x=\"8\" y=").count(), 28);
    }
}
