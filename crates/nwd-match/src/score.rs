//! Scores one query against one registered person: the Fellegi–Sunter sum (prior + level
//! weights + term-frequency adjustments), then the rules, in this order:
//!
//! 1. **Invalid NHS numbers are ignored.** A ten-digit number failing its check digit was never
//!    compared (its identifier level is missing); the rule only records that it was seen.
//! 2. **NHS number, deterministic.** Both valid and equal, with date of birth or family name
//!    agreeing exactly: auto-link whatever the weights say. Equal but neither agreeing: the
//!    weights decide (the number still counts as an exact identifier). Both valid and
//!    different: not the same person — the check digit catches every single-digit typo and
//!    adjacent swap, so two valid numbers that differ are two people (or one person re-numbered,
//!    e.g. on adoption, which a human must confirm). Band `new`, or `review` when the
//!    demographics alone would have auto-linked.
//! 3. **Households** (only when identifiers do not agree exactly; twins and siblings never share
//!    an identifier). A household shares its address, postcode and family name, so agreement
//!    on them shows the same *household*, not the same *child* — and in a children's service
//!    linking a child to a brother's or sister's record is the harmful error (the harm
//!    argument: one child's mental-health record shown to, or merged with, a sibling's). When a
//!    candidate shares the household — the same home (address exact or high overlap; or, when
//!    the address is missing or only partly agrees, the same full UK postcode) and the same family name
//!    (exact or Jaro–Winkler ≥ 0.92, also when one record has given and family name the wrong
//!    way round):
//!    - a *different* given name (not exact, not Jaro–Winkler ≥ 0.92, not a nickname, not a
//!      likely typo: one edit from a spelling seen at least three times in the register, itself
//!      seen at most once) with the same date of
//!      birth (or a day apart: twins born either side of midnight) is a **twin**: the band is
//!      capped at review, never auto (the issue: twins land in review, for a human to compare);
//!    - a different given name with a date of birth one keystroke or a day/month swap away is
//!      a **possible name change** (siblings are born months apart): review, never auto, never
//!      new;
//!    - a different given name with the same family name and a date of birth missing on one
//!      side (the given name alone then tells them apart, and it is what a renamed child
//!      changes) is **a sibling or the same child** renamed: review, never auto, never new;
//!    - a different given name otherwise is a **sibling**: the household evidence is discounted
//!      (its positive weight removed) and `Thresholds::sibling_penalty_bits` subtracted;
//!    - no given name on one side and dates of birth more than one edit apart: capped at review
//!      (nothing tells a sibling from the child with a mistyped date of birth).
//!
//!    Issue 18: the household is the *home*, whatever the family name (a mistyped, changed or
//!    missing surname no longer hides a sibling), a house number alone names the home, two
//!    similar established given names are two names, and a co-twin is recognised after a move
//!    by family name and birthday. The whole rule is one of the household safeguards: with
//!    `Thresholds::household_safeguards` off, the weights alone decide.
//! 4. **A move counts once** (`identity.rs`): address and postcode both different are one fact.
//! 5. **The child's own details** (`identity.rs`; with `Thresholds::household_safeguards`): no given name,
//!    dates of birth months or years apart, fewer than `min_identity_agreements` of given name,
//!    family name and date of birth agreeing, or a differing home without exact names and date
//!    of birth: never auto. Names and date of birth all exact: never new (at least review).
//! 6. **Numbers that identify nobody**: placeholders and numbers shared by different people are
//!    dropped before scoring (`Matcher::screen_identifier`, `Register::identifier_ignored`).

use crate::comparison::{
    self, compare, dob, family, given, Gamma, PersonRef, ADDRESS, DOB, FAMILY, GIVEN, IDENTIFIER,
    MISSING, MODEL, N_COMPARISONS, POSTCODE,
};
use crate::normalise::IdentifierKind;
use crate::outcome::{Band, ComparisonWeight, Explanation, Rule, RuleApplied};
use crate::params::{probability_of, weight_of, Model, Thresholds};
use crate::register::Register;

mod household;
mod identity;
mod nhs;

use household::{household_given_names, same_home, Household, HouseholdNames};
use identity::{
    dates_of_birth_apart, home_counted_once, home_differs, identity_agreements,
    names_and_birth_agree,
};
use nhs::{nhs_rule, NhsRelation};

/// Rules that can apply to one pair at once (numbers ignored, NHS rule, home, household,
/// the three caps on the child's own details, the names-and-birth floor).
const MAX_RULES: usize = 8;

/// A scored pair, without strings: cheap enough to build for every candidate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Breakdown {
    pub prior: f64,
    pub gamma: Gamma,
    pub weight: [f64; N_COMPARISONS],
    pub tf: [f64; N_COMPARISONS],
    rules: [Option<(Rule, f64)>; MAX_RULES],
    pub total: f64,
    pub band: Band,
    pub deterministic: bool,
}

