//! The matcher's view of a person: raw demographic strings as supplied, so that corrupted
//! values (a mistyped date of birth, an NHS number failing its check digit) can still be
//! compared approximately. `id` is an opaque key and is never interpreted.

use serde::{Deserialize, Serialize};

/// One person record, in the register or arriving with a referral.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Opaque key (a register person id, or a query id). Never read for meaning.
    pub id: String,
    /// NHS number as supplied (may be missing, formatted with spaces, or fail its check digit).
    pub nhs_number: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Date of birth as supplied, ideally `YYYY-MM-DD` (may be corrupt).
    pub date_of_birth: Option<String>,
    /// Address lines as one string.
    pub address: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Sex, if known (`male`, `female`, …).
    pub sex: Option<String>,
}
