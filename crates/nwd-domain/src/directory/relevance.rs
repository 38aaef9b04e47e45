//! Find support's order: services sorted by how well they match what was asked.
//!
//! How a service scores (higher first):
//! - **Words asked**, each word counted once per place it is found: in the name **5**, in the
//!   description **3**, in the need groups it serves or its team type **2**. Words are compared
//!   by stem, lower case: common endings are dropped (`anxious` and `anxiety` both become
//!   `anx`, `eating` becomes `eat`) and a word matches a word of the service that starts with
//!   its stem. Words that say nothing about a service (`help`, `the`, `my`, …) are ignored.
//! - **Need group asked**: served **4**.
//! - **Age asked**: served **3**, and **2** more when the service's age range spans at most
//!   [`NARROW_AGE_RANGE_YEARS`] years (a service made for that age).
//! - **Area asked**: the service lists the postcode district **3**, the postcode area **2**,
//!   or covers everywhere **1**.
//!
//! Ties are broken by name (ignoring case), then by id, so the same question always gives the
//! same order. Scoring is pure and in memory over the services one query returned: no query
//! per service.

use std::cmp::Reverse;

use super::{Service, ServiceDetails};
use crate::need::NeedGroup;
use crate::postcode::Postcode;

/// An age range of at most this many years counts as made for the age asked.
pub const NARROW_AGE_RANGE_YEARS: i16 = 10;

/// Points for a word found in the name.
const NAME_POINTS: u32 = 5;
/// Points for a word found in the description.
const DESCRIPTION_POINTS: u32 = 3;
/// Points for a word found in the need groups served or the team type.
const GROUP_POINTS: u32 = 2;

/// Words too common to tell services apart.
const IGNORED: &[&str] = &[
    "a", "about", "an", "and", "am", "are", "at", "be", "can", "for", "from", "get", "getting",
    "have", "help", "i", "im", "in", "is", "it", "me", "my", "need", "of", "on", "or", "our",
    "service", "services", "some", "someone", "support", "the", "to", "with", "want", "we", "you",
    "your",
];

/// Endings dropped to find a word's stem, longest first.
const ENDINGS: &[&str] = &[
    "iety", "ious", "ness", "ing", "ies", "ety", "ous", "ity", "ism", "ed", "es", "ic", "s", "y",
];

/// What was asked on Find support (each part optional).
#[derive(Debug, Clone, Copy, Default)]
pub struct Asked<'a> {
    /// The words typed, e.g. "anxiety at school".
    pub words: &'a str,
    /// The kind of support chosen.
    pub need_group: Option<NeedGroup>,
    /// The young person's age.
    pub age: Option<i16>,
    /// Where they live.
    pub postcode: Option<&'a Postcode>,
}

fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The stem of a lower-case word: its first matching ending dropped, when at least three
/// letters remain.
pub fn stem(word: &str) -> &str {
    ENDINGS
        .iter()
        .find_map(|ending| {
            word.strip_suffix(ending)
                .filter(|rest| rest.chars().count() >= 3)
        })
        .unwrap_or(word)
}

/// The stems of the words asked that can tell services apart, without repeats.
fn asked_stems(words: &str) -> Vec<String> {
    let mut stems: Vec<String> = Vec::new();
    for word in tokens(words) {
        if IGNORED.contains(&word.as_str()) {
            continue;
        }
        let stem = stem(&word).to_owned();
        if !stems.contains(&stem) {
            stems.push(stem);
        }
    }
    stems
}

fn mentions(text: &str, stem: &str) -> bool {
    tokens(text).any(|token| token.starts_with(stem))
}

/// How relevant `details` is to what was `asked` (see the module documentation).
pub fn relevance(details: &ServiceDetails, asked: &Asked<'_>) -> u32 {
    let groups = details
        .need_groups
        .iter()
        .map(|g| g.label())
        .chain([details.team_type.label()])
        .collect::<Vec<_>>()
        .join(" ");
    let mut score = 0;
    for stem in asked_stems(asked.words) {
        if mentions(&details.name, &stem) {
            score += NAME_POINTS;
        }
        if mentions(&details.description, &stem) {
            score += DESCRIPTION_POINTS;
        }
        if mentions(&groups, &stem) {
            score += GROUP_POINTS;
        }
    }
    if asked
        .need_group
        .is_some_and(|g| details.need_groups.contains(&g))
    {
        score += 4;
    }
    if let Some(age) = asked.age {
        if details.serves_age(age) {
            score += 3;
            if details.age_to - details.age_from <= NARROW_AGE_RANGE_YEARS {
                score += 2;
            }
        }
    }
    if let Some(postcode) = asked.postcode {
        score += if details.areas.iter().any(|a| a == postcode.district()) {
            3
        } else if details.areas.iter().any(|a| a == postcode.area()) {
            2
        } else if details.areas.is_empty() {
            1
        } else {
            0
        };
    }
    score
}

/// Sorts `items` most relevant first (ties by name ignoring case, then id); `service` finds
/// each item's service. Each service is scored once.
pub fn rank_by_relevance<T>(items: &mut [T], asked: &Asked<'_>, service: impl Fn(&T) -> &Service) {
    items.sort_by_cached_key(|item| {
        let s = service(item);
        (
            Reverse(relevance(&s.details, asked)),
            s.details.name.to_lowercase(),
            s.id,
        )
    });
}