impl Breakdown {
    fn add_rule(&mut self, rule: Rule, adjustment: f64) {
        if let Some(slot) = self.rules.iter_mut().find(|r| r.is_none()) {
            *slot = Some((rule, adjustment));
        }
    }

    pub fn rules(&self) -> impl Iterator<Item = (Rule, f64)> + '_ {
        self.rules.iter().flatten().copied()
    }

    pub fn probability(&self) -> f64 {
        probability_of(self.total)
    }

    /// Sort key: deterministic links first, then band, then weight.
    pub fn rank(&self) -> (bool, Band, f64) {
        (self.deterministic, self.band, self.total)
    }

    /// The waterfall, with labels, for storing with the decision.
    pub fn explanation(&self) -> Explanation {
        Explanation {
            prior_weight: self.prior,
            comparisons: (0..N_COMPARISONS)
                .map(|c| ComparisonWeight {
                    comparison: MODEL[c].name.to_owned(),
                    level: comparison::level_label(c, self.gamma[c]).to_owned(),
                    weight: self.weight[c],
                    tf_adjustment: self.tf[c],
                })
                .collect(),
            rules: self
                .rules()
                .map(|(rule, adjustment)| rule_applied(rule, adjustment))
                .collect(),
            match_weight: self.total,
        }
    }
}

/// A rule with its standard wording.
pub(crate) fn rule_applied(rule: Rule, weight_adjustment: f64) -> RuleApplied {
    let detail = match rule {
        Rule::NhsNumberDeterministicLink => {
            "valid NHS numbers equal and date of birth or family name agrees: linked"
        }
        Rule::NhsNumberUnconfirmed => {
            "valid NHS numbers equal but neither date of birth nor family name agrees: weights decide"
        }
        Rule::NhsNumberConflict => {
            "valid NHS numbers differ: not the same person (review only if demographics alone would auto-link)"
        }
        Rule::NhsNumberInvalidIgnored => {
            "an NHS number fails its check digit: ignored, matched on demographics"
        }
        Rule::SiblingPenalty => {
            "same household, different given name: household evidence discounted, sibling penalty applied"
        }
        Rule::HouseholdNoGivenName => {
            "same household, no given name to compare and dates of birth differ: never auto-linked"
        }
        Rule::TwinCap => {
            "same household and date of birth, different given name: a twin, never auto-linked"
        }
        Rule::PossibleNameChange => {
            "same home, different given name, date of birth a keystroke away: possibly a changed name, review"
        }
        Rule::SiblingOrSameChild => {
            "same home and family name, different given name, no date of birth to compare: a sibling or the same child renamed, review"
        }
        Rule::Ambiguous => "more than one registered person reaches auto-link: review",
        Rule::HomeCountedOnce => {
            "address and postcode both differ: one move, counted once (the smaller penalty given back)"
        }
        Rule::NoGivenName => {
            "no given name to compare: a twin could not be told apart, never auto-linked"
        }
        Rule::DistantDateOfBirth => {
            "dates of birth months or years apart, not a typo: not the same child, never auto-linked"
        }
        Rule::WeakEvidence => {
            "fewer than two of given name, family name and date of birth agree: never auto-linked"
        }
        Rule::HomeDiffers => {
            "the home differs and names and date of birth do not all agree exactly: never auto-linked"
        }
        Rule::NamesAndBirthAgree => {
            "given name, family name and date of birth agree: at least review"
        }
        Rule::NhsNumberPlaceholderIgnored => {
            "a placeholder NHS number (all one digit): nobody's, ignored, matched on demographics"
        }
        Rule::NhsNumberSharedIgnored => {
            "an NHS number held by different people in the register: ignored, matched on demographics"
        }
    };
    RuleApplied {
        rule,
        weight_adjustment,
        detail: detail.to_owned(),
    }
}

/// Scores queries against the register under one model and one set of thresholds.
pub(crate) struct Scorer<'a> {
    pub model: &'a Model,
    pub thresholds: &'a Thresholds,
    pub register: &'a Register,
    pub prior: f64,
}

