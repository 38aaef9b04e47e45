//! [`CommissioningDocument::check`]: every entry checked and every reference resolved, each
//! problem under its field's path.

use std::collections::HashMap;

use jiff::civil::Date;

use super::super::money::Money;
use super::super::statement::Kpi;
use super::super::year::FinancialYear;
use super::*;
use crate::{ServiceId, ValidationErrors};

mod plans;

fn parse_date(text: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| format!("{text:?} is not a date: write it as YYYY-MM-DD"))
}

fn check_key(errors: &mut ValidationErrors, field: &str, key: &str) {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        errors.add(
            field,
            format!("{key:?} is not a key: use 1 to 64 lower-case letters, digits, - or _"),
        );
    }
}

fn check_text(errors: &mut ValidationErrors, field: &str, text: &str) {
    if text.trim().is_empty() {
        errors.add(field, "is empty: write a name");
    } else if text.chars().count() > MAX_TEXT {
        errors.add(field, format!("is longer than {MAX_TEXT} characters"));
    }
}

fn check_count(errors: &mut ValidationErrors, field: &str, n: usize) {
    if n > MAX_ENTRIES {
        errors.add(
            field,
            format!("has {n} entries; at most {MAX_ENTRIES} are accepted"),
        );
    }
}

impl CommissioningDocument {
    /// Checks every entry, resolving service references with `service` (a name or an id to
    /// the directory's id, or what is wrong). Every problem is returned at once, under its
    /// field's path.
    pub fn check(
        &self,
        service: &dyn Fn(&str) -> Result<ServiceId, String>,
    ) -> Result<Commissioning, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_count(&mut errors, "party", self.parties.len());
        check_count(&mut errors, "agreement", self.agreements.len());
        check_count(&mut errors, "contract", self.contracts.len());

        let mut party_index: HashMap<&str, usize> = HashMap::new();
        let mut parties = Vec::with_capacity(self.parties.len());
        for (i, p) in self.parties.iter().enumerate() {
            let at = format!("party[{i}]");
            check_key(&mut errors, &format!("{at}.key"), &p.key);
            check_text(&mut errors, &format!("{at}.name"), &p.name);
            if p.roles.is_empty() {
                errors.add(format!("{at}.roles"), "name commissioner, provider or both");
            }
            if party_index.insert(p.key.as_str(), i).is_some() {
                errors.add(
                    format!("{at}.key"),
                    format!("{:?} is used by another party", p.key),
                );
            }
            parties.push(Party {
                key: p.key.clone(),
                name: p.name.trim().to_owned(),
                kind: p.kind,
                commissioner: p.roles.contains(&PartyRole::Commissioner),
                provider: p.roles.contains(&PartyRole::Provider),
            });
        }
        let party = |errors: &mut ValidationErrors, field: String, key: &str, want: PartyRole| {
            match party_index.get(key) {
                None => {
                    errors.add(
                        field,
                        format!("{key:?} is not a party: add it under [[party]]"),
                    );
                    None
                }
                Some(&i) => {
                    let p = &parties[i];
                    let has = match want {
                        PartyRole::Commissioner => p.commissioner,
                        PartyRole::Provider => p.provider,
                    };
                    if !has {
                        let role = match want {
                            PartyRole::Commissioner => "commissioner",
                            PartyRole::Provider => "provider",
                        };
                        errors.add(
                            field,
                            format!("{key:?} is not a {role}: add {role:?} to its roles"),
                        );
                    }
                    Some(i)
                }
            }
        };

