//! Checking the annual Transformation Plans (`[[transformation_plan]]`): each problem under
//! its field's path, as the rest of the record.

use super::super::super::transformation::{
    Action, Declaration, MilestoneStatus, Principle, Staff, TransformationPlan,
    TransformationPlanDoc, MAX_WTE,
};
use super::super::super::year::FinancialYear;
use super::super::{PartyRole, MAX_TEXT};
use super::{check_count, check_text, parse_date, PartyLookup};
use crate::{ServiceId, ValidationErrors};

/// Checks the Transformation Plans.
pub(super) fn plans(
    errors: &mut ValidationErrors,
    written: &[TransformationPlanDoc],
    party: &PartyLookup<'_>,
    service: &dyn Fn(&str) -> Result<ServiceId, String>,
) -> Vec<TransformationPlan> {
    let mut out: Vec<TransformationPlan> = Vec::new();
    for (i, p) in written.iter().enumerate() {
        let at = format!("transformation_plan[{i}]");
        let year = errors.check(&format!("{at}.year"), FinancialYear::parse(&p.year));
        if let Some(year) = year {
            if out.iter().any(|o| o.year == year) {
                errors.add(
                    format!("{at}.year"),
                    format!("{year} has another plan: one plan per year"),
                );
            }
        }
        check_text(errors, &format!("{at}.title"), &p.title);
        if let Some(summary) = &p.summary {
            if summary.chars().count() > MAX_TEXT * 10 {
                errors.add(
                    format!("{at}.summary"),
                    format!("is longer than {} characters", MAX_TEXT * 10),
                );
            }
        }
        check_count(errors, &format!("{at}.principle"), p.principles.len());
        check_count(errors, &format!("{at}.declaration"), p.declarations.len());
        check_count(errors, &format!("{at}.action"), p.actions.len());
        let mut principles = Vec::new();
        for (j, pr) in p.principles.iter().enumerate() {
            let pat = format!("{at}.principle[{j}]");
            check_text(errors, &format!("{pat}.text"), &pr.text);
            let mut signed_by = Vec::new();
            for (k, key) in pr.signed_by.iter().enumerate() {
                // Commissioners and providers both sign.
                let field = format!("{pat}.signed_by[{k}]");
                let role = PartyRole::Commissioner;
                let mut scratch = ValidationErrors::new();
                match party(&mut scratch, field.clone(), key, role) {
                    Some(index) => {
                        if signed_by.contains(&index) {
                            errors.add(field, format!("{key:?} is listed twice"));
                        }
                        signed_by.push(index);
                    }
                    None => errors.add(
                        field,
                        format!("{key:?} is not a party: add it under [[party]]"),
                    ),
                }
            }
            let signed_on = pr
                .signed_on
                .as_deref()
                .and_then(|d| errors.check(&format!("{pat}.signed_on"), parse_date(d)));
            principles.push(Principle {
                text: pr.text.trim().to_owned(),
                signed_by,
                signed_on,
            });
        }
        let mut declarations: Vec<Declaration> = Vec::new();
        for (j, d) in p.declarations.iter().enumerate() {
            let dat = format!("{at}.declaration[{j}]");
            let provider = party(
                errors,
                format!("{dat}.provider"),
                &d.provider,
                PartyRole::Provider,
            );
            if let Some(provider) = provider {
                if declarations.iter().any(|o| o.provider == provider) {
                    errors.add(
                        format!("{dat}.provider"),
                        format!(
                            "{:?} has another declaration this year: one per provider",
                            d.provider
                        ),
                    );
                }
            }
            check_count(errors, &format!("{dat}.staff"), d.staff.len());
            let mut staff = Vec::new();
            for (k, s) in d.staff.iter().enumerate() {
                let sat = format!("{dat}.staff[{k}]");
                let id = errors.check(&format!("{sat}.service"), service(&s.service));
                check_text(errors, &format!("{sat}.role"), &s.role);
                if let Some(skill) = &s.skill {
                    check_text(errors, &format!("{sat}.skill"), skill);
                }
                if !s.wte.is_finite() || s.wte <= 0.0 || s.wte > MAX_WTE {
                    errors.add(
                        format!("{sat}.wte"),
                        format!("{} is not a whole-time equivalent: write more than 0 and at most {MAX_WTE}", s.wte),
                    );
                }
                if let Some(service) = id {
                    staff.push(Staff {
                        service,
                        service_name: s.service.trim().to_owned(),
                        role: s.role.trim().to_owned(),
                        skill: s.skill.as_ref().map(|t| t.trim().to_owned()),
                        wte: s.wte,
                        clinical: s.clinical.unwrap_or(true),
                    });
                }
            }
            if let Some(provider) = provider {
                declarations.push(Declaration { provider, staff });
            }
        }
        let mut actions = Vec::new();
        for (j, a) in p.actions.iter().enumerate() {
            let aat = format!("{at}.action[{j}]");
            check_text(errors, &format!("{aat}.action"), &a.action);
            let mut scratch = ValidationErrors::new();
            let owner = party(
                &mut scratch,
                format!("{aat}.owner"),
                &a.owner,
                PartyRole::Commissioner,
            );
            if owner.is_none() {
                errors.add(
                    format!("{aat}.owner"),
                    format!("{:?} is not a party: add it under [[party]]", a.owner),
                );
            }
            let due = errors.check(&format!("{aat}.due"), parse_date(&a.due));
            let evidence = a
                .evidence
                .as_ref()
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty());
            if let Some(e) = &evidence {
                check_text(errors, &format!("{aat}.evidence"), e);
            } else if a.status == MilestoneStatus::Done {
                errors.add(
                    format!("{aat}.evidence"),
                    "a done milestone needs its evidence: say what shows it is done",
                );
            }
            if let (Some(owner), Some(due)) = (owner, due) {
                actions.push(Action {
                    action: a.action.trim().to_owned(),
                    owner,
                    due,
                    status: a.status,
                    evidence,
                });
            }
        }
        if let Some(year) = year {
            out.push(TransformationPlan {
                year,
                title: p.title.trim().to_owned(),
                summary: p.summary.as_ref().map(|t| t.trim().to_owned()),
                principles,
                declarations,
                actions,
            });
        }
    }
    out
}
