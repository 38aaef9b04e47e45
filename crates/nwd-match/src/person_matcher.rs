//! The register's matcher as intake sees it: [`RegisterMatcher`] implements
//! `nwd_domain::linking::PersonMatcher` over a [`Matcher`], kept current as people are
//! registered, merged away (forgotten) or restored.

use std::collections::HashSet;
use std::sync::RwLock;

use nwd_domain::linking::{MatchBand, MatchCandidate, MatchProposal, PersonMatcher};
use nwd_domain::person::{Person, PersonDetails};
use nwd_domain::PersonId;

use crate::{Band, Matcher, Params, ParamsError, Record, Thresholds};

/// The matcher's view of a registered or incoming person.
pub fn record_from_details(id: String, details: &PersonDetails) -> Record {
    let address = match (&details.address, &details.postcode) {
        (Some(address), _) => Some(address.clone()),
        (None, _) => None,
    };
    Record {
        id,
        nhs_number: details.nhs_number.map(|n| n.as_digits()),
        given_name: Some(
            details
                .preferred_name
                .clone()
                .unwrap_or_else(|| details.given_name.clone()),
        ),
        family_name: Some(details.family_name.clone()),
        date_of_birth: Some(details.date_of_birth.to_string()),
        address,
        postcode: details.postcode.as_ref().map(|p| p.as_str().to_string()),
        sex: match details.sex {
            nwd_domain::codes::Sex::Male => Some("male".into()),
            nwd_domain::codes::Sex::Female => Some("female".into()),
            _ => None,
        },
    }
}

/// A registered person as a record (its id is the register id).
pub fn record_from_person(person: &Person) -> Record {
    record_from_details(person.id.to_string(), &person.details)
}

/// The probabilistic matcher behind intake. Thread-safe: proposals read, registrations write.
pub struct RegisterMatcher {
    matcher: RwLock<Matcher>,
    inserted: RwLock<HashSet<PersonId>>,
    forgotten: RwLock<HashSet<PersonId>>,
    generation: std::sync::atomic::AtomicU64,
}

impl RegisterMatcher {
    /// An empty matcher with these parameters and thresholds.
    pub fn new(params: &Params, thresholds: Thresholds) -> Result<Self, ParamsError> {
        Ok(RegisterMatcher {
            matcher: RwLock::new(Matcher::new(params, thresholds)?),
            inserted: RwLock::new(HashSet::new()),
            forgotten: RwLock::new(HashSet::new()),
            generation: std::sync::atomic::AtomicU64::new(0),
        })
    }
}

impl PersonMatcher for RegisterMatcher {
    fn propose(&self, details: &PersonDetails) -> MatchProposal {
        let query = record_from_details(String::new(), details);
        let outcome = match self.matcher.read() {
            Ok(matcher) => matcher.match_record(&query),
            Err(poisoned) => poisoned.into_inner().match_record(&query),
        };
        let forgotten = self.forgotten.read().map(|f| f.clone()).unwrap_or_default();
        let candidates: Vec<MatchCandidate> = outcome
            .candidates
            .iter()
            .filter(|c| c.band != Band::New)
            .filter_map(|c| {
                let person_id = c.id.parse::<PersonId>().ok()?;
                if forgotten.contains(&person_id) {
                    return None;
                }
                Some(MatchCandidate {
                    person_id,
                    match_weight: c.match_weight,
                    match_probability: c.match_probability,
                    explanation: serde_json::to_value(&c.explanation).unwrap_or_default(),
                })
            })
            .collect();
        let best_survived = outcome
            .best
            .as_ref()
            .and_then(|b| b.id.parse::<PersonId>().ok())
            .is_some_and(|id| candidates.first().is_some_and(|c| c.person_id == id));
        let band = match outcome.band {
            Band::Auto if best_survived => MatchBand::Auto,
            Band::Auto | Band::Review if !candidates.is_empty() => MatchBand::Review,
            _ => MatchBand::New,
        };
        let rules = outcome
            .rules
            .iter()
            .chain(outcome.best.iter().flat_map(|b| b.explanation.rules.iter()))
            .filter_map(|r| serde_json::to_string(r).ok())
            .collect();
        MatchProposal {
            band,
            candidates,
            rules,
        }
    }

    fn register(&self, person: &Person) {
        if let Ok(mut forgotten) = self.forgotten.write() {
            forgotten.remove(&person.id);
        }
        let first_time = self
            .inserted
            .write()
            .map(|mut i| i.insert(person.id))
            .unwrap_or(false);
        if first_time {
            if let Ok(mut matcher) = self.matcher.write() {
                matcher.insert(&record_from_person(person));
            }
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    fn forget(&self, id: PersonId) {
        if let Ok(mut forgotten) = self.forgotten.write() {
            forgotten.insert(id);
        }
    }
}
