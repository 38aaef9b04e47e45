//! Need and equality (issue 20): the area's population by postcode district, age band, sex
//! and broad ethnic group, with each district's deprivation decile ([`Population`], read from
//! CSV by [`read_csv`]); prevalence rates by age band, each with its source
//! ([`Prevalence`], `config/prevalence.toml`); and what the commissioner's need page publishes
//! from them and the record's exact counts ([`report::NeedReport`]): expected need, referral
//! and access rates per 10,000 with 95 % confidence intervals, uptake ratios by group, data
//! completeness, every count through the small-number rule with secondary suppression
//! ([`protect`]).
//!
//! **Geography.** An area is a postcode district — the outward code of the young person's
//! postcode (`ME14` in `ME14 1XX`), the finest unit the record holds for everyone whose
//! postcode is known, and coarse enough (a few thousand 0–25s each) to publish. The
//! population table maps each district to one deprivation decile (the decile of the
//! district's population-weighted Index of Multiple Deprivation, 1 most deprived); see
//! `docs/design/0009-need-and-equality.md`.
//!
//! Pure: no I/O but the reader it is given, no clock.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::about::EthnicityGroup;

mod prevalence;
mod reader;
pub mod report;
pub mod stats;

pub use prevalence::{BandRate, GroupShare, Prevalence};
pub use reader::{read_csv, CsvError, MAX_AREAS, MAX_LINE_BYTES, MAX_PEOPLE_PER_ROW};

/// A postcode district (outward code): one to two letters, a digit, then an optional digit or
/// letter (`ME14`, `CT1`, `TN2`, `EC1A`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Area(String);

impl Area {
    /// Parses a district in any case; the error says what is allowed.
    pub fn parse(input: &str) -> Result<Area, String> {
        let upper = input.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        let rest = &bytes[letters..];
        let ok = (1..=2).contains(&letters)
            && (1..=2).contains(&rest.len())
            && rest[0].is_ascii_digit()
            && rest.get(1).is_none_or(|b| b.is_ascii_alphanumeric());
        if ok {
            Ok(Area(upper))
        } else {
            Err(format!(
                "{input:?} is not a postcode district; use the outward code, such as ME14 or CT1"
            ))
        }
    }

    /// The district of a postcode.
    pub fn of_postcode(postcode: &crate::postcode::Postcode) -> Area {
        Area(postcode.district().to_owned())
    }

    /// The district as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The age bands need is estimated in: the bands NHS England's "Mental Health of Children
/// and Young People in England" surveys publish prevalence for (2017: 2–4, 5–10; 2023 wave 4:
/// 8–16, 17–19, 20–25), cut so that every age 0–25 falls in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeBand {
    /// 0 to 4.
    #[serde(rename = "0-4")]
    Under5,
    /// 5 to 7.
    #[serde(rename = "5-7")]
    From5To7,
    /// 8 to 16.
    #[serde(rename = "8-16")]
    From8To16,
    /// 17 to 19.
    #[serde(rename = "17-19")]
    From17To19,
    /// 20 to 25.
    #[serde(rename = "20-25")]
    From20To25,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 5] = [
        AgeBand::Under5,
        AgeBand::From5To7,
        AgeBand::From8To16,
        AgeBand::From17To19,
        AgeBand::From20To25,
    ];

    /// The band of an age in whole years; `None` outside 0–25.
    pub fn of(age: i16) -> Option<AgeBand> {
        match age {
            0..=4 => Some(AgeBand::Under5),
            5..=7 => Some(AgeBand::From5To7),
            8..=16 => Some(AgeBand::From8To16),
            17..=19 => Some(AgeBand::From17To19),
            20..=25 => Some(AgeBand::From20To25),
            _ => None,
        }
    }

    /// The key in the CSV and the API (`0-4`, …, `20-25`).
    pub fn key(self) -> &'static str {
        match self {
            AgeBand::Under5 => "0-4",
            AgeBand::From5To7 => "5-7",
            AgeBand::From8To16 => "8-16",
            AgeBand::From17To19 => "17-19",
            AgeBand::From20To25 => "20-25",
        }
    }

    /// The label shown (`0 to 4`).
    pub fn label(self) -> String {
        self.key().replace('-', " to ")
    }

    /// Parses a key; the error lists the keys.
    pub fn parse(input: &str) -> Result<AgeBand, String> {
        AgeBand::ALL
            .into_iter()
            .find(|b| b.key() == input.trim())
            .ok_or_else(|| {
                format!("{input:?} is not an age band; use 0-4, 5-7, 8-16, 17-19 or 20-25")
            })
    }
}

