//! What the need page publishes: the one definition of every need and equality figure.
//!
//! [`NeedCounts`] holds the record's **exact** counts, one referral at a time through
//! [`NeedCounts::count`] (the store reads the rows; the rules are here). [`NeedReport::build`]
//! publishes them against the population and the prevalence rates: every count through the
//! small-number rule with secondary suppression ([`super::protect`]), every rate and share
//! from the **published** counts (so it reveals nothing they do not), each with its 95 %
//! confidence interval ([`super::stats`]).
//!
//! Definitions:
//! - *Referrals*: requests received in the period (the dashboard's "received"); *seen*: of
//!   them, those with at least one allocation whose first contact was attended (the
//!   dashboard's uptake "seen"). A young person referred twice counts twice.
//! - *Area*: the district of the young person's postcode now; *age band*: their age in whole
//!   years on the day the request was received.
//! - *Expected need*: the district's population (0–25) in each band × the band's prevalence.
//! - *Referral rate* and *access rate*: referrals and seen per 10,000 of the population, with
//!   Byar's interval.
//! - *Uptake ratio*: a group's share of the referrals (of those with the characteristic
//!   recorded) over its share of the population, with the Wilson interval of the share of
//!   referrals (the population share taken as exact); 1 means uptake in proportion.

use std::collections::BTreeMap;

use serde::Serialize;

mod facts;

pub use facts::AboutFacts;
use facts::{DISABILITY_ANSWERED, GROUPS_ANSWERED, SEX_ANSWERED};

use super::stats::{rate, wilson, Interval};
use super::{AgeBand, Area, Population, Prevalence, Sex, POPULATION_ETHNICITIES};
use crate::about::{EthnicityGroup, GenderGroup, UptakeGroup};
use crate::disclosure::protect::{protect, ProtectedTable, Shown};
use crate::disclosure::Suppression;

/// Per 10,000.
pub const PER: f64 = 10_000.0;

/// Received and seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counted {
    /// Referrals received.
    pub received: u64,
    /// Of those, seen.
    pub seen: u64,
}

impl Counted {
    fn add(&mut self, seen: bool, referrals: u64) {
        self.received += referrals;
        if seen {
            self.seen += referrals;
        }
    }
}

/// How many referrals have each field recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Completeness {
    /// Referrals counted.
    pub referrals: u64,
    /// With an ethnic category (not "not known"; "prefer not to say" is an answer).
    pub ethnicity: u64,
    /// With sex registered at birth answered.
    pub sex: u64,
    /// With the gender question answered.
    pub gender: u64,
    /// With a postcode.
    pub postcode: u64,
    /// With a postcode in a district of the population table.
    pub area_known: u64,
    /// With an age of 0 to 25 from the date of birth.
    pub age: u64,
    /// With the disability question answered.
    pub disability: u64,
    /// With at least one of the named-group questions answered.
    pub groups: u64,
}

/// One referral as counted.
#[derive(Debug, Clone, Copy)]
pub struct ReferralFacts<'a> {
    /// The young person's postcode district, if they have a postcode.
    pub area: Option<&'a Area>,
    /// Age in whole years when received.
    pub age: Option<i16>,
    /// What the young person's "about" record says (of an empty one: nothing asked).
    pub about: AboutFacts,
    /// Seen (a first attended contact at a service it was allocated to).
    pub seen: bool,
}

/// The record's exact counts for one period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedCounts {
    /// By district (`None`: no postcode) and age band (`None`: no age of 0–25).
    pub by_area_band: BTreeMap<(Option<Area>, Option<AgeBand>), Counted>,
    /// By sex registered at birth (`None`: not recorded or not said).
    pub by_sex: BTreeMap<Option<Sex>, Counted>,
    /// By uptake group, one per [`UptakeGroup::ALL`] (the dashboard's groups).
    pub by_group: Vec<Counted>,
    /// Fields recorded.
    pub completeness: Completeness,
}

impl NeedCounts {
    /// Empty counts.
    pub fn new() -> NeedCounts {
        NeedCounts {
            by_group: vec![Counted::default(); UptakeGroup::ALL.len()],
            ..NeedCounts::default()
        }
    }

    /// Counts one referral; `in_population` says whether a district is in the table.
    pub fn count(&mut self, facts: ReferralFacts<'_>, in_population: impl Fn(&Area) -> bool) {
        self.count_alike(facts, 1, in_population);
    }

