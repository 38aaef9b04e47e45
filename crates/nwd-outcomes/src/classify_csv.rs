//! The evaluation behind `nowrongdoor outcomes classify`: paired scores in a CSV file →
//! per-scale change (OUT) and per-referral-and-rater outcome (REF).
//!
//! Every row is checked before anything is written: a bad row is refused with its line and
//! column and both outputs stay empty. To do that in one pass over a reader, the OUT rows are
//! held as 6 bytes each (an index into the referral-and-rater table plus a packed scale id and
//! change), and each referral and rater is held once (its id, flags and the scales seen); no
//! input row text is kept.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::rc::Rc;

use crate::change::{judge_change, Change, OutcomeTally, Overall};
use crate::definition::Rater;
use crate::key_hash::KeyHash;
use crate::set::{bundled, MeasureSet};

/// The input columns, in the documented order (any order is accepted).
pub const INPUT_COLUMNS: [&str; 6] = ["referral_id", "rater", "measure", "scale", "first", "last"];

/// Counts from a successful run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassifySummary {
    /// Data rows read (= OUT rows written).
    pub rows: u64,
    /// Rows reliably improved.
    pub improved: u64,
    /// Rows with no reliable change.
    pub no_change: u64,
    /// Rows reliably deteriorated.
    pub deteriorated: u64,
    /// Referral-and-rater pairs (= REF rows).
    pub referral_raters: u64,
    /// Of those, meaningful improvement.
    pub meaningful_improvement: u64,
    /// Of those, deterioration.
    pub deterioration: u64,
    /// Of those, no change.
    pub referral_no_change: u64,
}

/// Why a file was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    /// The header lacks required columns or has others.
    #[error("header (line 1): {}", describe_header(.missing, .unknown, .duplicated))]
    Header {
        /// Required columns not present.
        missing: Vec<String>,
        /// Columns present that are not allowed (e.g. misspelt).
        unknown: Vec<String>,
        /// Columns given twice.
        duplicated: Vec<String>,
    },
    /// A data row is invalid.
    #[error("line {line}, column {column}: {message}")]
    Row {
        /// 1-based line number (the header is line 1).
        line: u64,
        /// The column at fault.
        column: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The file is not well-formed CSV (e.g. a row with the wrong number of fields).
    #[error("line {line}: {message}")]
    Malformed {
        /// 1-based line number.
        line: u64,
        /// The CSV reader's explanation.
        message: String,
    },
    /// Reading the input failed.
    #[error("reading the scores: {0}")]
    Read(String),
    /// Writing an output failed (after validation).
    #[error("writing the results: {0}")]
    Write(#[from] csv::Error),
}

fn describe_header(missing: &[String], unknown: &[String], duplicated: &[String]) -> String {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing column(s) {}", missing.join(", ")));
    }
    if !unknown.is_empty() {
        parts.push(format!("unknown column(s) {}", unknown.join(", ")));
    }
    if !duplicated.is_empty() {
        parts.push(format!("repeated column(s) {}", duplicated.join(", ")));
    }
    parts.push(format!("expected exactly {}", INPUT_COLUMNS.join(",")));
    parts.join("; ")
}

/// One referral and rater.
struct Aggregate {
    referral_id: Rc<str>,
    rater: Rater,
    tally: OutcomeTally,
    /// Scales seen, ids below 64 as bits (no allocation for the bundled set).
    seen_low: u64,
    /// Scales seen with ids from 64.
    seen_high: Vec<u16>,
}

impl Aggregate {
    /// Marks a scale as seen; false if it already was.
    fn first_sight(&mut self, scale: u16) -> bool {
        if scale < 64 {
            let bit = 1u64 << scale;
            let new = self.seen_low & bit == 0;
            self.seen_low |= bit;
            new
        } else if self.seen_high.contains(&scale) {
            false
        } else {
            self.seen_high.push(scale);
            true
        }
    }
}

/// Classifies with the bundled measures; see [`classify_csv_with`].
pub fn classify_csv(
    input: impl Read,
    out: impl Write,
    referrals_out: Option<impl Write>,
) -> Result<ClassifySummary, ClassifyError> {
    classify_csv_with(bundled(), input, out, referrals_out)
}

