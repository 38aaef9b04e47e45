//! Unit tests of the synthetic register and referrals, with the helpers they share (a
//! configuration, a small set, records by id, dates as days).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use crate::record::Record;

use super::*;

mod evaluation;
mod referrals;
mod register;

fn config(seed: u64, share: f64) -> SyntheticConfig {
    SyntheticConfig {
        seed,
        households: 3_000,
        queries: 2_000,
        nhs_number_share: share,
    }
}

fn small() -> SyntheticSet {
    generate(&config(11, 0.5))
}

fn by_id(set: &SyntheticSet) -> HashMap<&str, &Record> {
    set.register.iter().map(|r| (r.id.as_str(), r)).collect()
}

fn days(dob: &str) -> i64 {
    let parts: Vec<&str> = dob.split('-').collect();
    days_from_civil(
        parts[0].parse().unwrap(),
        parts[1].parse().unwrap(),
        parts[2].parse().unwrap(),
    )
}