/// Sex in the population table (ONS mid-year estimates publish female and male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

impl Sex {
    /// Both.
    pub const ALL: [Sex; 2] = [Sex::Female, Sex::Male];

    /// The key (`female`, `male`).
    pub fn key(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }

    /// Parses a key.
    pub fn parse(input: &str) -> Result<Sex, String> {
        match input.trim().to_ascii_lowercase().as_str() {
            "female" => Ok(Sex::Female),
            "male" => Ok(Sex::Male),
            _ => Err(format!("{input:?} is not a sex; use female or male")),
        }
    }
}

/// The broad ethnic groups a population table holds (the census headings; "not recorded"
/// and "prefer not to say" describe the record, not the population).
pub const POPULATION_ETHNICITIES: [EthnicityGroup; 5] = [
    EthnicityGroup::White,
    EthnicityGroup::Mixed,
    EthnicityGroup::Asian,
    EthnicityGroup::Black,
    EthnicityGroup::Other,
];

/// The CSV key of a population ethnic group.
pub fn ethnicity_key(group: EthnicityGroup) -> &'static str {
    match group {
        EthnicityGroup::White => "white",
        EthnicityGroup::Mixed => "mixed",
        EthnicityGroup::Asian => "asian",
        EthnicityGroup::Black => "black",
        EthnicityGroup::Other => "other",
        EthnicityGroup::PreferNotToSay => "prefer_not_to_say",
        EthnicityGroup::NotRecorded => "not_recorded",
    }
}

/// Parses a population ethnic group key.
pub fn parse_ethnicity(input: &str) -> Result<EthnicityGroup, String> {
    let key = input.trim().to_ascii_lowercase();
    POPULATION_ETHNICITIES
        .into_iter()
        .find(|g| ethnicity_key(*g) == key)
        .ok_or_else(|| {
            format!("{input:?} is not an ethnic group; use white, mixed, asian, black or other")
        })
}

/// One cell of the population table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell<'a> {
    /// District.
    pub area: &'a Area,
    /// Age band.
    pub band: AgeBand,
    /// Sex.
    pub sex: Sex,
    /// Broad ethnic group.
    pub ethnicity: EthnicityGroup,
    /// People.
    pub people: u64,
}

/// The population: people by district, age band, sex and broad ethnic group, and each
/// district's deprivation decile (1 most deprived, 10 least).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Population {
    cells: BTreeMap<(Area, AgeBand, Sex, EthnicityGroup), u64>,
    deciles: BTreeMap<Area, u8>,
}

impl Population {
    /// Adds one row; the error names the column at fault (`people` for a repeated row,
    /// `deprivation_decile` for a district given two deciles).
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        area: Area,
        band: AgeBand,
        sex: Sex,
        ethnicity: EthnicityGroup,
        decile: u8,
        people: u64,
    ) -> Result<(), (&'static str, String)> {
        if let Some(known) = self.deciles.get(&area) {
            if *known != decile {
                return Err((
                    "deprivation_decile",
                    format!("{area} was given decile {known} on an earlier row; a district has one decile"),
                ));
            }
        }
        let key = (area.clone(), band, sex, ethnicity);
        if self.cells.contains_key(&key) {
            return Err((
                "people",
                format!(
                    "{area}, {}, {}, {} is given twice; give each combination once",
                    band.key(),
                    sex.key(),
                    ethnicity_key(ethnicity)
                ),
            ));
        }
        self.cells.insert(key, people);
        self.deciles.insert(area, decile);
        Ok(())
    }

    /// Every cell, in order.
    pub fn cells(&self) -> impl Iterator<Item = Cell<'_>> {
        self.cells
            .iter()
            .map(|((area, band, sex, ethnicity), people)| Cell {
                area,
                band: *band,
                sex: *sex,
                ethnicity: *ethnicity,
                people: *people,
            })
    }

    /// Each district and its decile.
    pub fn areas(&self) -> &BTreeMap<Area, u8> {
        &self.deciles
    }

    /// The decile of a district.
    pub fn decile(&self, area: &Area) -> Option<u8> {
        self.deciles.get(area).copied()
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.cells.len()
    }

    /// Everyone counted.
    pub fn people(&self) -> u64 {
        self.cells.values().sum()
    }

    /// People in the cells that `keep` accepts.
    pub fn people_where(&self, keep: impl Fn(&Cell<'_>) -> bool) -> u64 {
        self.cells().filter(|c| keep(c)).map(|c| c.people).sum()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}
