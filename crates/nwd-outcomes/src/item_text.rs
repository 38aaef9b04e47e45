//! An organisation's licensed item text for a bundled measure. RCADS, SDQ, ORS/CORS,
//! HoNOSCA, YP-CORE and CORE-10 ship as scoring only (their item text is copyright); an
//! organisation licensed to show a measure loads its wording here — the question for every
//! item, a label for every answer, an optional preamble and its own licence statement — and
//! the measure can then be completed question by question, on a phone through a one-time link
//! or by another system as a FHIR `Questionnaire`. Scoring never depends on the text.
//!
//! The file is TOML or JSON:
//!
//! ```toml
//! measure = "rcads"
//! licence = "Used under licence from … (agreement 2026-114)"
//! preamble = "Please put a circle around the word that shows how often each of these things happens to you."
//! [items]
//! q1 = "…"
//! q2 = "…"
//! [labels]
//! never_to_always = ["Never", "Sometimes", "Often", "Always"]
//! ```
//!
//! `labels` gives, per response set, one label for each option in the set's order. Every item
//! must have its text (half a questionnaire cannot be shown) and every option set used by the
//! items its labels; errors name the field (`items.q14`, `labels.never_to_always[2]`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::definition::{FieldError, InvalidDefinition, LoadError, MeasureDefinition};

/// Longest question, label, preamble or licence statement accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// Licensed wording for one measure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemText {
    /// The bundled measure's code, e.g. `rcads`.
    pub measure: String,
    /// The organisation's licence or permission statement, shown with the questionnaire.
    pub licence: String,
    /// Instructions shown above the questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preamble: Option<String>,
    /// The question for each item id.
    pub items: BTreeMap<String, String>,
    /// Per response set, one label per option in the set's order.
    #[serde(default)]
    pub labels: BTreeMap<String, Vec<String>>,
}

impl ItemText {
    /// Parses TOML or JSON (JSON when the first non-blank character is `{`). A FHIR
    /// `Questionnaire` is read by [`ItemText::from_questionnaire`].
    pub fn parse(text: &str) -> Result<ItemText, LoadError> {
        if text.trim_start().starts_with('{') {
            Ok(serde_json::from_str(text)?)
        } else {
            Ok(toml::from_str(text)?)
        }
    }

    /// The wording of a FHIR R4 `Questionnaire` for `definition`: each item's `text` by
    /// `linkId`, each answer option's `valueCoding.display` by its `code` (the score, as
    /// [`crate::fhir::questionnaire`] writes it), the `description` as preamble and the
    /// `copyright` as licence (less the bundled licence line [`ItemText::apply`] puts in
    /// front of it). Score items (`score-…`) are skipped.
    pub fn from_questionnaire(
        definition: &MeasureDefinition,
        resource: &Value,
    ) -> Result<ItemText, InvalidDefinition> {
        let invalid = |path: &str, message: &str| InvalidDefinition {
            code: definition.code.clone(),
            errors: vec![FieldError {
                path: path.to_owned(),
                message: message.to_owned(),
            }],
        };
        if resource["resourceType"] != "Questionnaire" {
            return Err(invalid("resourceType", "expected a FHIR Questionnaire"));
        }
        let Some(licence) = resource["copyright"].as_str() else {
            return Err(invalid(
                "copyright",
                "state the licence under which the wording is used",
            ));
        };
        let mut items = BTreeMap::new();
        let mut labels: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (i, item) in resource["item"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(link) = item["linkId"].as_str() else {
                return Err(invalid(&format!("item[{i}].linkId"), "missing"));
            };
            if link.starts_with(crate::fhir::SCORE_LINK) {
                continue;
            }
            if let Some(text) = item["text"].as_str() {
                items.insert(link.to_owned(), text.to_owned());
            }
            let Some(set) = definition
                .item(link)
                .and_then(|known| definition.response_sets.get_key_value(&known.responses))
            else {
                continue;
            };
            if labels.contains_key(set.0) {
                continue;
            }
            let mut found = Vec::new();
            for option in &set.1.options {
                let display = item["answerOption"]
                    .as_array()
                    .and_then(|options| {
                        options.iter().find(|o| {
                            o["valueCoding"]["code"]
                                .as_str()
                                .and_then(|c| c.parse::<f64>().ok())
                                == Some(option.value)
                        })
                    })
                    .and_then(|o| o["valueCoding"]["display"].as_str());
                match display {
                    Some(display) => found.push(display.to_owned()),
                    None => break,
                }
            }
            if found.len() == set.1.options.len() && !found.is_empty() {
                labels.insert(set.0.clone(), found);
            }
        }
        Ok(ItemText {
            measure: definition.code.clone(),
            licence: licence
                .strip_prefix(&format!("{} Item text: ", definition.licence))
                .unwrap_or(licence)
                .to_owned(),
            preamble: resource["description"].as_str().map(str::to_owned),
            items,
            labels,
        })
    }