        let mut agreement_index: HashMap<&str, usize> = HashMap::new();
        let mut agreements = Vec::with_capacity(self.agreements.len());
        for (i, a) in self.agreements.iter().enumerate() {
            let at = format!("agreement[{i}]");
            check_key(&mut errors, &format!("{at}.key"), &a.key);
            check_text(&mut errors, &format!("{at}.name"), &a.name);
            if agreement_index.insert(a.key.as_str(), i).is_some() {
                errors.add(
                    format!("{at}.key"),
                    format!("{:?} is used by another agreement", a.key),
                );
            }
            let lead = party(
                &mut errors,
                format!("{at}.lead"),
                &a.lead,
                PartyRole::Commissioner,
            );
            for (j, o) in a.outcomes.iter().enumerate() {
                check_text(&mut errors, &format!("{at}.outcomes[{j}]"), o);
            }
            check_count(
                &mut errors,
                &format!("{at}.contribution"),
                a.contributions.len(),
            );
            let mut contributions = Vec::new();
            for (j, c) in a.contributions.iter().enumerate() {
                let cat = format!("{at}.contribution[{j}]");
                let partner = party(
                    &mut errors,
                    format!("{cat}.partner"),
                    &c.partner,
                    PartyRole::Commissioner,
                );
                let year = errors.check(&format!("{cat}.year"), FinancialYear::parse(&c.year));
                let amount = errors.check(&format!("{cat}.amount"), Money::from_pounds(c.amount));
                let from = match (&c.from, year) {
                    (None, Some(year)) => Some(year.first_day()),
                    (None, None) => None,
                    (Some(text), year) => {
                        let day = errors.check(&format!("{cat}.from"), parse_date(text));
                        if let (Some(day), Some(year)) = (day, year) {
                            if FinancialYear::of(day) != year {
                                errors.add(
                                    format!("{cat}.from"),
                                    format!("{day} is not in {year}: a variation takes effect within its year"),
                                );
                            }
                        }
                        day
                    }
                };
                if let Some(reason) = &c.reason {
                    check_text(&mut errors, &format!("{cat}.reason"), reason);
                }
                if let (Some(partner), Some(year), Some(amount), Some(from)) =
                    (partner, year, amount, from)
                {
                    let duplicate = contributions.iter().any(|d: &Contribution| {
                        d.partner == partner && d.year == year && d.from == from
                    });
                    if duplicate {
                        errors.add(
                            format!("{cat}.from"),
                            "another line for this partner and year takes effect the same day: give a variation its own `from` day",
                        );
                    } else if from != year.first_day() && c.reason.is_none() {
                        errors.add(
                            format!("{cat}.reason"),
                            "a variation during the year needs a reason",
                        );
                    }
                    contributions.push(Contribution {
                        partner,
                        year,
                        amount,
                        from,
                        reason: c.reason.clone(),
                    });
                }
            }
            contributions.sort_by_key(|c| (c.partner, c.year, c.from));
            if let Some(lead) = lead {
                agreements.push(Agreement {
                    key: a.key.clone(),
                    name: a.name.trim().to_owned(),
                    kind: a.kind,
                    lead,
                    outcomes: a.outcomes.clone(),
                    contributions,
                });
            }
        }

        let years = |errors: &mut ValidationErrors, at: &str, values: &[YearValueDoc]| {
            let mut out: Vec<YearValue> = Vec::new();
            for (j, v) in values.iter().enumerate() {
                let vat = format!("{at}.value[{j}]");
                let year = errors.check(&format!("{vat}.year"), FinancialYear::parse(&v.year));
                let amount = errors.check(&format!("{vat}.amount"), Money::from_pounds(v.amount));
                if let (Some(year), Some(amount)) = (year, amount) {
                    if out.iter().any(|o| o.year == year) {
                        errors.add(
                            format!("{vat}.year"),
                            format!("{year} has another value line"),
                        );
                    }
                    out.push(YearValue { year, amount });
                }
            }
            out.sort_by_key(|v| v.year);
            out
        };

