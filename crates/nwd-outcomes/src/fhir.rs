//! A measure as an HL7 FHIR R4 `Questionnaire` resource
//! (<https://hl7.org/fhir/R4/questionnaire.html>), so that another system — an electronic
//! patient record, a questionnaire app — can present it and send answers back. Each item is
//! a `choice` item whose `answerOption`s carry their score in the standard `ordinalValue`
//! extension (<http://hl7.org/fhir/StructureDefinition/ordinalValue>), or a `decimal` item
//! bounded by the `minValue`/`maxValue` extensions for a continuous scale (the ORS and CORS
//! lines). Licensed instruments have no item text or answer labels here, as in the bundled
//! definition: an organisation adds what it is licensed to show. The licence line is the
//! resource's `copyright`.
//!
//! Each scale follows the questions as a read-only `decimal` item, `score-{scale}`, whose
//! `code` lists the scale's SNOMED CT concept for each rater where NHS England maps one; a
//! [`questionnaire_response`] answers those items with the scores, so a receiving system
//! gets the coded score beside the answers. [`response_answers`] skips them on the way in:
//! scores are always computed here from the answers, never taken from the sender.

use serde_json::{json, Value};

use crate::definition::MeasureDefinition;

/// The FHIR extension carrying an answer's score.
pub const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
/// The FHIR extensions bounding a numeric answer.
pub const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
/// See [`MIN_VALUE`].
pub const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
/// The code system of SNOMED CT in FHIR.
pub const SNOMED_CT: &str = "http://snomed.info/sct";
/// The `linkId` prefix of a scale's score item.
pub const SCORE_LINK: &str = "score-";

/// The score items of `definition`: one read-only `decimal` item per scale, coded.
fn score_items(definition: &MeasureDefinition) -> impl Iterator<Item = Value> + '_ {
    definition.scales.iter().map(|scale| {
        let mut item = json!({
            "linkId": format!("{SCORE_LINK}{}", scale.id),
            "text": scale.name,
            "type": "decimal",
            "readOnly": true,
            "required": false,
        });
        if !scale.snomed.is_empty() {
            item["code"] = scale
                .snomed
                .iter()
                .map(|(rater, code)| {
                    json!({"system": SNOMED_CT, "code": code, "display": format!("{} score ({}-rated)", scale.name, rater.code())})
                })
                .collect();
        }
        item
    })
}

/// `definition` as a FHIR R4 `Questionnaire` (JSON).
pub fn questionnaire(definition: &MeasureDefinition) -> Value {
    let items: Vec<Value> = definition
        .items
        .iter()
        .map(|item| {
            let mut out = json!({ "linkId": item.id, "required": false });
            if let Some(text) = &item.text {
                out["text"] = json!(text);
            }
            if let Some(set) = definition.response_sets.get(&item.responses) {
                if let Some([lo, hi]) = set.range {
                    out["type"] = json!("decimal");
                    out["extension"] = json!([
                        {"url": MIN_VALUE, "valueDecimal": lo},
                        {"url": MAX_VALUE, "valueDecimal": hi},
                    ]);
                } else {
                    out["type"] = json!("choice");
                    out["answerOption"] = set
                        .options
                        .iter()
                        .map(|o| {
                            let mut coding = json!({ "code": number(o.value) });
                            if let Some(label) = &o.label {
                                coding["display"] = json!(label);
                            }
                            json!({
                                "valueCoding": coding,
                                "extension": [{"url": ORDINAL_VALUE, "valueDecimal": o.value}],
                            })
                        })
                        .collect();
                }
            }
            out
        })
        .chain(score_items(definition))
        .collect();
    let mut resource = json!({
        "resourceType": "Questionnaire",
        "id": definition.code.replace('_', "-"),
        "name": definition.code,
        "title": definition.name,
        "status": "active",
        "subjectType": ["Patient"],
        "copyright": definition.licence,
        "item": items,
    });
    if let Some(preamble) = &definition.preamble {
        resource["description"] = json!(preamble);
    }
    resource
}

