//! Changes to the commissioning record made from a form rather than by editing its text: a
//! partner's contribution varied during a year (a further `[[agreement.contribution]]` line,
//! the earlier one kept as history), a Transformation Plan milestone's status and evidence,
//! a provider's declared staff (whole-time equivalents of one staff line), a contract's value
//! for a financial year, and a contract KPI's threshold and amber margin. Each takes the record's TOML source and returns the new source
//! with only that change, every other line, comment and indent kept as written (`toml_edit`),
//! so a version in the history differs from the one before by exactly what the form said.
//!
//! The new source is checked like any other save ([`super::plan::CommissioningDocument`]'s
//! check); [`Edited::form_field`] turns a problem's document path back into the form's field.

use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

use super::transformation::MilestoneStatus;
use crate::FieldError;

/// A contribution line to add, as the form gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewContribution {
    /// The partner's key.
    pub partner: String,
    /// The financial year, `2026/27`.
    pub year: String,
    /// The annual sum in pounds from `from` on.
    pub amount: f64,
    /// The day it takes effect, `YYYY-MM-DD`.
    pub from: String,
    /// Why.
    pub reason: String,
}

/// A milestone's new standing.
#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneUpdate {
    /// Where it stands.
    pub status: MilestoneStatus,
    /// What shows it (`None` or blank removes it).
    pub evidence: Option<String>,
}

/// The record after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct Edited {
    /// The new source.
    pub source: String,
    /// The changed entry's path in the document, e.g. `agreement[0].contribution[7]`.
    pub at: String,
}

impl Edited {
    /// The form field a problem found at document path `field` belongs to: the part after
    /// the changed entry's path (`agreement[0].contribution[7].from` gives `from`), or
    /// `None` when the problem is elsewhere in the record.
    pub fn form_field<'a>(&self, field: &'a str) -> Option<&'a str> {
        field
            .strip_prefix(self.at.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
    }
}

fn document(source: &str) -> Result<DocumentMut, FieldError> {
    source.parse::<DocumentMut>().map_err(|e| FieldError {
        field: "document".into(),
        message: format!(
            "the record in force is not valid TOML ({}): change it as text",
            e.message().trim()
        ),
    })
}

fn missing(field: &str, message: String) -> FieldError {
    FieldError {
        field: field.into(),
        message,
    }
}

/// The tables of the array `name` in `table`, however the record writes them.
fn tables_mut<'a>(table: &'a mut Table, name: &str) -> Vec<&'a mut Table> {
    match table.get_mut(name) {
        Some(Item::ArrayOfTables(array)) => array.iter_mut().collect(),
        _ => Vec::new(),
    }
}

/// The indent of `table`'s first key, as written.
fn indent_of(table: &Table) -> String {
    table
        .iter()
        .next()
        .and_then(|(key, _)| table.key(key))
        .and_then(|k| k.leaf_decor().prefix())
        .and_then(|p| p.as_str())
        .unwrap_or("")
        .to_owned()
}

/// Sets `key` in `table`; a key not there before is indented as the table's others.
fn set_indented(table: &mut Table, key: &str, item: Item) {
    let indent = indent_of(table);
    let new = !table.contains_key(key);
    table[key] = item;
    if let (true, Some(mut k)) = (new, table.key_mut(key)) {
        k.leaf_decor_mut().set_prefix(indent);
    }
}

/// Indents `line`'s keys and header as `like` is indented, so the new line reads as the
/// record's own.
fn dress_like(line: &mut Table, like: &Table) {
    if let Some(prefix) = like.decor().prefix().and_then(|p| p.as_str()) {
        line.decor_mut().set_prefix(prefix.to_owned());
    }
    let indent = indent_of(like);
    let keys: Vec<String> = line.iter().map(|(k, _)| k.to_owned()).collect();
    for key in keys {
        if let Some(mut k) = line.key_mut(&key) {
            k.leaf_decor_mut().set_prefix(indent.clone());
        }
    }
}

/// Adds `line` to agreement `agreement` (by key), after its last contribution line.
pub fn add_contribution(
    source: &str,
    agreement: &str,
    line: &NewContribution,
) -> Result<Edited, FieldError> {
    let mut doc = document(source)?;
    let Some(Item::ArrayOfTables(agreements)) = doc.get_mut("agreement") else {
        return Err(missing(
            "agreement",
            format!("the record has no agreement {agreement:?}"),
        ));
    };
    let Some((i, table)) = agreements
        .iter_mut()
        .enumerate()
        .find(|(_, t)| t.get("key").and_then(Item::as_str) == Some(agreement))
    else {
        return Err(missing(
            "agreement",
            format!("the record has no agreement {agreement:?}"),
        ));
    };
    let mut new = Table::new();
    new["partner"] = value(line.partner.as_str());
    new["year"] = value(line.year.as_str());
    new["amount"] = number_item(line.amount);
    new["from"] = value(line.from.as_str());
    new["reason"] = value(line.reason.trim());
    let contributions = table
        .entry("contribution")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    let Some(contributions) = contributions.as_array_of_tables_mut() else {
        return Err(missing(
            &format!("agreement[{i}].contribution"),
            "the agreement's contributions are not written as [[agreement.contribution]] lines: change the record as text".into(),
        ));
    };
    if let Some(last) = contributions.iter().last() {
        dress_like(&mut new, last);
    }
    contributions.push(new);
    let j = contributions.len() - 1;
    Ok(Edited {
        source: doc.to_string(),
        at: format!("agreement[{i}].contribution[{j}]"),
    })
}