    /// Counts `referrals` referrals with the same facts at once: what as many calls of
    /// [`NeedCounts::count`] count.
    pub fn count_alike(
        &mut self,
        facts: ReferralFacts<'_>,
        referrals: u64,
        in_population: impl Fn(&Area) -> bool,
    ) {
        if self.by_group.len() != UptakeGroup::ALL.len() {
            self.by_group = vec![Counted::default(); UptakeGroup::ALL.len()];
        }
        let band = facts.age.and_then(AgeBand::of);
        self.by_area_band
            .entry((facts.area.cloned(), band))
            .or_default()
            .add(facts.seen, referrals);
        let about = facts.about;
        self.by_sex
            .entry(about.sex())
            .or_default()
            .add(facts.seen, referrals);
        for (i, group) in self.by_group.iter_mut().enumerate() {
            if about.uptake_mask() & (1 << i) != 0 {
                group.add(facts.seen, referrals);
            }
        }
        let c = &mut self.completeness;
        c.referrals += referrals;
        c.ethnicity += referrals
            * u64::from(!about.in_group(UptakeGroup::Ethnicity(EthnicityGroup::NotRecorded)));
        c.sex += referrals * u64::from(about.has(SEX_ANSWERED));
        c.gender +=
            referrals * u64::from(!about.in_group(UptakeGroup::Gender(GenderGroup::NotRecorded)));
        c.postcode += referrals * u64::from(facts.area.is_some());
        c.area_known += referrals * u64::from(facts.area.is_some_and(&in_population));
        c.age += referrals * u64::from(band.is_some());
        c.disability += referrals * u64::from(about.has(DISABILITY_ANSWERED));
        c.groups += referrals * u64::from(about.has(GROUPS_ANSWERED));
    }
}

/// One district's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRow {
    /// The district, or "Other or not known" (no postcode, or outside the table).
    pub area: String,
    /// Its deprivation decile.
    pub decile: Option<u8>,
    /// 0–25s living there.
    pub population: u64,
    /// Expected need (population × prevalence, by band), to the nearest 5.
    pub expected_need: Option<u64>,
    /// Referrals received (protected).
    pub referrals: Shown,
    /// Of them seen (protected).
    pub seen: Shown,
    /// Referrals per 10,000.
    pub referral_rate: Option<Interval>,
    /// Seen per 10,000.
    pub access_rate: Option<Interval>,
    /// Seen as a percentage of expected need.
    pub seen_of_expected: Option<u64>,
}

/// One age band's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandRow {
    /// The band (`8-16`).
    pub age_band: &'static str,
    /// 0–25s in the band, in the table.
    pub population: u64,
    /// The prevalence used, 0 to 1.
    pub prevalence: Option<f64>,
    /// Its source.
    pub source: String,
    /// Expected need, to the nearest 5.
    pub expected_need: Option<u64>,
    /// Referrals (protected; districts outside the table included).
    pub referrals: Shown,
    /// Seen (protected).
    pub seen: Shown,
    /// Referrals per 10,000 (from the referrals of districts in the table).
    pub referral_rate: Option<Interval>,
    /// Seen as a percentage of expected need.
    pub seen_of_expected: Option<u64>,
}

/// One group's uptake.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EqualityRow {
    /// What is compared: `ethnicity`, `sex`, `deprivation`, `group`.
    pub kind: &'static str,
    /// The key (`asian`, `female`, `decile_1`, `looked_after`).
    pub key: String,
    /// The label shown.
    pub label: String,
    /// Referrals in the group.
    pub referrals: Shown,
    /// Seen in the group.
    pub seen: Shown,
    /// Its share of the referrals (with the characteristic recorded), with its interval.
    pub share_of_referrals: Option<Interval>,
    /// Its share of the population.
    pub share_of_population: Option<f64>,
    /// Where the population share comes from.
    pub population_source: String,
    /// Uptake ratio with its interval.
    pub ratio: Option<Interval>,
}

/// One field's completeness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletenessRow {
    /// The field's key.
    pub field: &'static str,
    /// The label shown.
    pub label: &'static str,
    /// Referrals with it recorded.
    pub recorded: Shown,
    /// Referrals counted.
    pub referrals: Shown,
    /// Percentage recorded, from the published counts.
    pub percent: Option<u64>,
}

/// Everything the need page, its CSV and the API publish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedReport {
    /// 0–25s in the population table.
    pub population: u64,
    /// Expected need over the whole table, to the nearest 5.
    pub expected_need: Option<u64>,
    /// Referrals by district (rows, districts in the table then "Other or not known") and age
    /// band (columns, [`AgeBand::ALL`]), protected with their margins.
    pub referrals_by_area_band: ProtectedTable,
    /// The same for those seen.
    pub seen_by_area_band: ProtectedTable,
    /// By district.
    pub areas: Vec<AreaRow>,
    /// By age band.
    pub bands: Vec<BandRow>,
    /// Uptake by ethnic group, sex, deprivation decile and named group.
    pub equality: Vec<EqualityRow>,
    /// Fields recorded.
    pub completeness: Vec<CompletenessRow>,
}

/// The label of the row for districts outside the table.
pub const OTHER_AREA: &str = "Other or not known";

