//! Prevalence rates: the share of each age band expected to have a mental health need, and
//! the share of the population in each group the plans name, each with its source. Data, not
//! code: the shipped defaults are `config/prevalence.toml` (NHS England's "Mental Health of
//! Children and Young People in England" surveys, and the seeds); an area changes them by
//! loading its own file with its population (`nowrongdoor population load --prevalence`).

use serde::{Deserialize, Serialize};

use super::AgeBand;
use crate::about::UptakeGroup;
use crate::error::ValidationErrors;

/// One age band's prevalence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandRate {
    /// The band.
    pub age_band: AgeBand,
    /// The share with a probable mental disorder, 0 to 1 (0.203 = 20.3 %).
    pub rate: f64,
    /// Where the figure comes from.
    pub source: String,
}

/// The share of the population (0–25) in a named group, for its uptake ratio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupShare {
    /// The group's key (`nwd_domain::about::UptakeGroup::key`: `looked_after`, `send_ehcp`, …).
    pub group: String,
    /// The share of 0–25s in the group, 0 to 1.
    pub share: f64,
    /// Where the figure comes from.
    pub source: String,
}

/// The rates need is estimated with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Prevalence {
    /// One rate per age band.
    #[serde(default)]
    pub band: Vec<BandRate>,
    /// Population shares of the named groups (optional: a group without one has no ratio).
    #[serde(default)]
    pub group: Vec<GroupShare>,
}

impl Prevalence {
    /// Checks every rate; errors name the entry (`band[2].rate`).
    pub fn validate(&self) -> ValidationErrors {
        let mut errors = ValidationErrors::new();
        for band in AgeBand::ALL {
            let n = self.band.iter().filter(|b| b.age_band == band).count();
            if n != 1 {
                errors.add(
                    "band",
                    format!("give age band {} exactly once (found {n})", band.key()),
                );
            }
        }
        for (i, b) in self.band.iter().enumerate() {
            if !(b.rate > 0.0 && b.rate <= 1.0) {
                errors.add(
                    format!("band[{i}].rate"),
                    "use a share above 0 and at most 1 (0.203 for 20.3 %)",
                );
            }
            if b.source.trim().is_empty() {
                errors.add(format!("band[{i}].source"), "name the source of the rate");
            }
        }
        for (i, g) in self.group.iter().enumerate() {
            let known = UptakeGroup::ALL.iter().any(|u| u.key() == g.group);
            if !known {
                errors.add(
                    format!("group[{i}].group"),
                    "use a group key such as looked_after, care_leaver, youth_justice, send_ehcp, autistic, adhd, young_carer, disabled",
                );
            }
            if !(g.share > 0.0 && g.share < 1.0) {
                errors.add(
                    format!("group[{i}].share"),
                    "use a share above 0 and below 1",
                );
            }
            if g.source.trim().is_empty() {
                errors.add(format!("group[{i}].source"), "name the source of the share");
            }
        }
        errors
    }

    /// The rate of a band.
    pub fn rate(&self, band: AgeBand) -> Option<&BandRate> {
        self.band.iter().find(|b| b.age_band == band)
    }

    /// The population share of a named group.
    pub fn share(&self, group: UptakeGroup) -> Option<&GroupShare> {
        self.group.iter().find(|g| g.group == group.key())
    }
}