        let mut contract_keys: HashMap<&str, usize> = HashMap::new();
        let mut contracts = Vec::with_capacity(self.contracts.len());
        for (i, c) in self.contracts.iter().enumerate() {
            let at = format!("contract[{i}]");
            check_key(&mut errors, &format!("{at}.key"), &c.key);
            check_text(&mut errors, &format!("{at}.name"), &c.name);
            if contract_keys.insert(c.key.as_str(), i).is_some() {
                errors.add(
                    format!("{at}.key"),
                    format!("{:?} is used by another contract", c.key),
                );
            }
            let provider = party(
                &mut errors,
                format!("{at}.provider"),
                &c.provider,
                PartyRole::Provider,
            );
            let agreement = c.agreement.as_deref().and_then(|key| {
                let found = agreement_index.get(key).copied();
                if found.is_none() {
                    errors.add(
                        format!("{at}.agreement"),
                        format!("{key:?} is not an agreement"),
                    );
                }
                found
            });
            let funder = c.funder.as_deref().and_then(|key| {
                party(
                    &mut errors,
                    format!("{at}.funder"),
                    key,
                    PartyRole::Commissioner,
                )
            });
            match (&c.agreement, &c.funder) {
                (None, None) => errors.add(
                    format!("{at}.funder"),
                    "name who pays: an agreement it is funded from, or a funder",
                ),
                (Some(_), Some(_)) => errors.add(
                    format!("{at}.funder"),
                    "name an agreement or a funder, not both (an agreement's partners share the cost)",
                ),
                _ => {}
            }
            let start = errors.check(&format!("{at}.start"), parse_date(&c.start));
            let end = errors.check(&format!("{at}.end"), parse_date(&c.end));
            if let (Some(start), Some(end)) = (start, end) {
                if end < start {
                    errors.add(
                        format!("{at}.end"),
                        format!("{end} is before the start, {start}"),
                    );
                }
            }
            if c.services.is_empty() {
                errors.add(
                    format!("{at}.services"),
                    "name at least one service from the directory",
                );
            }
            let mut services = Vec::new();
            for (j, s) in c.services.iter().enumerate() {
                if let Some(id) = errors.check(&format!("{at}.services[{j}]"), service(s)) {
                    if services.contains(&id) {
                        errors.add(
                            format!("{at}.services[{j}]"),
                            format!("{s:?} is named twice"),
                        );
                    }
                    services.push(id);
                }
            }
            if c.payment.capped.is_some() && c.payment.kind != PaymentKind::Activity {
                errors.add(
                    format!("{at}.payment.capped"),
                    "`capped` belongs to an activity payment only: a block or grant is paid its value",
                );
            }
            let capped = c.payment.capped.unwrap_or(false);
            let payment = match (c.payment.kind, c.payment.per, c.payment.price) {
                (PaymentKind::Block, None, None) => Some(Payment::Block),
                (PaymentKind::Grant, None, None) => Some(Payment::Grant),
                (PaymentKind::Activity, Some(per), Some(price)) => errors
                    .check(&format!("{at}.payment.price"), Money::from_pounds(price))
                    .map(|price| Payment::Activity { per, price, capped }),
                (PaymentKind::Activity, per, price) => {
                    if per.is_none() {
                        errors.add(
                            format!("{at}.payment.per"),
                            "an activity payment names its unit: contact or episode",
                        );
                    }
                    if price.is_none() {
                        errors.add(
                            format!("{at}.payment.price"),
                            "an activity payment names its price in pounds",
                        );
                    }
                    None
                }
                (_, _, _) => {
                    errors.add(
                        format!("{at}.payment"),
                        "`per` and `price` belong to an activity payment only",
                    );
                    None
                }
            };
            let incentive = c.incentive.as_ref().and_then(|inc| {
                check_text(&mut errors, &format!("{at}.incentive.name"), &inc.name);
                if !(0.0..=0.2).contains(&inc.share) {
                    errors.add(
                        format!("{at}.incentive.share"),
                        format!(
                            "{} is not a share from 0 to 0.2 of the value (CQUIN 1.25 % is 0.0125)",
                            inc.share
                        ),
                    );
                    None
                } else {
                    Some((inc.name.trim().to_owned(), inc.share))
                }
            });
            let values = years(&mut errors, &at, &c.values);
            if let (Some(start), Some(end), Some(true)) = (start, end, c.payment.capped) {
                // A ceiling with no value for a year would pay nothing that year.
                let mut year = FinancialYear::of(start);
                while year.first_day() <= end {
                    if !values.iter().any(|v| v.year == year) {
                        errors.add(
                            format!("{at}.value"),
                            format!("a capped activity contract names its value for every year of its term: {year} has none"),
                        );
                    }
                    year = year.next();
                }
            }
            if let (Some(start), Some(end)) = (start, end) {
                for v in &values {
                    if v.year.end() <= start || v.year.first_day() > end {
                        errors.add(
                            format!("{at}.value"),
                            format!("{} is outside the term, {start} to {end}", v.year),
                        );
                    }
                }
            }
            let mut elements = Vec::new();
            for (j, e) in c.elements.iter().enumerate() {
                let eat = format!("{at}.element[{j}]");
                check_key(&mut errors, &format!("{eat}.key"), &e.key);
                check_text(&mut errors, &format!("{eat}.name"), &e.name);
                let funder = party(
                    &mut errors,
                    format!("{eat}.funder"),
                    &e.funder,
                    PartyRole::Commissioner,
                );
                let mut own = Vec::new();
                for (k, s) in e.services.iter().enumerate() {
                    if let Some(id) = errors.check(&format!("{eat}.services[{k}]"), service(s)) {
                        if !services.contains(&id) {
                            errors.add(
                                format!("{eat}.services[{k}]"),
                                format!("{s:?} is not one of the contract's services"),
                            );
                        }
                        own.push(id);
                    }
                }
                if e.services.is_empty() {
                    errors.add(
                        format!("{eat}.services"),
                        "name the services that deliver it",
                    );
                }
                let values = years(&mut errors, &eat, &e.values);
                if let Some(funder) = funder {
                    elements.push(Element {
                        key: e.key.clone(),
                        name: e.name.trim().to_owned(),
                        funder,
                        services: own,
                        values,
                    });
                }
            }
            let kpis = kpi_terms(&mut errors, &at, &c.kpis);
            if let (Some(provider), Some(start), Some(end), Some(payment)) =
                (provider, start, end, payment)
            {
                contracts.push(Contract {
                    key: c.key.clone(),
                    name: c.name.trim().to_owned(),
                    provider,
                    agreement,
                    funder,
                    start,
                    end,
                    services,
                    payment,
                    incentive,
                    values,
                    elements,
                    kpis,
                });
            }
        }
        let system_kpis = kpi_terms(&mut errors, "", &self.kpis);
        check_count(&mut errors, "transformation_plan", self.plans.len());
        let plans = plans::plans(&mut errors, &self.plans, &party, service);
        if !errors.0.is_empty() {
            return Err(errors);
        }
        Ok(Commissioning {
            system_kpis,
            parties,
            agreements,
            contracts,
            plans,
        })
    }
}