/// Reads `referral_id,rater,measure,scale,first,last` rows, judges each scale's change with
/// the measure's threshold and direction, and writes `referral_id,rater,measure,scale,change`
/// to `out` and, if given, `referral_id,rater,overall` to `referrals_out` (one row per
/// referral and rater, in order of first appearance). `first` and `last` are the scores change
/// is judged on: T-scores for RCADS, raw scores otherwise.
pub fn classify_csv_with(
    measures: &MeasureSet,
    input: impl Read,
    out: impl Write,
    referrals_out: Option<impl Write>,
) -> Result<ClassifySummary, ClassifyError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(input);
    let columns = header_columns(&mut reader)?;
    let mut keys: [HashMap<Rc<str>, u32, KeyHash>; 3] = Default::default();
    let mut aggregates: Vec<Aggregate> = Vec::new();
    let mut row_aggregate: Vec<u32> = Vec::new();
    let mut row_scale_change: Vec<u16> = Vec::new();
    let mut summary = ClassifySummary::default();
    let mut record = csv::StringRecord::new();
    let mut last_index: Option<u32> = None;
    loop {
        let more = reader.read_record(&mut record).map_err(|e| malformed(&e))?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let field = |c: usize| record.get(columns[c]).unwrap_or("").trim();
        let refuse = |column: &'static str, message: String| ClassifyError::Row {
            line,
            column,
            message,
        };

        let referral_id = field(0);
        if referral_id.is_empty() {
            return Err(refuse("referral_id", "must not be empty".into()));
        }
        let Some(rater) = Rater::parse(field(1)) else {
            return Err(refuse(
                "rater",
                format!("{:?} is not one of self, parent, clinician", field(1)),
            ));
        };
        let Some(measure) = measures.measure_index(field(2)) else {
            let known: Vec<&str> = measures
                .measures()
                .iter()
                .map(|m| m.code.as_str())
                .collect();
            return Err(refuse(
                "measure",
                format!(
                    "unknown measure {:?}; known: {}",
                    field(2),
                    known.join(", ")
                ),
            ));
        };
        let definition = &measures.measures()[measure];
        if !measures.rater_allowed(measure, rater) {
            let allowed: Vec<&str> = definition.completed_by.iter().map(|r| r.code()).collect();
            return Err(refuse(
                "rater",
                format!(
                    "{} is completed by {}, not {}",
                    definition.code,
                    allowed.join(" or "),
                    rater.code()
                ),
            ));
        }
        let Some(scale_id) = measures.scale_id(measure, field(3)) else {
            let known: Vec<&str> = definition.scales.iter().map(|s| s.id.as_str()).collect();
            return Err(refuse(
                "scale",
                format!(
                    "{} has no scale {:?}; its scales: {}",
                    definition.code,
                    field(3),
                    known.join(", ")
                ),
            ));
        };
        let rule = measures.judged(scale_id);
        let Some(threshold) = rule.threshold else {
            return Err(refuse(
                "scale",
                format!(
                    "{} {} has no reliable-change threshold, so change cannot be judged",
                    definition.code,
                    field(3)
                ),
            ));
        };
        let (lo, hi) = rule.range;
        let score = |c: usize, name: &'static str| -> Result<f64, ClassifyError> {
            let text = field(c);
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= lo - 1e-9 && v <= hi + 1e-9 => Ok(v),
                Ok(v) if v.is_finite() => Err(refuse(
                    name,
                    format!(
                        "{v} is outside {} {}'s range {} to {}",
                        definition.code,
                        field(3),
                        round2(lo),
                        round2(hi)
                    ),
                )),
                _ => Err(refuse(name, format!("{text:?} is not a number"))),
            }
        };
        let first = score(4, "first")?;
        let last = score(5, "last")?;

        // Rows usually come grouped by referral: try the previous row's referral first.
        let previous = last_index.filter(|&i| {
            let aggregate = &aggregates[i as usize];
            aggregate.rater == rater && &*aggregate.referral_id == referral_id
        });
        let index = match previous.or_else(|| keys[rater as usize].get(referral_id).copied()) {
            Some(index) => index,
            None => {
                let id: Rc<str> = Rc::from(referral_id);
                let index = u32::try_from(aggregates.len()).map_err(|_| {
                    refuse(
                        "referral_id",
                        "more than 4 billion referral-and-rater pairs".into(),
                    )
                })?;
                keys[rater as usize].insert(Rc::clone(&id), index);
                aggregates.push(Aggregate {
                    referral_id: id,
                    rater,
                    tally: OutcomeTally::default(),
                    seen_low: 0,
                    seen_high: Vec::new(),
                });
                index
            }
        };
        let scale_u16 = u16::try_from(scale_id).ok().filter(|&s| s < 1 << 14);
        let Some(scale_u16) = scale_u16 else {
            return Err(refuse(
                "scale",
                "too many scales in the measure set (at most 16,384)".into(),
            ));
        };
        let aggregate = &mut aggregates[index as usize];
        if !aggregate.first_sight(scale_u16) {
            return Err(refuse(
                "scale",
                format!(
                    "a second row for referral {referral_id:?}, rater {}, {} {}",
                    rater.code(),
                    definition.code,
                    field(3)
                ),
            ));
        }
        last_index = Some(index);
        let change = judge_change(first, last, threshold, rule.direction);
        aggregate.tally.add(change);
        row_aggregate.push(index);
        row_scale_change.push(scale_u16 << 2 | change_bits(change));
        summary.rows += 1;
        match change {
            Change::Improved => summary.improved += 1,
            Change::NoChange => summary.no_change += 1,
            Change::Deteriorated => summary.deteriorated += 1,
        }
    }

    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["referral_id", "rater", "measure", "scale", "change"])?;
    for (&index, &packed) in row_aggregate.iter().zip(&row_scale_change) {
        let aggregate = &aggregates[index as usize];
        let (measure, scale) = measures.names(usize::from(packed >> 2));
        let change = change_from_bits(packed & 3);
        writer.write_record([
            &*aggregate.referral_id,
            aggregate.rater.code(),
            measure,
            scale,
            change.code(),
        ])?;
    }
    writer.flush().map_err(csv::Error::from)?;
    drop(row_aggregate);
    drop(row_scale_change);

    let mut referral_writer = referrals_out.map(csv::Writer::from_writer);
    if let Some(writer) = referral_writer.as_mut() {
        writer.write_record(["referral_id", "rater", "overall"])?;
    }
    for aggregate in &aggregates {
        let overall = aggregate.tally.overall().unwrap_or(Overall::NoChange);
        summary.referral_raters += 1;
        match overall {
            Overall::MeaningfulImprovement => summary.meaningful_improvement += 1,
            Overall::Deterioration => summary.deterioration += 1,
            Overall::NoChange => summary.referral_no_change += 1,
        }
        if let Some(writer) = referral_writer.as_mut() {
            writer.write_record([
                &*aggregate.referral_id,
                aggregate.rater.code(),
                overall.code(),
            ])?;
        }
    }
    if let Some(writer) = referral_writer.as_mut() {
        writer.flush().map_err(csv::Error::from)?;
    }
    Ok(summary)
}

