//! What a match returns and what is stored with the decision: the band, the candidates, and for
//! each candidate the waterfall of match weights ([`Explanation`]) — the prior, one bar per
//! comparison (level, weight, term-frequency adjustment) and every rule that moved the weight or
//! capped the band. All of it serialises with serde.

use serde::{Deserialize, Serialize};

/// The three outcomes of a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Register a new person.
    New,
    /// A person decides, shown the candidates side by side.
    Review,
    /// Link to the best candidate without asking.
    Auto,
}

impl Band {
    /// `auto`, `review` or `new`, as in the batch file format.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::New => "new",
            Band::Review => "review",
            Band::Auto => "auto",
        }
    }
}

/// The rules that can apply on top of the Fellegi–Sunter weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Valid NHS numbers equal, with date of birth or family name agreeing: linked.
    NhsNumberDeterministicLink,
    /// Valid NHS numbers equal but neither date of birth nor family name agrees: the weights
    /// decide (the number still counts as an exact identifier).
    NhsNumberUnconfirmed,
    /// Both valid NHS numbers and different: not the same person; never auto-linked, and only
    /// sent to review when the demographics alone would have auto-linked.
    NhsNumberConflict,
    /// An NHS number failing its check digit (on the query or the candidate): ignored.
    NhsNumberInvalidIgnored,
    /// Same household, different given name: the household's shared evidence (address,
    /// postcode, family name) is discounted and a further penalty applied.
    SiblingPenalty,
    /// Same household, no given name to tell children apart and dates of birth that differ:
    /// the band is capped at review.
    HouseholdNoGivenName,
    /// Same household and date of birth (or a day apart), different given name: a twin. The
    /// band is capped at review.
    TwinCap,
    /// Same home, a different given name, and a date of birth a keystroke or a day/month swap
    /// away: not a brother or sister (they are not born days apart, and rarely on the same
    /// date), possibly the same child under another name (a preferred or changed name). Held
    /// at review — never auto-linked, never registered as new without a person looking.
    PossibleNameChange,
    /// Same home and family name, a different given name and no date of birth to compare:
    /// only the given name tells a brother or sister from the same child, and a renamed child
    /// changes it. Held at review — never auto-linked, never registered as new without a
    /// person looking (issue 18; the mirror of `HouseholdNoGivenName`).
    SiblingOrSameChild,
    /// More than one registered person reaches auto-link: the outcome goes to review.
    Ambiguous,
    /// Address and postcode both disagree: one fact (a move) about one home, counted once —
    /// the smaller penalty is given back.
    HomeCountedOnce,
    /// No given name on one side and no NHS number linking: a twin could not be told apart,
    /// so the band is capped at review.
    NoGivenName,
    /// Dates of birth months or years apart (not a keystroke or a day/month swap): not the same
    /// child, never auto-linked.
    DistantDateOfBirth,
    /// Fewer than two of given name, family name and date of birth agree: too little about the
    /// child (rather than the home) to auto-link.
    WeakEvidence,
    /// The home differs (a move, or another family) and given name, family name and date of
    /// birth do not all agree exactly: never auto-linked — at a million people, namesakes with
    /// similar names born the same day exist.
    HomeDiffers,
    /// Given name, family name and date of birth all agree: never registered as new without a
    /// person looking, however large the register.
    NamesAndBirthAgree,
    /// An NHS number that is a placeholder (`0000000000`, `1111111111`, … `9999999999`): it
    /// passes modulus 11 but is nobody's; ignored and flagged.
    NhsNumberPlaceholderIgnored,
    /// An NHS number the register holds for two or more different people: it identifies none
    /// of them; ignored and flagged.
    NhsNumberSharedIgnored,
}

/// A rule that applied, with its effect on the match weight (0 when it only capped the band).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleApplied {
    /// Which rule.
    pub rule: Rule,
    /// Bits added to the match weight (negative for penalties).
    pub weight_adjustment: f64,
    /// Human-readable reason.
    pub detail: String,
}

/// One bar of the waterfall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonWeight {
    /// Comparison name, e.g. `date_of_birth`.
    pub comparison: String,
    /// The level the pair reached, e.g. `one edit or day/month swap`, or `missing`.
    pub level: String,
    /// log2 Bayes factor of the level, log2(m/u); 0 when missing.
    pub weight: f64,
    /// Term-frequency adjustment in bits (exact name agreement only; 0 otherwise).
    pub tf_adjustment: f64,
}

/// The waterfall: `match_weight = prior_weight + Σ (weight + tf_adjustment) + Σ rule adjustments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// log2 prior odds that the query is this registered person.
    pub prior_weight: f64,
    /// One entry per comparison, in model order.
    pub comparisons: Vec<ComparisonWeight>,
    /// Rules applied, in the order applied.
    pub rules: Vec<RuleApplied>,
    /// The total.
    pub match_weight: f64,
}

/// A registered person considered for the query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The registered person's opaque id.
    pub id: String,
    /// The band this candidate alone would give.
    pub band: Band,
    /// Total match weight in bits.
    pub match_weight: f64,
    /// Match probability, from the weight.
    pub match_probability: f64,
    /// Why.
    pub explanation: Explanation,
}

/// The result of matching one query against the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchOutcome {
    /// Auto-link, review, or new person.
    pub band: Band,
    /// The best candidate, unless the band is `new`.
    pub best: Option<Candidate>,
    /// The top candidates (at most `Thresholds::top_k`), best first, whatever their band.
    pub candidates: Vec<Candidate>,
    /// Rules that concern the whole outcome (ambiguity, an invalid NHS number on the query).
    pub rules: Vec<RuleApplied>,
    /// How many registered people the blocking index proposed and were scored.
    pub candidates_scored: usize,
}
