//! [`Matcher`]: the register, its blocking index, the model and the thresholds together. Insert
//! people as they are registered; match a query to get a band, the best candidate and the
//! explained top candidates. `Matcher` is `Send + Sync` (plain owned data), so a server keeps one
//! behind a read–write lock: matches share the read side, inserts take the write side.

use crate::comparison::PersonRef;
use crate::index::Index;
use crate::normalise::{IdentifierKind, Normalised};
use crate::outcome::{Band, Candidate, MatchOutcome, Rule};
use crate::params::{Model, Params, ParamsError, Thresholds};
use crate::record::Record;
use crate::register::Register;
use crate::score::{rule_applied, Breakdown, Scorer};

/// The in-memory person matcher.
#[derive(Debug)]
pub struct Matcher {
    model: Model,
    thresholds: Thresholds,
    register: Register,
    index: Index,
}

impl Matcher {
    /// An empty matcher. Fails when the parameters do not fit the model or the thresholds are
    /// out of range.
    pub fn new(params: &Params, thresholds: Thresholds) -> Result<Matcher, ParamsError> {
        thresholds.validate()?;
        Ok(Matcher {
            model: Model::new(params)?,
            thresholds,
            register: Register::default(),
            index: Index::default(),
        })
    }

    /// Estimates parameters (as [`crate::estimate`] does from the same records) from the people
    /// already registered, without normalising them again: for a large file, insert
    /// everyone, estimate, then [`Matcher::set_params`].
    pub fn estimate(
        &self,
        options: &crate::EstimateOptions,
    ) -> Result<Params, crate::EstimateError> {
        if self.register.len() < 2 {
            return Err(crate::EstimateError::TooFewRecords(self.register.len()));
        }
        Ok(crate::estimate::estimate_register(&self.register, options))
    }

    /// As [`Matcher::estimate`], then m and the matches per referral estimated by EM on the
    /// pairs between `referrals` and the register — the pairs about to be linked, as Splink
    /// estimates a link job — with u and term frequencies still from the register; the
    /// register's m and prior stand when that fit is unusable (it found households, or too few
    /// true pairs). Used by `persons match-file` without a parameters file;
    /// `estimation.referrals` says what was done and why.
    pub fn estimate_with_referrals(
        &self,
        referrals: &[Record],
        options: &crate::EstimateOptions,
    ) -> Result<Params, crate::EstimateError> {
        let base = self.estimate(options)?;
        let mut queries = Register::default();
        for slice in referrals.chunks(1 << 16) {
            for (record, person) in slice.iter().zip(crate::batch::normalise_all(slice)) {
                queries.push(&record.id, &person);
            }
        }
        Ok(crate::estimate::estimate_with_referrals(
            &self.register,
            &queries,
            &base,
            options,
        ))
    }

    /// Replaces the parameters (the register and the index are kept).
    pub fn set_params(&mut self, params: &Params) -> Result<(), ParamsError> {
        self.model = Model::new(params)?;
        Ok(())
    }

    /// Registers a person and files them in the blocking index; later queries can find them.
    pub fn insert(&mut self, record: &Record) {
        self.insert_normalised(&record.id, &Normalised::from_record(record));
    }

    pub(crate) fn insert_normalised(&mut self, id: &str, person: &Normalised) {
        let index = self.register.push(id, person);
        self.index.insert(&person.view(), index);
    }

