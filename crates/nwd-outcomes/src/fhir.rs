//! A measure as an HL7 FHIR R4 `Questionnaire` resource
//! (<https://hl7.org/fhir/R4/questionnaire.html>), so that another system — an electronic
//! patient record, a questionnaire app — can present it and send answers back. Each item is
//! a `choice` item whose `answerOption`s carry their score in the standard `ordinalValue`
//! extension (<http://hl7.org/fhir/StructureDefinition/ordinalValue>), or a `decimal` item
//! bounded by the `minValue`/`maxValue` extensions for a continuous scale (the ORS and CORS
//! lines). Licensed instruments have no item text or answer labels here, as in the bundled
//! definition: an organisation adds what it is licensed to show. The licence line is the
//! resource's `copyright`.

use serde_json::{json, Value};

use crate::definition::MeasureDefinition;

/// The FHIR extension carrying an answer's score.
pub const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
/// The FHIR extensions bounding a numeric answer.
pub const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
/// See [`MIN_VALUE`].
pub const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";

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

    #[test]
    fn phq9_is_a_questionnaire_with_scored_answers_and_its_text() {
        let phq = bundled().get("phq_9").unwrap();
        let q = questionnaire(phq);
        assert_eq!(q["resourceType"], "Questionnaire");
        assert_eq!(q["id"], "phq-9");
        assert_eq!(q["status"], "active");
        assert_eq!(q["item"].as_array().unwrap().len(), phq.items.len());
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
        for item in rcads["item"].as_array().unwrap() {
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
