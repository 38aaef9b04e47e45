//! The need page's counts (`Store::need_counts`) from the kept inputs: the referrals received
//! in a period, found from the whole system's receipts in the statements' referral timeline
//! (`timeline`), each classified by `NeedCounts::count` from what was kept when it was read —
//! its young person's postcode district and age on the day received, what their "about"
//! record said (`AboutFacts`), and whether an allocation of it was seen.
//!
//! Referrals alike (same district, age, facts and seen) are gathered first and counted
//! together (`NeedCounts::count_alike`), so the domain's maps are touched once per kind of
//! referral, not once per referral.

use std::collections::HashMap;

use nwd_domain::population::report::{AboutFacts, NeedCounts, ReferralFacts};
use nwd_domain::population::Area;

use super::timeline::{ReferralEvent, SYSTEM};
use super::Mirror;

impl Mirror {
    /// The need page's counts of the referrals received in `[from, to)` (milliseconds);
    /// `in_population` says whether a district is in the population table.
    pub(crate) fn need_counts(
        &self,
        from: i64,
        to: i64,
        in_population: impl Fn(&Area) -> bool,
    ) -> NeedCounts {
        let mut alike: HashMap<(u32, Option<u8>, AboutFacts, bool), u64> = HashMap::new();
        self.timelines.referrals.each(SYSTEM, from, to, |row| {
            if !matches!(row.event, ReferralEvent::Received { .. }) {
                return;
            }
            if let Some(Some(entry)) = self.entries.get(row.referral as usize) {
                *alike
                    .entry((entry.area, entry.age, entry.about, entry.seen))
                    .or_default() += 1;
            }
        });
        let mut counts = NeedCounts::new();
        for ((area, age, about, seen), referrals) in alike {
            counts.count_alike(
                ReferralFacts {
                    area: self.areas.get(area as usize),
                    age: age.map(i16::from),
                    about,
                    seen,
                },
                referrals,
                &in_population,
            );
        }
        counts
    }
}
