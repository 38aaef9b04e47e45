//! The commissioner dashboard's monthly aggregates against a hand-computed fixture: six
//! referrals over January–April 2025 in Europe/London (the clocks go forward on 30 March, so
//! March ends at 23:00 UTC), with triage, a signposting, contacts, a step up and a step down.

mod fixture;
mod kept;
mod ledger;
mod outcomes;
mod random;
mod transitions;

use jiff::Timestamp;

fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

/// A small deterministic random source (xorshift64*), so the random write sequences repeat.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

/// The payment and activity statements' counts (`Store::activity`, issue 20) from the kept
/// inputs equal those read afresh, by quarter, for one service and for two together.
pub(crate) async fn activity_agrees(
    t: &crate::backend::TestStore,
    services: &[nwd_domain::ServiceId],
    when: &str,
) {
    use jiff::civil::date;
    let at = |d: jiff::civil::Date| d.to_zoned(t.store.tz().clone()).unwrap().timestamp();
    let quarters: Vec<(Timestamp, Timestamp)> = [
        (date(2024, 7, 1), date(2024, 10, 1)),
        (date(2024, 10, 1), date(2025, 1, 1)),
        (date(2025, 1, 1), date(2025, 4, 1)),
        (date(2025, 4, 1), date(2025, 7, 1)),
    ]
    .iter()
    .map(|(from, to)| (at(*from), at(*to)))
    .collect();
    let sorted = |mut a: Vec<nwd_domain::commissioning::statement::Activity>| {
        for row in &mut a {
            row.wait_days.sort_unstable();
            row.second_wait_days.sort_unstable();
            row.triage_minutes.sort_unstable();
        }
        a
    };
    for chosen in [&services[..1], &services[..2]] {
        let served = t.store.activity(chosen, &quarters).await.unwrap();
        let fresh = t
            .store
            .compute_activity(Some(chosen), &quarters)
            .await
            .unwrap();
        assert_eq!(sorted(served), sorted(fresh), "activity {when}");
    }
    let served = t.store.system_activity(&quarters).await.unwrap();
    let fresh = t.store.compute_activity(None, &quarters).await.unwrap();
    assert_eq!(sorted(served), sorted(fresh), "system activity {when}");

    // The kept inputs filed by service and time count what one scan of every referral
    // counts, for quarters and for overlapping periods (a thing counts in the first period
    // holding it), an empty one among them.
    let overlapping = vec![
        quarters[1],
        (quarters[0].0, quarters[3].1),
        (quarters[2].1, quarters[2].1),
        quarters[2],
    ];
    for periods in [&quarters, &overlapping] {
        for chosen in [Some(&services[..1]), Some(&services[..2]), None] {
            let filed = match chosen {
                Some(chosen) => t.store.activity(chosen, periods).await.unwrap(),
                None => t.store.system_activity(periods).await.unwrap(),
            };
            let scanned = t.store.activity_by_scan(chosen, periods).await.unwrap();
            assert_eq!(
                sorted(filed),
                sorted(scanned),
                "filed and scanned activity {when}"
            );
        }
    }
}
