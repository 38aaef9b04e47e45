//! The no-wrong-door ledger of every request received in each of a list of periods, from
//! the kept inputs: the dashboard's one definition (`figures.rs`, `Mirror::ledger`) counted
//! per period, for the quarterly performance report.

use crate::dashboard::Ledger;

use super::Mirror;

impl Mirror {
    /// The ledger of the requests received in each of `periods` (`[from, to)`, milliseconds),
    /// every referral and service.
    pub(crate) fn ledgers(&self, periods: &[(i64, i64)]) -> Vec<Ledger> {
        let mut at_service: Vec<(u32, u32)> = self
            .allocations
            .iter()
            .map(|a| (a.referral, a.service))
            .collect();
        at_service.sort_unstable();
        at_service.dedup();
        let every = vec![true; self.entries.len()];
        let period_of = |at: i64| periods.iter().position(|&(from, to)| at >= from && at < to);
        self.ledger(periods.len(), &period_of, &every, &at_service)
    }
}
