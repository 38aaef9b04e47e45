//! What the need counts keep of a young person's "about" record ([`AboutFacts`]).

use super::super::Sex;
use crate::about::{AboutYoungPerson, SexAtBirth, UptakeGroup};

/// What the counts read of a young person's "about" record, in four bytes: their uptake
/// groups ([`AboutYoungPerson::uptake_groups`], the dashboard's too) and the answers the
/// counts look at (sex registered at birth, and whether the disability and the group
/// questions were answered). A copy of the record's inputs kept in memory keeps this instead
/// of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AboutFacts(u32);

/// Bits of [`AboutFacts`]: one per uptake group, then these.
const GROUP_BITS: u32 = UptakeGroup::ALL.len() as u32;
pub(super) const FEMALE: u32 = 1 << GROUP_BITS;
pub(super) const MALE: u32 = 1 << (GROUP_BITS + 1);
pub(super) const SEX_ANSWERED: u32 = 1 << (GROUP_BITS + 2);
pub(super) const DISABILITY_ANSWERED: u32 = 1 << (GROUP_BITS + 3);
pub(super) const GROUPS_ANSWERED: u32 = 1 << (GROUP_BITS + 4);
const _: () = assert!(UptakeGroup::ALL.len() + 5 <= 32, "AboutFacts holds 32 bits");

impl AboutFacts {
    /// What the counts read of `about`.
    pub fn of(about: &AboutYoungPerson) -> AboutFacts {
        let mut bits = about
            .uptake_groups()
            .iter()
            .fold(0u32, |bits, group| bits | (1 << group.index()));
        bits |= match about.sex_at_birth {
            Some(SexAtBirth::Female) => FEMALE | SEX_ANSWERED,
            Some(SexAtBirth::Male) => MALE | SEX_ANSWERED,
            Some(SexAtBirth::PreferNotToSay) => SEX_ANSWERED,
            None => 0,
        };
        if about.disability.is_some() {
            bits |= DISABILITY_ANSWERED;
        }
        if crate::about::GROUP_QUESTIONS
            .iter()
            .any(|(name, _)| about.group(name).is_some())
            || about.autistic.is_some()
            || about.adhd.is_some()
        {
            bits |= GROUPS_ANSWERED;
        }
        AboutFacts(bits)
    }

    /// The uptake groups as a bit set over [`UptakeGroup::ALL`] (bit `i`: the group of index `i`).
    pub fn uptake_mask(self) -> u32 {
        self.0 & ((1 << GROUP_BITS) - 1)
    }

    /// In `group`.
    pub fn in_group(self, group: UptakeGroup) -> bool {
        self.0 & (1 << group.index()) != 0
    }

    /// Sex registered at birth, when female or male.
    pub fn sex(self) -> Option<Sex> {
        if self.0 & FEMALE != 0 {
            Some(Sex::Female)
        } else if self.0 & MALE != 0 {
            Some(Sex::Male)
        } else {
            None
        }
    }

    pub(super) fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}