/// To the nearest 5 (a modelled figure, not a count of people).
fn nearest_five(x: f64) -> u64 {
    ((x / 5.0).round() * 5.0).max(0.0) as u64
}

/// A percentage of a published count over a modelled one.
fn percent_of(shown: Shown, of: Option<u64>) -> Option<u64> {
    match (shown.value(), of) {
        (Some(n), Some(d)) if d > 0 => Some((n * 100 + d / 2) / d),
        _ => None,
    }
}

/// The share of `part` in `whole`, each published, with its Wilson interval.
fn share(rule: Suppression, part: u64, whole: u64) -> (Shown, Option<Interval>) {
    let p = Shown::from_published(rule.count(part));
    let interval = match (p.value(), rule.count(whole).value()) {
        (Some(p), Some(w)) if w > 0 => wilson(p.min(w), w),
        _ => None,
    };
    (p, interval)
}

impl NeedReport {
    /// Publishes `counts` against `population` with `prevalence`.
    pub fn build(
        counts: &NeedCounts,
        population: &Population,
        prevalence: &Prevalence,
        rule: Suppression,
    ) -> NeedReport {
        let areas: Vec<&Area> = population.areas().keys().collect();
        let row_of = |area: &Option<Area>| -> usize {
            area.as_ref()
                .and_then(|a| areas.iter().position(|x| *x == a))
                .unwrap_or(areas.len())
        };
        let mut received = vec![vec![0u64; AgeBand::ALL.len() + 1]; areas.len() + 1];
        let mut seen = received.clone();
        for ((area, band), c) in &counts.by_area_band {
            let column = band.map_or(AgeBand::ALL.len(), |b| b as usize);
            let row = row_of(area);
            received[row][column] += c.received;
            seen[row][column] += c.seen;
        }
        let received_table = protect(&received, rule);
        let seen_table = protect(&seen, rule);
        let people = |area: Option<&Area>, band: Option<AgeBand>| {
            population.people_where(|c| {
                area.is_none_or(|a| c.area == a) && band.is_none_or(|b| c.band == b)
            })
        };
        let expected = |area: Option<&Area>| -> Option<f64> {
            AgeBand::ALL
                .iter()
                .map(|b| {
                    prevalence
                        .rate(*b)
                        .map(|r| r.rate * people(area, Some(*b)) as f64)
                })
                .sum()
        };
        let mut area_rows: Vec<AreaRow> = areas
            .iter()
            .enumerate()
            .map(|(i, area)| {
                let pop = people(Some(area), None);
                let expected_need = expected(Some(area)).map(nearest_five);
                let referrals = received_table.row_totals[i];
                let seen_shown = seen_table.row_totals[i];
                AreaRow {
                    area: area.to_string(),
                    decile: population.decile(area),
                    population: pop,
                    expected_need,
                    referrals,
                    seen: seen_shown,
                    referral_rate: referrals.value().and_then(|n| rate(n, pop, PER)),
                    access_rate: seen_shown.value().and_then(|n| rate(n, pop, PER)),
                    seen_of_expected: percent_of(seen_shown, expected_need),
                }
            })
            .collect();
        area_rows.push(AreaRow {
            area: OTHER_AREA.to_owned(),
            decile: None,
            population: 0,
            expected_need: None,
            referrals: received_table.row_totals[areas.len()],
            seen: seen_table.row_totals[areas.len()],
            referral_rate: None,
            access_rate: None,
            seen_of_expected: None,
        });
        // Band rates count only the districts in the table (the population's own).
        let in_table_by_band: Vec<u64> = AgeBand::ALL
            .iter()
            .map(|b| (0..areas.len()).map(|r| received[r][*b as usize]).sum())
            .collect();
        let bands = AgeBand::ALL
            .iter()
            .map(|band| {
                let pop = people(None, Some(*band));
                let used = prevalence.rate(*band);
                let expected_need = used.map(|r| nearest_five(r.rate * pop as f64));
                let in_table = rule.count(in_table_by_band[*band as usize]);
                let seen_shown = seen_table.column_totals[*band as usize];
                BandRow {
                    age_band: band.key(),
                    population: pop,
                    prevalence: used.map(|r| r.rate),
                    source: used.map(|r| r.source.clone()).unwrap_or_default(),
                    expected_need,
                    referrals: received_table.column_totals[*band as usize],
                    seen: seen_shown,
                    referral_rate: in_table.value().and_then(|n| rate(n, pop, PER)),
                    seen_of_expected: percent_of(seen_shown, expected_need),
                }
            })
            .collect();
        NeedReport {
            population: population.people(),
            expected_need: expected(None).map(nearest_five),
            referrals_by_area_band: received_table,
            seen_by_area_band: seen_table,
            areas: area_rows,
            bands,
            equality: equality(counts, population, prevalence, rule),
            completeness: completeness(&counts.completeness, rule),
        }
    }
}