    /// `definition` with this wording, after checking it covers the measure exactly.
    pub fn apply(
        &self,
        definition: &MeasureDefinition,
    ) -> Result<MeasureDefinition, InvalidDefinition> {
        let mut errors = Vec::new();
        let mut err = |path: String, message: String| errors.push(FieldError { path, message });
        fn check(path: String, text: &str, err: &mut dyn FnMut(String, String)) {
            if text.trim().is_empty() {
                err(path, "must not be empty".into());
            } else if text.chars().count() > MAX_TEXT_CHARS {
                err(path, format!("is longer than {MAX_TEXT_CHARS} characters"));
            }
        }
        if self.measure != definition.code {
            err(
                "measure".into(),
                format!(
                    "this wording is for {:?}, not {:?}",
                    self.measure, definition.code
                ),
            );
        }
        check("licence".into(), &self.licence, &mut err);
        if let Some(preamble) = &self.preamble {
            check("preamble".into(), preamble, &mut err);
        }
        for id in self.items.keys() {
            if definition.item(id).is_none() {
                err(
                    format!("items.{id}"),
                    format!("{} has no item {id:?}", definition.name),
                );
            }
        }
        for item in &definition.items {
            match self.items.get(&item.id) {
                Some(text) => check(format!("items.{}", item.id), text, &mut err),
                None => err(
                    format!("items.{}", item.id),
                    "missing: every question needs its wording".into(),
                ),
            }
        }
        for (set, labels) in &self.labels {
            let Some(known) = definition.response_sets.get(set) else {
                err(
                    format!("labels.{set}"),
                    format!("{} has no response set {set:?}", definition.name),
                );
                continue;
            };
            if known.range.is_some() {
                err(
                    format!("labels.{set}"),
                    "a line (continuous range) has no option labels".into(),
                );
                continue;
            }
            if labels.len() != known.options.len() {
                err(
                    format!("labels.{set}"),
                    format!(
                        "give {} labels, one per answer in order; found {}",
                        known.options.len(),
                        labels.len()
                    ),
                );
            }
            for (i, label) in labels.iter().enumerate() {
                check(format!("labels.{set}[{i}]"), label, &mut err);
            }
        }
        let used: std::collections::BTreeSet<&str> = definition
            .items
            .iter()
            .map(|item| item.responses.as_str())
            .collect();
        for name in used {
            let Some(set) = definition.response_sets.get(name) else {
                continue;
            };
            let labelled = set.options.iter().all(|o| o.label.is_some());
            if set.range.is_none() && !labelled && !self.labels.contains_key(name) {
                err(
                    format!("labels.{name}"),
                    "missing: the questions' answers need their labels".into(),
                );
            }
        }
        if !errors.is_empty() {
            return Err(InvalidDefinition {
                code: definition.code.clone(),
                errors,
            });
        }
        let mut out = definition.clone();
        out.licence = format!("{} Item text: {}", definition.licence, self.licence);
        if self.preamble.is_some() {
            out.preamble.clone_from(&self.preamble);
        }
        for item in &mut out.items {
            item.text = self.items.get(&item.id).cloned();
        }
        for (set, labels) in &self.labels {
            if let Some(known) = out.response_sets.get_mut(set) {
                for (option, label) in known.options.iter_mut().zip(labels) {
                    option.label = Some(label.clone());
                }
            }
        }
        Ok(out)
    }
}

impl MeasureDefinition {
    /// Whether every question has its wording and every answer its label: the measure can be
    /// shown question by question to the person completing it.
    pub fn has_item_text(&self) -> bool {
        !self.items.is_empty()
            && self.items.iter().all(|item| {
                item.text.is_some()
                    && self.response_sets.get(&item.responses).is_some_and(|set| {
                        set.range.is_some() || set.options.iter().all(|o| o.label.is_some())
                    })
            })
    }
}