/// A problem in a `QuestionnaireResponse`, at the path of the element at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ResponseError {
    /// e.g. `item[3].answer[0]`.
    pub path: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

fn problem(path: impl Into<String>, message: impl Into<String>) -> ResponseError {
    ResponseError {
        path: path.into(),
        message: message.into(),
    }
}

/// The answers of a FHIR R4 `QuestionnaireResponse` to `definition`'s questionnaire, by item
/// id (`linkId`), as [`MeasureDefinition::score`] takes them: a `valueCoding` whose `code` is
/// the answer's score (as [`questionnaire`] writes it), a `valueDecimal` or a `valueInteger`.
/// Items in groups are read too. Refused, naming the element: another resource type, a
/// response that is not `completed` or `amended`, one for another questionnaire, an unknown
/// or repeated `linkId`, or an answer the item does not allow. An item without an answer is
/// a missing answer (the measure's prorating decides).
pub fn response_answers(
    definition: &MeasureDefinition,
    resource: &Value,
) -> Result<std::collections::BTreeMap<String, f64>, ResponseError> {
    if resource["resourceType"] != "QuestionnaireResponse" {
        return Err(problem("resourceType", "expected a QuestionnaireResponse"));
    }
    match resource["status"].as_str() {
        Some("completed" | "amended") => {}
        other => {
            return Err(problem(
                "status",
                format!("only a completed or amended response is recorded, not {other:?}"),
            ))
        }
    }
    if let Some(canonical) = resource["questionnaire"].as_str() {
        let id = definition.code.replace('_', "-");
        let tail = canonical.rsplit('/').next().unwrap_or(canonical);
        let tail = tail.split('|').next().unwrap_or(tail);
        if tail != id && tail != definition.code {
            return Err(problem(
                "questionnaire",
                format!(
                    "this response answers {canonical:?}, not {} ({id})",
                    definition.name
                ),
            ));
        }
    }
    let mut answers = std::collections::BTreeMap::new();
    let mut stack: Vec<(String, &Value)> = match resource["item"].as_array() {
        Some(items) => items
            .iter()
            .enumerate()
            .rev()
            .map(|(i, item)| (format!("item[{i}]"), item))
            .collect(),
        None => return Err(problem("item", "the response has no answers")),
    };
    while let Some((path, item)) = stack.pop() {
        if let Some(children) = item["item"].as_array() {
            for (i, child) in children.iter().enumerate().rev() {
                stack.push((format!("{path}.item[{i}]"), child));
            }
        }
        let Some(link) = item["linkId"].as_str() else {
            return Err(problem(
                format!("{path}.linkId"),
                "every item needs its linkId",
            ));
        };
        if link
            .strip_prefix(SCORE_LINK)
            .is_some_and(|scale| definition.scale(scale).is_some())
        {
            continue;
        }
        let Some(answer) = item["answer"].as_array().and_then(|a| a.first()) else {
            if definition.item(link).is_none() && item["item"].is_null() {
                return Err(problem(
                    format!("{path}.linkId"),
                    format!("{} has no item {link:?}", definition.name),
                ));
            }
            continue;
        };
        let Some(known) = definition.item(link) else {
            return Err(problem(
                format!("{path}.linkId"),
                format!("{} has no item {link:?}", definition.name),
            ));
        };
        let at = format!("{path}.answer[0]");
        let value = if let Some(code) = answer["valueCoding"]["code"].as_str() {
            code.parse::<f64>()
                .map_err(|_| problem(&at, format!("the code {code:?} is not a score")))?
        } else if let Some(value) = answer["valueDecimal"].as_f64() {
            value
        } else if let Some(value) = answer["valueInteger"].as_i64() {
            value as f64
        } else {
            return Err(problem(
                &at,
                "give the answer as valueCoding (its code the score), valueDecimal or valueInteger",
            ));
        };
        let allowed = definition
            .response_sets
            .get(&known.responses)
            .is_some_and(|set| set.allows(value));
        if !allowed {
            return Err(problem(
                &at,
                format!("{value} is not an answer item {link:?} allows"),
            ));
        }
        if answers.insert(link.to_owned(), value).is_some() {
            return Err(problem(
                format!("{path}.linkId"),
                format!("item {link:?} is answered twice"),
            ));
        }
    }
    Ok(answers)
}