/// Finds a party by key, checking it has a role (adding the problem under `field`).
type PartyLookup<'a> = dyn Fn(&mut ValidationErrors, String, &str, PartyRole) -> Option<usize> + 'a;

/// Checks KPI terms written under `at` (`contract[2]`, or "" for the whole system's).
fn kpi_terms(errors: &mut ValidationErrors, at: &str, written: &[KpiTermDoc]) -> Vec<KpiTerm> {
    let mut kpis: Vec<KpiTerm> = Vec::new();
    for (j, k) in written.iter().enumerate() {
        let kat = if at.is_empty() {
            format!("kpi[{j}]")
        } else {
            format!("{at}.kpi[{j}]")
        };
        let Some(kpi) = errors.check(&format!("{kat}.kpi"), Kpi::parse(&k.kpi)) else {
            continue;
        };
        let (low, high) = kpi.range();
        if !k.threshold.is_finite() || k.threshold < low || k.threshold > high {
            errors.add(
                format!("{kat}.threshold"),
                format!("{} is outside {low} to {high} {}", k.threshold, kpi.unit()),
            );
        }
        let amber = k.amber.unwrap_or(5.0);
        if !amber.is_finite() || !(0.0..=high).contains(&amber) {
            errors.add(
                format!("{kat}.amber"),
                format!("{amber} is not a margin from 0 to {high}"),
            );
        }
        if kpis.iter().any(|t| t.kpi == kpi) {
            errors.add(format!("{kat}.kpi"), format!("{:?} is listed twice", k.kpi));
        }
        kpis.push(KpiTerm {
            kpi,
            threshold: k.threshold,
            amber,
            frequency: k.frequency,
        });
    }
    kpis
}