    /// Makes room in the register for `additional` more people.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.register.reserve(additional);
    }

    /// Stores `people` (the normalised `records`) in the register on this thread while another
    /// files them in the blocking index: the index is built from the normalised values, not
    /// the register, so the two are independent, and both go in input order.
    pub(crate) fn insert_normalised_many(&mut self, records: &[Record], people: &[Normalised]) {
        let first = self.register.len() as u32;
        let (register, index) = (&mut self.register, &mut self.index);
        std::thread::scope(|scope| {
            let filing = scope.spawn(|| {
                for (offset, person) in (first..).zip(people) {
                    index.insert(&person.view(), offset);
                }
            });
            for (record, person) in records.iter().zip(people) {
                register.push(&record.id, person);
            }
            filing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        });
    }

    /// Number of registered people.
    pub fn len(&self) -> usize {
        self.register.len()
    }

    /// True when nobody is registered.
    pub fn is_empty(&self) -> bool {
        self.register.len() == 0
    }

    /// Number of distinct blocking keys in the index.
    pub fn blocking_keys(&self) -> usize {
        self.index.key_count()
    }

    /// The thresholds in force.
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Matches a query against everyone registered, without scanning the register.
    pub fn match_record(&self, query: &Record) -> MatchOutcome {
        let person = Normalised::from_record(query);
        self.outcome(&person.view(), None)
    }

    /// log2 prior odds that a query is one particular registered person, with `others` people
    /// it could be.
    fn prior(&self, others: usize) -> f64 {
        (self.model.matches_per_record / others.max(1) as f64).log2()
    }

    fn scorer(&self, others: usize) -> Scorer<'_> {
        Scorer {
            model: &self.model,
            thresholds: &self.thresholds,
            register: &self.register,
            prior: self.prior(others),
        }
    }

    /// Every candidate the index proposes, scored. `exclude` is the query's own register entry
    /// when de-duplicating.
    pub(crate) fn score_candidates(
        &self,
        query: &PersonRef,
        exclude: Option<u32>,
        scratch: &mut Vec<u32>,
    ) -> Vec<(u32, Breakdown)> {
        let others = self.register.len() - usize::from(exclude.is_some());
        let scorer = self.scorer(others);
        self.index
            .candidates(query, self.thresholds.max_candidates_per_key, scratch);
        scratch
            .iter()
            .filter(|&&candidate| Some(candidate) != exclude)
            .map(|&candidate| (candidate, scorer.score(query, candidate)))
            .collect()
    }

    pub(crate) fn register(&self) -> &Register {
        &self.register
    }

    /// A query's NHS number that identifies nobody — a placeholder (`0000000000` …) or a
    /// number the register holds for different people — is dropped before matching, so it
    /// neither finds candidates nor links; the rule says why.
    fn screen_identifier<'a>(&self, query: &PersonRef<'a>) -> (PersonRef<'a>, Option<Rule>) {
        let mut screened = *query;
        let rule = match query.identifier {
            Some((IdentifierKind::NhsPlaceholder, _)) => Some(Rule::NhsNumberPlaceholderIgnored),
            Some((IdentifierKind::Nhs, value)) if self.register.identifier_is_shared(value) => {
                Some(Rule::NhsNumberSharedIgnored)
            }
            _ => None,
        };
        if rule.is_some() {
            screened.identifier = None;
        }
        (screened, rule)
    }

    fn outcome(&self, query: &PersonRef, exclude: Option<u32>) -> MatchOutcome {
        let (query, screened_rule) = self.screen_identifier(query);
        let query = &query;
        let mut scratch = Vec::new();
        let mut scored = self.score_candidates(query, exclude, &mut scratch);
        let candidates_scored = scored.len();
        let by_rank = |a: &(u32, Breakdown), b: &(u32, Breakdown)| {
            let (ra, rb) = (a.1.rank(), b.1.rank());
            rb.0.cmp(&ra.0)
                .then(rb.1.cmp(&ra.1))
                .then(rb.2.total_cmp(&ra.2))
                .then(a.0.cmp(&b.0))
        };
        let top_k = self.thresholds.top_k.max(2);
        if scored.len() > top_k {
            scored.select_nth_unstable_by(top_k - 1, by_rank);
            scored.truncate(top_k);
        }
        scored.sort_by(by_rank);

        let mut rules = Vec::new();
        if query.identifier.map(|(kind, _)| kind) == Some(IdentifierKind::NhsInvalid) {
            rules.push(rule_applied(Rule::NhsNumberInvalidIgnored, 0.0));
        }
        if let Some(rule) = screened_rule {
            rules.push(rule_applied(rule, 0.0));
        }
        let mut band = scored.first().map_or(Band::New, |(_, b)| b.band);
        if let [(_, first), (_, second), ..] = scored.as_slice() {
            let second_as_strong =
                second.band == Band::Auto && (second.deterministic || !first.deterministic);
            if band == Band::Auto && second_as_strong {
                band = Band::Review;
                rules.push(rule_applied(Rule::Ambiguous, 0.0));
            }
        }
        let candidates: Vec<Candidate> = scored
            .iter()
            .take(self.thresholds.top_k)
            .map(|(index, breakdown)| Candidate {
                id: self.register.id(*index).to_owned(),
                band: breakdown.band,
                match_weight: breakdown.total,
                match_probability: breakdown.probability(),
                explanation: breakdown.explanation(),
            })
            .collect();
        MatchOutcome {
            band,
            best: (band != Band::New)
                .then(|| candidates.first().cloned())
                .flatten(),
            candidates,
            rules,
            candidates_scored,
        }
    }
}

#[cfg(test)]
mod blocking_tests;
#[cfg(test)]
mod crosswise_tests;
#[cfg(test)]
mod household_tests;
#[cfg(test)]
mod insert_tests;
#[cfg(test)]
mod tests;