/// A FHIR R4 `QuestionnaireResponse` to `definition`'s [`questionnaire`] with `answers`
/// (item id and value, in the measure's order): each answer a `valueCoding` whose code is
/// its score (and its label, where the licence allows) for a choice item, or a `valueDecimal`
/// for a line; then each of `scores` (scale id and score) as its scale's score item;
/// `authored` is when it was completed (RFC 3339). [`response_answers`] reads it back.
pub fn questionnaire_response(
    definition: &MeasureDefinition,
    answers: &[(String, f64)],
    scores: &[(String, f64)],
    authored: &str,
) -> Value {
    let scored = scores.iter().filter_map(|(id, value)| {
        let scale = definition.scale(id)?;
        Some(json!({
            "linkId": format!("{SCORE_LINK}{id}"),
            "text": scale.name,
            "answer": [{"valueDecimal": value}],
        }))
    });
    let items: Vec<Value> = answers
        .iter()
        .filter_map(|(id, value)| {
            let item = definition.item(id)?;
            let set = definition.response_sets.get(&item.responses)?;
            let answer = if set.range.is_some() {
                json!({ "valueDecimal": value })
            } else {
                let mut coding = json!({ "code": number(*value) });
                if let Some(label) = set
                    .options
                    .iter()
                    .find(|o| o.value == *value)
                    .and_then(|o| o.label.as_ref())
                {
                    coding["display"] = json!(label);
                }
                json!({ "valueCoding": coding })
            };
            let mut out = json!({ "linkId": id, "answer": [answer] });
            if let Some(text) = &item.text {
                out["text"] = json!(text);
            }
            Some(out)
        })
        .chain(scored)
        .collect();
    json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": format!("Questionnaire/{}", definition.code.replace('_', "-")),
        "status": "completed",
        "authored": authored,
        "item": items,
    })
}