/// Sets contract `contract`'s (by key) annual value for `year` (`2026/27`) to `pounds`: the
/// year's `[[contract.value]]` line is changed, or a line is added after the last one when
/// the year has none. The `at` path is the line's, so its `year` and `amount` problems come
/// back under those fields.
pub fn set_contract_value(
    source: &str,
    contract: &str,
    year: &str,
    pounds: f64,
) -> Result<Edited, FieldError> {
    let mut doc = document(source)?;
    let (i, table) = contract_mut(&mut doc, contract)?;
    let values = table
        .entry("value")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    let Some(values) = values.as_array_of_tables_mut() else {
        return Err(missing(
            &format!("contract[{i}].value"),
            "the contract's values are not written as [[contract.value]] lines: change the record as text".into(),
        ));
    };
    let existing = values
        .iter()
        .position(|t| t.get("year").and_then(Item::as_str) == Some(year));
    let j = match existing {
        Some(j) => {
            if let Some(line) = values.get_mut(j) {
                line["amount"] = number_item(pounds);
            }
            j
        }
        None => {
            let mut new = Table::new();
            new["year"] = value(year);
            new["amount"] = number_item(pounds);
            if let Some(last) = values.iter().last() {
                dress_like(&mut new, last);
            }
            values.push(new);
            values.len() - 1
        }
    };
    Ok(Edited {
        source: doc.to_string(),
        at: format!("contract[{i}].value[{j}]"),
    })
}

/// Sets KPI `kpi` (from 0) of contract `contract` (by key): its threshold and its amber
/// margin (`None` removes the margin written, leaving the record's default).
pub fn set_kpi_terms(
    source: &str,
    contract: &str,
    kpi: usize,
    threshold: f64,
    amber: Option<f64>,
) -> Result<Edited, FieldError> {
    let mut doc = document(source)?;
    let (i, table) = contract_mut(&mut doc, contract)?;
    let Some(line) = tables_mut(table, "kpi").into_iter().nth(kpi) else {
        return Err(missing(
            "kpi",
            format!("the contract {contract:?} has no KPI {}", kpi + 1),
        ));
    };
    line["threshold"] = number_item(threshold);
    match amber {
        Some(margin) => set_indented(line, "amber", number_item(margin)),
        None => {
            line.remove("amber");
        }
    }
    Ok(Edited {
        source: doc.to_string(),
        at: format!("contract[{i}].kpi[{kpi}]"),
    })
}

/// Contract `key` and its index among the record's contracts.
fn contract_mut<'a>(
    doc: &'a mut DocumentMut,
    key: &str,
) -> Result<(usize, &'a mut Table), FieldError> {
    tables_mut(doc.as_table_mut(), "contract")
        .into_iter()
        .enumerate()
        .find(|(_, t)| t.get("key").and_then(Item::as_str) == Some(key))
        .ok_or_else(|| missing("contract", format!("the record has no contract {key:?}")))
}

/// A number as the record writes it: whole numbers (pounds, days) as integers, others (pence,
/// per cent) as decimals.
fn number_item(number: f64) -> Item {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        value(number as i64)
    } else {
        value(number)
    }
}

/// The Transformation Plan for `year` (`2026/27`) and its index among the record's plans.
fn plan_mut<'a>(
    doc: &'a mut DocumentMut,
    year: &str,
) -> Result<(usize, &'a mut Table), FieldError> {
    tables_mut(doc.as_table_mut(), "transformation_plan")
        .into_iter()
        .enumerate()
        .find(|(_, t)| t.get("year").and_then(Item::as_str) == Some(year))
        .ok_or_else(|| {
            missing(
                "transformation_plan",
                format!("the record has no Transformation Plan for {year}"),
            )
        })
}

/// Sets the status and evidence of milestone `action` (counted from 0) of the plan for
/// `year` (`2026/27`).
pub fn update_milestone(
    source: &str,
    year: &str,
    action: usize,
    update: &MilestoneUpdate,
) -> Result<Edited, FieldError> {
    let mut doc = document(source)?;
    let (p, plan) = plan_mut(&mut doc, year)?;
    let Some(table) = tables_mut(plan, "action").into_iter().nth(action) else {
        return Err(missing(
            "action",
            format!("the {year} plan has no milestone {}", action + 1),
        ));
    };
    table["status"] = value(update.status.code());
    match update.evidence.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => set_indented(table, "evidence", value(text)),
        _ => {
            table.remove("evidence");
        }
    }
    Ok(Edited {
        source: doc.to_string(),
        at: format!("transformation_plan[{p}].action[{action}]"),
    })
}

/// Sets the whole-time equivalents of staff line `line` (from 0) of declaration
/// `declaration` (from 0) in the plan for `year` (`2026/27`).
pub fn set_staff_wte(
    source: &str,
    year: &str,
    declaration: usize,
    line: usize,
    wte: f64,
) -> Result<Edited, FieldError> {
    let mut doc = document(source)?;
    let (p, plan) = plan_mut(&mut doc, year)?;
    let Some(table) = tables_mut(plan, "declaration")
        .into_iter()
        .nth(declaration)
        .and_then(|d| tables_mut(d, "staff").into_iter().nth(line))
    else {
        return Err(missing(
            "staff",
            format!(
                "the {year} plan has no staff line {} in declaration {}",
                line + 1,
                declaration + 1
            ),
        ));
    };
    table["wte"] = value(wte);
    Ok(Edited {
        source: doc.to_string(),
        at: format!("transformation_plan[{p}].declaration[{declaration}].staff[{line}]"),
    })
}

#[cfg(test)]
mod tests;
