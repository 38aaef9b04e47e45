//! Validation of a [`MeasureDefinition`]: every rule checked, every problem reported with the
//! path of the field at fault (`scales[1].items[3]: unknown item "q14"`).

use std::collections::HashSet;

use crate::definition::{FieldError, InvalidDefinition, MeasureDefinition, ReliableChange};

impl MeasureDefinition {
    /// Checks every rule, collecting all problems with their field paths.
    pub fn validate(&self) -> Result<(), InvalidDefinition> {
        let mut errors = Vec::new();
        let mut err = |path: String, message: String| errors.push(FieldError { path, message });
        if !is_code(&self.code) {
            err(
                "code".into(),
                format!("{:?} must be lower-case letters, digits and _", self.code),
            );
        }
        if self.name.trim().is_empty() {
            err("name".into(), "must not be empty".into());
        }
        if self.licence.trim().is_empty() {
            err(
                "licence".into(),
                "must state the licence or copyright line".into(),
            );
        }
        if self.completed_by.is_empty() {
            err(
                "completed_by".into(),
                "name at least one of self, parent, clinician".into(),
            );
        }
        if self.age_range.min > self.age_range.max {
            err(
                "age_range".into(),
                format!(
                    "min {} is above max {}",
                    self.age_range.min, self.age_range.max
                ),
            );
        }
        for (name, set) in &self.response_sets {
            let path = format!("response_sets.{name}");
            match (set.options.is_empty(), set.range) {
                (true, None) => err(path.clone(), "give options or a range".into()),
                (false, Some(_)) => err(path.clone(), "give options or a range, not both".into()),
                (_, Some([lo, hi])) if !(lo.is_finite() && hi.is_finite() && lo < hi) => err(
                    format!("{path}.range"),
                    format!("[{lo}, {hi}] must be finite with min < max"),
                ),
                _ => {}
            }
            for (i, option) in set.options.iter().enumerate() {
                if !option.value.is_finite() {
                    err(
                        format!("{path}.options[{i}].value"),
                        "must be a finite number".into(),
                    );
                }
            }
        }
        let mut item_ids = HashSet::new();
        for (i, item) in self.items.iter().enumerate() {
            if !is_code(&item.id) {
                err(
                    format!("items[{i}].id"),
                    format!("{:?} must be lower-case letters, digits and _", item.id),
                );
            }
            if !item_ids.insert(item.id.as_str()) {
                err(
                    format!("items[{i}].id"),
                    format!("duplicate item {:?}", item.id),
                );
            }
            if !self.response_sets.contains_key(&item.responses) {
                err(
                    format!("items[{i}].responses"),
                    format!("unknown response set {:?}", item.responses),
                );
            }
        }
        if self.scales.is_empty() {
            err("scales".into(), "define at least one scale".into());
        }
        let mut scale_ids = HashSet::new();
        for (s, scale) in self.scales.iter().enumerate() {
            let path = format!("scales[{s}]");
            if !is_code(&scale.id) {
                err(
                    format!("{path}.id"),
                    format!("{:?} must be lower-case letters, digits and _", scale.id),
                );
            }
            for (rater, code) in &scale.snomed {
                let at = format!("{path}.snomed.{}", rater.code());
                if !self.completed_by.contains(rater) {
                    err(
                        at.clone(),
                        format!("{} does not complete this measure", rater.code()),
                    );
                }
                if !is_sctid(code) {
                    err(
                        at,
                        format!(
                            "{code:?} is not a SNOMED CT identifier (6 to 18 digits ending in a \
                             Verhoeff check digit)"
                        ),
                    );
                }
            }
            if !scale_ids.insert(scale.id.as_str()) {
                err(
                    format!("{path}.id"),
                    format!("duplicate scale {:?}", scale.id),
                );
            }
            if scale.items.is_empty() {
                err(format!("{path}.items"), "list at least one item".into());
            }
            let mut in_scale = HashSet::new();
            for (i, id) in scale.items.iter().enumerate() {
                if !item_ids.contains(id.as_str()) {
                    err(format!("{path}.items[{i}]"), format!("unknown item {id:?}"));
                }
                if !in_scale.insert(id.as_str()) {
                    err(
                        format!("{path}.items[{i}]"),
                        format!("item {id:?} listed twice"),
                    );
                }
            }
            for (i, id) in scale.reverse_items.iter().enumerate() {
                if !in_scale.contains(id.as_str()) {
                    err(
                        format!("{path}.reverse_items[{i}]"),
                        format!("{id:?} is not one of this scale's items"),
                    );
                }
            }
            if !scale.items.is_empty() && scale.max_missing >= scale.items.len() {
                err(
                    format!("{path}.max_missing"),
                    format!(
                        "{} must be below the number of items ({})",
                        scale.max_missing,
                        scale.items.len()
                    ),
                );
            }
            match scale.reliable_change {
                Some(ReliableChange::Fixed { threshold })
                    if !(threshold.is_finite() && threshold > 0.0) =>
                {
                    err(
                        format!("{path}.reliable_change.threshold"),
                        format!("{threshold} must be a positive number"),
                    )
                }
                Some(ReliableChange::JacobsonTruax { sd, reliability }) => {
                    if !(sd.is_finite() && sd > 0.0) {
                        err(
                            format!("{path}.reliable_change.sd"),
                            format!("{sd} must be a positive number"),
                        );
                    }
                    if !(0.0..1.0).contains(&reliability) {
                        err(
                            format!("{path}.reliable_change.reliability"),
                            format!("{reliability} must be in [0, 1)"),
                        );
                    }
                }
                _ => {}
            }
            if let Some(cutoff) = &scale.clinical_cutoff {
                if !cutoff.value.is_finite() {
                    err(
                        format!("{path}.clinical_cutoff.value"),
                        "must be a finite number".into(),
                    );
                }
            }
            for (n, norm) in scale.t_score_norms.iter().enumerate() {
                let npath = format!("{path}.t_score_norms[{n}]");
                if !(norm.sd.is_finite() && norm.sd > 0.0) {
                    err(
                        format!("{npath}.sd"),
                        format!("{} must be a positive number", norm.sd),
                    );
                }
                if !norm.mean.is_finite() {
                    err(format!("{npath}.mean"), "must be a finite number".into());
                }
                if norm.ages.min > norm.ages.max {
                    err(
                        format!("{npath}.ages"),
                        format!("min {} is above max {}", norm.ages.min, norm.ages.max),
                    );
                }
                let overlaps = scale.t_score_norms[..n].iter().position(|other| {
                    other.sex == norm.sex
                        && other.ages.min <= norm.ages.max
                        && norm.ages.min <= other.ages.max
                });
                if let Some(other) = overlaps {
                    err(
                        npath,
                        format!("overlaps t_score_norms[{other}] for the same sex"),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(InvalidDefinition {
                code: self.code.clone(),
                errors,
            })
        }
    }
}

fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `code` is a well-formed SNOMED CT identifier: 6 to 18 digits, no leading zero,
/// the last a Verhoeff check digit over the rest (SNOMED CT Technical Implementation Guide,
/// "Check-digit computation"; Verhoeff 1969). It catches every single-digit error and every
/// swap of adjacent digits, the usual ways a code is mistyped.
pub(crate) fn is_sctid(code: &str) -> bool {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    let bytes = code.as_bytes();
    if !(6..=18).contains(&bytes.len()) || bytes[0] == b'0' || !bytes.iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    let mut c = 0u8;
    for (i, digit) in bytes.iter().rev().enumerate() {
        c = D[usize::from(c)][usize::from(P[i % 8][usize::from(digit - b'0')])];
    }
    c == 0
}