fn header_columns<R: Read>(reader: &mut csv::Reader<R>) -> Result<[usize; 6], ClassifyError> {
    let header = reader.headers().map_err(|e| malformed(&e))?.clone();
    let mut columns = [usize::MAX; 6];
    let mut unknown = Vec::new();
    let mut duplicated = Vec::new();
    for (position, name) in header.iter().enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}');
        match INPUT_COLUMNS.iter().position(|c| *c == name) {
            Some(c) if columns[c] == usize::MAX => columns[c] = position,
            Some(_) => duplicated.push(name.to_string()),
            None => unknown.push(format!("{name:?}")),
        }
    }
    let missing: Vec<String> = INPUT_COLUMNS
        .iter()
        .zip(columns)
        .filter(|(_, p)| *p == usize::MAX)
        .map(|(c, _)| c.to_string())
        .collect();
    if missing.is_empty() && unknown.is_empty() && duplicated.is_empty() {
        Ok(columns)
    } else {
        Err(ClassifyError::Header {
            missing,
            unknown,
            duplicated,
        })
    }
}

fn malformed(error: &csv::Error) -> ClassifyError {
    match error.kind() {
        csv::ErrorKind::Io(e) => ClassifyError::Read(e.to_string()),
        _ => ClassifyError::Malformed {
            line: error.position().map_or(0, |p| p.line()),
            message: error.to_string(),
        },
    }
}

fn change_bits(change: Change) -> u16 {
    match change {
        Change::Improved => 0,
        Change::NoChange => 1,
        Change::Deteriorated => 2,
    }
}

fn change_from_bits(bits: u16) -> Change {
    match bits {
        0 => Change::Improved,
        2 => Change::Deteriorated,
        _ => Change::NoChange,
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
