//! What the generator is asked for ([`SyntheticConfig`]) and what it gives ([`SyntheticSet`]):
//! the register and the referrals, each labelled with its kind ([`QueryKind`]), the truth
//! ([`Truth`]) and the errors it carries.

use crate::record::Record;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticConfig {
    /// Seed of the random stream; the same configuration always gives the same set.
    pub seed: u64,
    /// Households in the register (1.93 children each on average: 10,360 households make about
    /// 20,000 register people).
    pub households: usize,
    /// Number of labelled referrals.
    pub queries: usize,
    /// Share of referrals that carry an NHS number (for example 0.5, or 0.0 for none).
    pub nhs_number_share: f64,
}

/// Who a referral really is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Truth {
    /// The register person with this id.
    Existing(String),
    /// Nobody in the register.
    New,
}

/// What a referral really is, relative to its nearest register person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QueryKind {
    /// A person in the register, referred again.
    SamePerson,
    /// An unregistered brother or sister of a register person (same household).
    Sibling,
    /// The unregistered twin of a register person (same household and date of birth).
    CoTwin,
    /// Someone from a household the register has never seen.
    NewPerson,
}

impl QueryKind {
    /// All kinds, in reporting order.
    pub const ALL: [QueryKind; 4] = [
        QueryKind::SamePerson,
        QueryKind::Sibling,
        QueryKind::CoTwin,
        QueryKind::NewPerson,
    ];

    /// A short lower-case label (`same person`, `sibling`, `co-twin`, `new person`).
    pub fn label(self) -> &'static str {
        match self {
            QueryKind::SamePerson => "same person",
            QueryKind::Sibling => "sibling",
            QueryKind::CoTwin => "co-twin",
            QueryKind::NewPerson => "new person",
        }
    }
}

/// A referral with the answer the matcher should give.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledQuery {
    /// The referral as the matcher sees it (`id` is an opaque query id).
    pub record: Record,
    /// Who it really is.
    pub truth: Truth,
    /// What it really is.
    pub kind: QueryKind,
    /// The corruptions applied, by name (see [`SAME_PERSON_ERRORS`] and [`MILD_ERRORS`]);
    /// `nhs_typo` when the NHS number was mistyped.
    pub errors: Vec<&'static str>,
    /// The register person the referral is nearest to: the same person, the registered sibling
    /// or the registered twin; `None` for new people.
    pub nearest: Option<String>,
}

/// A register and referrals labelled against it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticSet {
    /// Register people (ids `R000000`, `R000001`, … in shuffled order: ids say nothing about
    /// households).
    pub register: Vec<Record>,
    /// Referrals (ids `Q00000`, … in shuffled order).
    pub queries: Vec<LabelledQuery>,
}