fn equality(
    counts: &NeedCounts,
    population: &Population,
    prevalence: &Prevalence,
    rule: Suppression,
) -> Vec<EqualityRow> {
    let total_pop = population.people();
    let pop_share = |n: u64| (total_pop > 0).then(|| n as f64 / total_pop as f64);
    let mut rows = Vec::new();
    let mut push = |kind: &'static str,
                    key: String,
                    label: String,
                    c: Counted,
                    of: u64,
                    pop: Option<f64>,
                    source: String| {
        let (referrals, interval) = share(rule, c.received, of);
        let ratio = match (interval, pop) {
            (Some(i), Some(p)) if p > 0.0 => Some(i.scaled(1.0 / p)),
            _ => None,
        };
        rows.push(EqualityRow {
            kind,
            key,
            label,
            referrals,
            seen: Shown::from_published(rule.count(c.seen)),
            share_of_referrals: interval,
            share_of_population: pop,
            population_source: source,
            ratio,
        });
    };
    let group = |g: UptakeGroup| counts.by_group.get(g.index()).copied().unwrap_or_default();
    let ethnic_recorded: u64 = POPULATION_ETHNICITIES
        .iter()
        .map(|e| group(UptakeGroup::Ethnicity(*e)).received)
        .sum();
    for e in POPULATION_ETHNICITIES {
        let g = UptakeGroup::Ethnicity(e);
        push(
            "ethnicity",
            super::ethnicity_key(e).to_owned(),
            g.label().to_owned(),
            group(g),
            ethnic_recorded,
            pop_share(population.people_where(|c| c.ethnicity == e)),
            "The population table".to_owned(),
        );
    }
    let sex_recorded: u64 = Sex::ALL
        .iter()
        .map(|s| counts.by_sex.get(&Some(*s)).map_or(0, |c| c.received))
        .sum();
    for s in Sex::ALL {
        push(
            "sex",
            s.key().to_owned(),
            format!("Sex: {}", s.key()),
            counts.by_sex.get(&Some(s)).copied().unwrap_or_default(),
            sex_recorded,
            pop_share(population.people_where(|c| c.sex == s)),
            "The population table".to_owned(),
        );
    }
    let mut by_decile: BTreeMap<u8, Counted> = BTreeMap::new();
    for ((area, _), c) in &counts.by_area_band {
        if let Some(d) = area.as_ref().and_then(|a| population.decile(a)) {
            let row = by_decile.entry(d).or_default();
            row.received += c.received;
            row.seen += c.seen;
        }
    }
    let decile_recorded: u64 = by_decile.values().map(|c| c.received).sum();
    let mut deciles: Vec<u8> = population.areas().values().copied().collect();
    deciles.sort_unstable();
    deciles.dedup();
    for d in deciles {
        push(
            "deprivation",
            format!("decile_{d}"),
            format!(
                "Deprivation decile {d}{}",
                match d {
                    1 => " (most deprived)",
                    10 => " (least deprived)",
                    _ => "",
                }
            ),
            by_decile.get(&d).copied().unwrap_or_default(),
            decile_recorded,
            pop_share(population.people_where(|c| population.decile(c.area) == Some(d))),
            "The population table".to_owned(),
        );
    }
    let all = counts.completeness.referrals;
    for g in UptakeGroup::ALL {
        if matches!(g, UptakeGroup::Ethnicity(_) | UptakeGroup::NoGroupRecorded) {
            continue;
        }
        let configured = prevalence.share(g);
        push(
            "group",
            g.key().to_owned(),
            g.label().to_owned(),
            group(g),
            all,
            configured.map(|s| s.share),
            configured.map(|s| s.source.clone()).unwrap_or_default(),
        );
    }
    rows
}

fn completeness(c: &Completeness, rule: Suppression) -> Vec<CompletenessRow> {
    let of = Shown::from_published(rule.count(c.referrals));
    [
        ("ethnicity", "Ethnic category", c.ethnicity),
        ("sex", "Sex registered at birth", c.sex),
        ("gender", "Gender the same as sex at birth", c.gender),
        ("postcode", "Postcode", c.postcode),
        (
            "area",
            "Postcode in a district of the population table",
            c.area_known,
        ),
        ("age", "Date of birth giving an age of 0 to 25", c.age),
        ("disability", "Disability", c.disability),
        ("groups", "Any of the named-group questions", c.groups),
    ]
    .into_iter()
    .map(|(field, label, n)| {
        let recorded = Shown::from_published(rule.count(n));
        CompletenessRow {
            field,
            label,
            recorded,
            referrals: of,
            percent: rule.share(recorded.published(), of.published()),
        }
    })
    .collect()
}

#[cfg(test)]
mod tests;