impl Scorer<'_> {
    pub fn score(&self, query: &PersonRef, candidate: u32) -> Breakdown {
        let person = self.register.view(candidate);
        let gamma = compare(query, &person);
        let mut b = Breakdown {
            prior: self.prior,
            gamma,
            weight: [0.0; N_COMPARISONS],
            tf: [0.0; N_COMPARISONS],
            rules: [None; MAX_RULES],
            total: 0.0,
            band: Band::New,
            deterministic: false,
        };
        for (c, &level) in gamma.iter().enumerate() {
            if level != MISSING {
                b.weight[c] = self.model.weight[c][usize::from(level)];
            }
        }
        if gamma[GIVEN] == given::EXACT {
            b.tf[GIVEN] = self.tf_adjustment(GIVEN, self.register.given_frequency(candidate));
        }
        if gamma[FAMILY] == family::EXACT {
            b.tf[FAMILY] = self.tf_adjustment(FAMILY, self.register.family_frequency(candidate));
        }
        let mut adjustments = 0.0;
        let mut capped = false;
        let nhs = nhs_rule(query, &person, &gamma);
        if nhs.invalid_seen {
            b.add_rule(Rule::NhsNumberInvalidIgnored, 0.0);
        }
        if query.identifier.is_some() {
            match self.register.identifier_ignored(candidate) {
                Some(IdentifierKind::NhsPlaceholder) => {
                    b.add_rule(Rule::NhsNumberPlaceholderIgnored, 0.0);
                }
                Some(_) => b.add_rule(Rule::NhsNumberSharedIgnored, 0.0),
                None => {}
            }
        }
        match nhs.relation {
            NhsRelation::EqualConfirmed => {
                b.deterministic = true;
                b.add_rule(Rule::NhsNumberDeterministicLink, 0.0);
            }
            NhsRelation::EqualUnconfirmed => b.add_rule(Rule::NhsNumberUnconfirmed, 0.0),
            NhsRelation::Different | NhsRelation::NotComparable => {}
        }
        let home = home_counted_once(&gamma, &b.weight);
        if home != 0.0 {
            adjustments += home;
            b.add_rule(Rule::HomeCountedOnce, home);
        }
        let household = self.household_rule(query, &person, &b);
        if let Some(household) = &household {
            adjustments += household.adjustment;
            capped = matches!(
                household.rule,
                Rule::TwinCap
                    | Rule::HouseholdNoGivenName
                    | Rule::PossibleNameChange
                    | Rule::SiblingOrSameChild
            );
            b.add_rule(household.rule, household.adjustment);
        }
        let identifier_exact = gamma[IDENTIFIER] == comparison::identifier::EXACT;
        if !identifier_exact {
            for rule in self.identity_caps(query, &person, &gamma, household.as_ref()) {
                capped = true;
                b.add_rule(rule, 0.0);
            }
        }
        b.total = b.prior + b.weight.iter().sum::<f64>() + b.tf.iter().sum::<f64>() + adjustments;
        b.band = self.band_of(b.total);
        if capped {
            b.band = b.band.min(Band::Review);
        }
        if household
            .as_ref()
            .is_some_and(|h| matches!(h.rule, Rule::PossibleNameChange | Rule::SiblingOrSameChild))
        {
            b.band = Band::Review;
        }
        if b.band == Band::New
            && household.is_none()
            && nhs.relation != NhsRelation::Different
            && names_and_birth_agree(&gamma)
        {
            b.band = Band::Review;
            b.add_rule(Rule::NamesAndBirthAgree, 0.0);
        }
        if nhs.relation == NhsRelation::Different {
            let demographic = b.total - b.weight[IDENTIFIER];
            b.band = if demographic >= weight_of(self.thresholds.auto_link_probability) {
                Band::Review
            } else {
                Band::New
            };
            b.add_rule(Rule::NhsNumberConflict, 0.0);
        }
        if b.deterministic {
            b.band = Band::Auto;
        }
        b
    }

    /// The caps on the child's own details (issue 18), each never auto-linking. Like the twin
    /// cap, they guard against taking one child of a household for another, and they are
    /// switched with it (`Thresholds::household_safeguards`, the household safeguards):
    /// - no given name on one side: a twin could not be told apart (unless the household rule
    ///   already held the pair for the same reason);
    /// - dates of birth months or years apart (neither a keystroke nor a day/month swap away):
    ///   a different child;
    /// - fewer than `Thresholds::min_identity_agreements` of given name, family name and date
    ///   of birth agreeing: the rest of the weight is the home's, which a household shares;
    /// - the home differs (a move, or another family) and names and date of birth do not all
    ///   agree exactly: the link would rest on similar names and a birthday alone, and in a
    ///   register of a million, namesakes with similar names born the same day exist
    ///   (`Isabella`/`Isabelle Powell`, both born 2014-07-25, in different towns).
    fn identity_caps(
        &self,
        query: &PersonRef,
        person: &PersonRef,
        gamma: &Gamma,
        household: Option<&Household>,
    ) -> impl Iterator<Item = Rule> {
        let on = self.thresholds.household_safeguards;
        let no_given = on
            && (query.given.is_none() || person.given.is_none())
            && !household.is_some_and(|h| h.rule == Rule::HouseholdNoGivenName);
        let distant = on && dates_of_birth_apart(gamma);
        let weak = on && identity_agreements(gamma) < self.thresholds.min_identity_agreements;
        let moved = on && home_differs(gamma) && !names_and_birth_agree(gamma);
        [
            (no_given, Rule::NoGivenName),
            (distant, Rule::DistantDateOfBirth),
            (weak, Rule::WeakEvidence),
            (moved, Rule::HomeDiffers),
        ]
        .into_iter()
        .filter_map(|(applies, rule)| applies.then_some(rule))
    }

    fn band_of(&self, weight: f64) -> Band {
        let probability = probability_of(weight);
        if probability >= self.thresholds.auto_link_probability {
            Band::Auto
        } else if probability >= self.thresholds.review_probability {
            Band::Review
        } else {
            Band::New
        }
    }

    /// Splink's term-frequency adjustment: log2(u_exact / frequency of the value), the
    /// frequency smoothed towards u_exact while the register is small, and capped above.
    fn tf_adjustment(&self, comparison: usize, (count, total): (u32, u64)) -> f64 {
        let u_exact = self.model.u[comparison][1];
        let settings = &self.model.term_frequency;
        let frequency = (f64::from(count) + settings.pseudo_count * u_exact)
            / (total as f64 + settings.pseudo_count);
        (u_exact / frequency).log2().min(settings.max_boost_bits)
    }

    fn household_rule(
        &self,
        query: &PersonRef,
        person: &PersonRef,
        b: &Breakdown,
    ) -> Option<Household> {
        let gamma = &b.gamma;
        // The household safeguards off: the weights alone decide, the home and family name
        // counted as for one child (no twin cap, no sibling penalty, no no-given-name cap).
        if gamma[IDENTIFIER] == comparison::identifier::EXACT
            || !self.thresholds.household_safeguards
        {
            return None;
        }
        let born_together = gamma[DOB] == dob::EXACT
            || matches!(
                (query.dob.and_then(|d| d.day_number()), person.dob.and_then(|d| d.day_number())),
                (Some(x), Some(y)) if (x - y).abs() <= 1
            );
        if !same_home(query, person, gamma) {
            // A twin whose family has moved (or whose home is written differently): the same
            // family name and birthday with a different given name is still a co-twin, not the
            // same child (issue 18: twins must never auto-link).
            let family_agrees = matches!(gamma[FAMILY], family::EXACT | family::JW_92);
            let given_differs = matches!((query.given, person.given), (Some(a), Some(b)) if self.names_differ(a, b));
            return (born_together && family_agrees && given_differs).then_some(Household {
                rule: Rule::TwinCap,
                adjustment: 0.0,
            });
        }
        let HouseholdNames {
            query_given,
            person_given,
            family_shared,
        } = household_given_names(query, person, gamma)?;
        // The household's shared evidence: whatever the home and the family name added.
        let home_weight = b.weight[ADDRESS].max(0.0) + b.weight[POSTCODE].max(0.0);
        let discount = -(home_weight + (b.weight[FAMILY] + b.tf[FAMILY]).max(0.0));
        let given_differs = match (query_given, person_given) {
            (Some(a), Some(b)) => self.names_differ(a, b),
            _ => false,
        };
        let given_missing = query_given.is_none() || person_given.is_none();
        if given_differs && born_together {
            // Not discounted: a twin is a person a human should see, side by side.
            Some(Household {
                rule: Rule::TwinCap,
                adjustment: 0.0,
            })
        } else if given_differs && gamma[DOB] == dob::ONE_EDIT_OR_SWAP {
            // Hardly a sibling: brothers and sisters are born months apart, and a date a
            // keystroke or a day/month swap away is then almost only the same day of another
            // year (about one sibling pair in 365). Most likely the same child under another
            // given name (a preferred, changed or middle name): a person decides, side by side.
            Some(Household {
                rule: Rule::PossibleNameChange,
                adjustment: 0.0,
            })
        } else if given_differs && family_shared && (query.dob.is_none() || person.dob.is_none()) {
            // The home and the family name agree and one date of birth is missing: only the
            // given name is left to tell a brother or sister from the child, and a given name
            // is what a renamed child changes (the mirror of `HouseholdNoGivenName`). A person
            // decides; never auto, never new (issue 18). The family name may agree crosswise
            // (one record's names the wrong way round, `Clarke, Lucy` against `Lucy Bakowski`):
            // the given names compared are then the other two, as for the sibling rule.
            Some(Household {
                rule: Rule::SiblingOrSameChild,
                adjustment: 0.0,
            })
        } else if given_differs {
            Some(Household {
                rule: Rule::SiblingPenalty,
                adjustment: discount - self.thresholds.sibling_penalty_bits,
            })
        } else if given_missing && !matches!(gamma[DOB], dob::EXACT | dob::ONE_EDIT_OR_SWAP) {
            // The child with a mistyped date of birth, or a brother or sister: a human decides.
            Some(Household {
                rule: Rule::HouseholdNoGivenName,
                adjustment: 0.0,
            })
        } else {
            None
        }
    }
}
