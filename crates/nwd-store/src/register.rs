//! The person register's corrections: match decisions, the review queue, "not the same
//! person", and merge/unmerge. A merge moves referrals by appending a `person_relinked` event
//! to each (never rewriting history) and records exactly which referrals moved, so unmerge
//! restores them exactly. Both carry who, when and why.
//!
//! One submodule per area: match decisions and the review queue (`review`), merge and unmerge
//! (`merge`), "not the same person" (`not_same`), a record's history (`history`), and what the
//! matcher reads (`parameters`); here, the reason every correction must give.

use nwd_domain::linking::{MatchBand, MatchCandidate, MatchProposal};
use nwd_domain::person::Person;
use nwd_domain::referral::Referral;
use nwd_domain::{DomainError, PersonId, ReferralId};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use crate::codec::{ms, ts, uuid};
use crate::intake::person_from_row;
use crate::referrals::{insert_events, load_events, write_projection};
use crate::{Store, StoreError};

mod history;
mod merge;
mod not_same;
mod parameters;
mod review;

pub use history::PersonHistory;
pub use merge::PersonMerge;
pub(crate) use review::record_match;
pub use review::{MatchReview, ReviewDecision};

use merge::{load_merge, merge_in};
use not_same::{ordered, record_not_same};

fn require_reason(reason: &str) -> Result<(), StoreError> {
    if reason.trim().is_empty() {
        return Err(DomainError::invalid(
            "reason",
            "say why: merges, separations and review decisions are audited",
        )
        .into());
    }
    Ok(())
}
