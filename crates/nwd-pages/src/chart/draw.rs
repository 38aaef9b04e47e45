//! Drawing a chart's marks: lines with their bands, markers and direct labels, bars with
//! their fill patterns, and the legend.

use std::fmt::Write as _;

use super::{escape, number, Chart, DASHES, FILLS, FILL_COLOURS, HEIGHT, INK, LEFT, LINE_COLOURS};

impl Chart {
    pub(super) fn lines(
        &self,
        s: &mut String,
        y: &dyn Fn(f64) -> f64,
        x_mid: &dyn Fn(usize) -> f64,
    ) {
        // Bands first, under every line.
        for (k, series) in self.series.iter().enumerate() {
            let Some(band) = &series.band else { continue };
            for run in runs(band.iter().map(|b| b.is_some())) {
                let mut points: Vec<String> = run
                    .clone()
                    .filter_map(|i| band[i].map(|(_, up)| format!("{:.1},{:.1}", x_mid(i), y(up))))
                    .collect();
                points.extend(run.rev().filter_map(|i| {
                    band[i].map(|(low, _)| format!("{:.1},{:.1}", x_mid(i), y(low)))
                }));
                let _ = write!(
                    s,
                    r#"<polygon points="{}" fill="{}" fill-opacity="0.18" stroke="none"/>"#,
                    points.join(" "),
                    LINE_COLOURS[k % LINE_COLOURS.len()]
                );
            }
        }
        let mut label_ys: Vec<f64> = Vec::new();
        for (k, series) in self.series.iter().enumerate() {
            let colour = LINE_COLOURS[k % LINE_COLOURS.len()];
            let dash = DASHES[k % DASHES.len()];
            for run in runs(series.values.iter().map(|v| v.is_some())) {
                let d: Vec<String> = run
                    .filter_map(|i| {
                        series.values[i].map(|v| format!("{:.1},{:.1}", x_mid(i), y(v)))
                    })
                    .collect();
                let dash_attr = if dash.is_empty() {
                    String::new()
                } else {
                    format!(r#" stroke-dasharray="{dash}""#)
                };
                let _ = write!(
                    s,
                    r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>"#,
                    d.join(" ")
                );
            }
            for (i, v) in series.values.iter().enumerate() {
                if let Some(v) = v {
                    s.push_str(&marker(k, x_mid(i), y(*v), colour));
                }
            }
            // Direct label beside the last drawn point, nudged apart from the others.
            if let Some((i, v)) = series
                .values
                .iter()
                .enumerate()
                .rev()
                .find_map(|(i, v)| v.map(|v| (i, v)))
            {
                let mut ly = y(v) + 5.0;
                while label_ys.iter().any(|other| (other - ly).abs() < 16.0) {
                    ly += 16.0;
                }
                label_ys.push(ly);
                let _ = write!(
                    s,
                    r#"<text x="{:.1}" y="{ly:.1}" fill="{INK}">{}</text>"#,
                    x_mid(i) + 10.0,
                    escape(&series.label)
                );
            }
        }
    }

    pub(super) fn bars(
        &self,
        s: &mut String,
        id: &str,
        y: &dyn Fn(f64) -> f64,
        slot: f64,
        stacked: bool,
    ) {
        let k_count = self.series.len().max(1);
        let width = if stacked {
            slot * 0.7
        } else {
            slot * 0.8 / k_count as f64
        };
        for i in 0..self.x_labels.len() {
            let left = LEFT + slot * i as f64 + slot * if stacked { 0.15 } else { 0.1 };
            let mut base = 0.0;
            for (k, series) in self.series.iter().enumerate() {
                let Some(v) = series.values.get(i).copied().flatten() else {
                    continue;
                };
                if v <= 0.0 {
                    continue;
                }
                let (x0, bottom, top) = if stacked {
                    let b = base;
                    base += v;
                    (left, b, b + v)
                } else {
                    (left + width * k as f64, 0.0, v)
                };
                let _ = write!(
                    s,
                    r#"<rect x="{x0:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="url(#{id}-p{k})" stroke="{INK}" stroke-width="1"><title>{}: {}</title></rect>"#,
                    y(top),
                    (y(bottom) - y(top)).max(0.0),
                    escape(&self.x_labels[i]),
                    escape(&format!("{} {}", series.label, number(v)))
                );
            }
        }
    }

    pub(super) fn legend(&self, s: &mut String, id: &str) {
        let top = HEIGHT - 18.0;
        for (k, (series, (x, row))) in self.series.iter().zip(self.legend_layout()).enumerate() {
            let ly = top + row as f64 * 22.0;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="18" height="14" fill="url(#{id}-p{k})" stroke="{INK}" stroke-width="1"/><text x="{:.1}" y="{:.1}" fill="{INK}">{}</text>"#,
                ly - 11.0,
                x + 24.0,
                ly + 1.0,
                escape(&series.label)
            );
        }
    }
}

/// Consecutive indices where `present` is true.
pub(super) fn runs(present: impl Iterator<Item = bool>) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut last = 0;
    for (i, p) in present.enumerate() {
        last = i + 1;
        match (p, start) {
            (true, None) => start = Some(i),
            (false, Some(s0)) => {
                out.push(s0..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s0) = start {
        out.push(s0..last);
    }
    out
}

/// A fill pattern for series `k` (distinct without colour).
pub(super) fn pattern(id: &str, k: usize) -> String {
    let colour = FILL_COLOURS[k % FILL_COLOURS.len()];
    let kind = FILLS[k % FILLS.len()];
    let body = match kind {
        "solid" => format!(r#"<rect width="8" height="8" fill="{colour}"/>"#),
        "diagonal" => format!(
            r#"<rect width="8" height="8" fill="{colour}"/><path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{INK}" stroke-width="1.5"/>"#
        ),
        "dots" => format!(
            r##"<rect width="8" height="8" fill="{colour}"/><circle cx="4" cy="4" r="1.8" fill="#ffffff"/>"##
        ),
        "cross" => format!(
            r#"<rect width="8" height="8" fill="{colour}"/><path d="M0,0 l8,8 M8,0 l-8,8" stroke="{INK}" stroke-width="1"/>"#
        ),
        "horizontal" => format!(
            r##"<rect width="8" height="8" fill="{colour}"/><path d="M0,4 h8" stroke="#ffffff" stroke-width="2"/>"##
        ),
        "vertical" => format!(
            r#"<rect width="8" height="8" fill="{colour}"/><path d="M4,0 v8" stroke="{INK}" stroke-width="1.5"/>"#
        ),
        _ => format!(
            r#"<rect width="8" height="8" fill="{colour}"/><path d="M0,8 l8,-8" stroke="{INK}" stroke-width="0.8"/>"#
        ),
    };
    format!(
        r#"<pattern id="{id}-p{k}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>"#
    )
}

/// A marker of a shape particular to series `k`.
pub(super) fn marker(k: usize, x: f64, y: f64, colour: &str) -> String {
    match k % 4 {
        0 => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="4.5" fill="{colour}"/>"#),
        1 => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="9" height="9" fill="{colour}"/>"#,
            x - 4.5,
            y - 4.5
        ),
        2 => format!(
            r#"<polygon points="{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="{colour}"/>"#,
            y - 5.5,
            x + 5.0,
            y + 4.0,
            x - 5.0,
            y + 4.0
        ),
        _ => format!(
            r##"<polygon points="{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}" fill="#ffffff" stroke="{colour}" stroke-width="2"/>"##,
            y - 5.5,
            x + 5.5,
            y + 5.5,
            x - 5.5
        ),
    }
}
