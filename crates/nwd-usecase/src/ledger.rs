//! The no-wrong-door ledger as commissioners see it, for the dashboard and the quarterly
//! report alike: the store's exact counts (`nwd_store::dashboard::Ledger`) published once, by
//! `nwd_domain::ledger::publish` — small numbers hidden, rounded, and secondary suppression
//! over the tables that share the "All" row. Rows go in in key order, so the same counts are
//! always published the same way, whichever page shows them.

use nwd_domain::disclosure::Suppression;
use nwd_domain::ledger::{publish, LedgerCounts, PublishedLedgerRow};
use nwd_domain::ServiceId;
use nwd_store::dashboard::Ledger;

/// A ledger as published, each row under its key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyedLedger {
    /// Every request.
    pub all: PublishedLedgerRow,
    /// By source of referral (API name), in key order.
    pub by_source: Vec<(String, PublishedLedgerRow)>,
    /// By need group now (API name; `not_triaged`), in key order.
    pub by_need_group: Vec<(String, PublishedLedgerRow)>,
    /// By service allocated, in id order.
    pub by_service: Vec<(ServiceId, PublishedLedgerRow)>,
}

/// Publishes `ledger` under `rule`.
pub fn publish_ledger(ledger: &Ledger, rule: Suppression) -> KeyedLedger {
    let counts = |rows: Vec<&LedgerCounts>| rows.into_iter().copied().collect::<Vec<_>>();
    let p = publish(
        &ledger.all,
        &counts(ledger.by_source.values().collect()),
        &counts(ledger.by_need_group.values().collect()),
        &counts(ledger.by_service.values().collect()),
        rule,
    );
    KeyedLedger {
        all: p.all,
        by_source: ledger.by_source.keys().cloned().zip(p.by_source).collect(),
        by_need_group: ledger
            .by_need_group
            .keys()
            .cloned()
            .zip(p.by_need_group)
            .collect(),
        by_service: ledger
            .by_service
            .keys()
            .copied()
            .zip(p.by_service)
            .collect(),
    }
}
