//! The referral lifecycle through the store: triage, allocation, contacts, step up,
//! discharge and transition, with the projection checked against the events at every step;
//! waiting lists with a pinned clock; and refusal of conflicting or illegal changes.

mod conflicts;
mod journey;
mod transition;
mod waiting;

use jiff::SignedDuration;
use nwd_domain::{ReferralId, ServiceId};
use nwd_store::{ReferralSearch, ReferralSummary, WaitingList};

use crate::backend::TestStore;

const HOUR: SignedDuration = SignedDuration::from_hours(1);
const DAY: SignedDuration = SignedDuration::from_hours(24);

async fn waiting(t: &TestStore, service_id: ServiceId) -> WaitingList {
    t.store.waiting_list(service_id, 100, 0).await.unwrap()
}

fn waiting_referrals(list: &WaitingList) -> Vec<ReferralId> {
    list.entries.iter().map(|e| e.referral_id).collect()
}

async fn summary(t: &TestStore, id: ReferralId) -> ReferralSummary {
    let page = t
        .store
        .search_referrals(&ReferralSearch::default())
        .await
        .unwrap();
    page.items.into_iter().find(|s| s.id == id).unwrap()
}