/// A score as a code: `2`, or `2.5`.
fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundled;

    fn phq_response(answers: &[(&str, Value)]) -> Value {
        json!({
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "questionnaire": "https://example.org/Questionnaire/phq-9",
            "item": answers.iter().map(|(id, answer)| json!({"linkId": id, "answer": [answer]})).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn a_response_is_read_back_as_scores_and_refused_where_it_is_wrong() {
        let phq = bundled().get("phq_9").unwrap();
        let nine: Vec<(String, Value)> = (1..=9)
            .map(|i| (format!("q{i}"), json!({"valueCoding": {"code": "2"}})))
            .collect();
        let refs: Vec<(&str, Value)> = nine.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let answers = response_answers(phq, &phq_response(&refs)).unwrap();
        assert_eq!(answers.len(), 9);
        let scored = phq.score(&answers).unwrap();
        assert_eq!(scored[0].as_ref().unwrap().raw, 18.0);
        // In a group, and as an integer.
        let grouped = json!({"resourceType": "QuestionnaireResponse", "status": "completed",
            "item": [{"linkId": "page1", "item": [{"linkId": "q1", "answer": [{"valueInteger": 3}]}]}]});
        assert_eq!(response_answers(phq, &grouped).unwrap()["q1"], 3.0);
        // Written and read back: the same answers.
        let written: Vec<(String, f64)> = answers.iter().map(|(k, v)| (k.clone(), *v)).collect();
        let response = questionnaire_response(
            phq,
            &written,
            &[("total".to_owned(), 18.0)],
            "2026-03-27T10:15:00Z",
        );
        assert_eq!(
            response["item"][0]["answer"][0]["valueCoding"]["display"],
            "More than half the days"
        );
        // The score follows the answers, as the Questionnaire's coded score item.
        assert_eq!(response["item"][9]["linkId"], "score-total");
        assert_eq!(response["item"][9]["answer"][0]["valueDecimal"], 18.0);
        assert_eq!(response_answers(phq, &response).unwrap(), answers);
        for (resource, path) in [
            (json!({"resourceType": "Observation"}), "resourceType"),
            (
                json!({"resourceType": "QuestionnaireResponse", "status": "in-progress", "item": []}),
                "status",
            ),
            (
                json!({"resourceType": "QuestionnaireResponse", "status": "completed", "questionnaire": "Questionnaire/gad-7", "item": []}),
                "questionnaire",
            ),
            (
                phq_response(&[("q99", json!({"valueInteger": 1}))]),
                "item[0].linkId",
            ),
            (
                phq_response(&[("q1", json!({"valueInteger": 4}))]),
                "item[0].answer[0]",
            ),
            (
                phq_response(&[("q1", json!({"valueString": "often"}))]),
                "item[0].answer[0]",
            ),
            (
                phq_response(&[
                    ("q1", json!({"valueInteger": 1})),
                    ("q1", json!({"valueInteger": 2})),
                ]),
                "item[1].linkId",
            ),
        ] {
            assert_eq!(
                response_answers(phq, &resource).unwrap_err().path,
                path,
                "{resource}"
            );
        }
    }

    #[test]
    fn phq9_is_a_questionnaire_with_scored_answers_and_its_text() {
        let phq = bundled().get("phq_9").unwrap();
        let q = questionnaire(phq);
        assert_eq!(q["resourceType"], "Questionnaire");
        assert_eq!(q["id"], "phq-9");
        assert_eq!(q["status"], "active");
        assert_eq!(q["item"].as_array().unwrap().len(), phq.items.len() + 1);
        let score = &q["item"][phq.items.len()];
        assert_eq!(score["linkId"], "score-total");
        assert_eq!(score["readOnly"], true);
        assert_eq!(score["code"][0]["system"], SNOMED_CT);
        assert_eq!(
            score["code"][0]["code"], "720433000",
            "NHS England's PHQ-9 total"
        );
        let first = &q["item"][0];
        assert_eq!(first["type"], "choice");
        assert!(
            first["text"].as_str().unwrap().len() > 10,
            "public-domain text"
        );
        let options = first["answerOption"].as_array().unwrap();
        assert_eq!(options.len(), 4, "not at all … nearly every day");
        assert_eq!(options[3]["extension"][0]["url"], ORDINAL_VALUE);
        assert_eq!(options[3]["extension"][0]["valueDecimal"], 3.0);
        assert_eq!(options[3]["valueCoding"]["code"], "3");
    }

    #[test]
    fn licensed_measures_carry_no_item_text_and_every_bundled_one_converts() {
        let rcads = questionnaire(bundled().get("rcads").unwrap());
        let questions = rcads["item"].as_array().unwrap().iter();
        for item in questions.filter(|i| !i["linkId"].as_str().unwrap().starts_with(SCORE_LINK)) {
            assert!(item.get("text").is_none(), "{item}");
            for option in item["answerOption"].as_array().unwrap() {
                assert!(option["valueCoding"].get("display").is_none());
            }
        }
        for measure in bundled().measures() {
            let q = questionnaire(measure);
            assert_eq!(q["name"], measure.code.as_str());
            assert_eq!(q["copyright"], measure.licence.as_str());
            for item in q["item"].as_array().unwrap() {
                let kind = item["type"].as_str().unwrap();
                assert!(
                    kind == "choice" || kind == "decimal",
                    "{}: {item}",
                    measure.code
                );
            }
        }
    }
}
