//! The ledger as published to commissioners: every count through the small-number rule, then
//! secondary suppression over the equations the tables satisfy, so that no hidden count can
//! be worked out from a total, from the other table or from the two together.
//!
//! The equations: each row's "received" is the sum of its seven journeys; the by-referrer
//! rows and the by-need-group rows each add up, journey by journey and in "received" and
//! "came back", to the "All" row (each request has one referrer and one need group), so the
//! two tables share that row's margins and are protected together
//! ([`protect_linked`]). A request allocated to two services counts at both, so the
//! by-service rows add up to nothing published: each is protected against its own total.
//! Shares are worked out from the published counts ([`Suppression::share`]).

use crate::disclosure::protect::{protect_linked, Shown};
use crate::disclosure::Suppression;

use super::{Journey, LedgerCounts};

/// One row of the ledger as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PublishedLedgerRow {
    /// Requests received.
    pub received: Shown,
    /// By journey, in [`Journey::ALL`] order.
    pub journeys: [Shown; 7],
    /// Came back within six months.
    pub returned: Shown,
}

impl PublishedLedgerRow {
    /// The per cent of the requests received that had `journey`, from the published counts.
    pub fn share(&self, journey: Journey, rule: &Suppression) -> Option<u64> {
        rule.share(
            self.journeys[journey.index()].published(),
            self.received.published(),
        )
    }

    /// The per cent that came back within six months, from the published counts.
    pub fn returned_share(&self, rule: &Suppression) -> Option<u64> {
        rule.share(self.returned.published(), self.received.published())
    }
}

/// The whole ledger as published: the "All" row and the three tables, rows in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedLedger {
    /// Every request.
    pub all: PublishedLedgerRow,
    /// By referrer.
    pub by_source: Vec<PublishedLedgerRow>,
    /// By need group.
    pub by_need_group: Vec<PublishedLedgerRow>,
    /// By service allocated.
    pub by_service: Vec<PublishedLedgerRow>,
}

/// Figures and equations, built row by row.
#[derive(Default)]
struct System {
    values: Vec<u64>,
    totals: Vec<bool>,
    equations: Vec<(usize, Vec<usize>)>,
}

/// Where one row's figures are.
#[derive(Clone, Copy)]
struct RowAt {
    received: usize,
    journeys: usize,
    returned: usize,
}

impl System {
    fn push(&mut self, value: u64, total: bool) -> usize {
        self.values.push(value);
        self.totals.push(total);
        self.values.len() - 1
    }

    /// A row's figures and its own equation (received = the sum of its journeys).
    fn row(&mut self, c: &LedgerCounts, margin: bool) -> RowAt {
        let received = self.push(c.received, true);
        let journeys = self.values.len();
        for n in c.journeys {
            self.push(n, margin);
        }
        let returned = self.push(c.returned, margin);
        self.equations
            .push((received, (journeys..journeys + 7).collect()));
        RowAt {
            received,
            journeys,
            returned,
        }
    }

    /// `rows` add up to `all`, figure by figure.
    fn adds_up_to(&mut self, all: RowAt, rows: &[RowAt]) {
        self.equations
            .push((all.received, rows.iter().map(|r| r.received).collect()));
        for j in 0..7 {
            self.equations.push((
                all.journeys + j,
                rows.iter().map(|r| r.journeys + j).collect(),
            ));
        }
        self.equations
            .push((all.returned, rows.iter().map(|r| r.returned).collect()));
    }
}

/// Whether `rows` add up to `all` in every figure (they do when each request is in one row).
fn partitions(all: &LedgerCounts, rows: &[LedgerCounts]) -> bool {
    let mut sum = LedgerCounts::default();
    for r in rows {
        sum.received += r.received;
        sum.returned += r.returned;
        for (s, n) in sum.journeys.iter_mut().zip(r.journeys) {
            *s += n;
        }
    }
    sum == *all
}

/// Publishes the ledger: `by_source` and `by_need_group` each add up to `all` (one referrer
/// and one need group per request); `by_service` rows overlap. Tables that do not add up
/// (which the store's counting never gives) are protected row by row instead of being linked.
pub fn publish(
    all: &LedgerCounts,
    by_source: &[LedgerCounts],
    by_need_group: &[LedgerCounts],
    by_service: &[LedgerCounts],
    rule: Suppression,
) -> PublishedLedger {
    let mut system = System::default();
    let all_at = system.row(all, true);
    let table = |system: &mut System, rows: &[LedgerCounts]| -> Vec<RowAt> {
        let at: Vec<RowAt> = rows.iter().map(|r| system.row(r, false)).collect();
        if partitions(all, rows) {
            system.adds_up_to(all_at, &at);
        }
        at
    };
    let source_at = table(&mut system, by_source);
    let need_at = table(&mut system, by_need_group);
    let service_at: Vec<RowAt> = by_service.iter().map(|r| system.row(r, false)).collect();
    let totals = system.totals.clone();
    let shown = protect_linked(&system.values, &system.equations, rule, |i| totals[i]);
    let read = |at: RowAt| PublishedLedgerRow {
        received: shown[at.received],
        journeys: std::array::from_fn(|j| shown[at.journeys + j]),
        returned: shown[at.returned],
    };
    PublishedLedger {
        all: read(all_at),
        by_source: source_at.into_iter().map(read).collect(),
        by_need_group: need_at.into_iter().map(read).collect(),
        by_service: service_at.into_iter().map(read).collect(),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use super::*;
    use crate::disclosure::protect::MIN_POSSIBLE;
    use proptest::prelude::*;

    fn counts(journeys: [u64; 7], returned: u64) -> LedgerCounts {
        LedgerCounts {
            received: journeys.iter().sum(),
            journeys,
            returned,
        }
    }

    fn sum(rows: &[LedgerCounts]) -> LedgerCounts {
        let mut all = LedgerCounts::default();
        for r in rows {
            all.received += r.received;
            all.returned += r.returned;
            for (s, n) in all.journeys.iter_mut().zip(r.journeys) {
                *s += n;
            }
        }
        all
    }

    #[test]
    fn with_rounding_every_count_is_rounded_and_nothing_more_is_hidden() {
        let gp = counts([22, 3, 6, 9, 0, 0, 0], 7);
        let school = counts([30, 12, 1, 0, 8, 4, 0], 2);
        let all = sum(&[gp, school]);
        let p = publish(&all, &[gp, school], &[all], &[gp], Suppression::default());
        let texts = |r: &PublishedLedgerRow| {
            let mut t = vec![r.received.text()];
            t.extend(r.journeys.iter().map(|s| s.text()));
            t.push(r.returned.text());
            t
        };
        assert_eq!(
            texts(&p.by_source[0]),
            ["40", "20", "*", "5", "10", "*", "*", "*", "5"]
        );
        assert_eq!(
            texts(&p.all),
            ["95", "50", "15", "5", "10", "10", "*", "*", "10"]
        );
        assert_eq!(
            p.by_source[0].share(Journey::ReachedHelp, &Suppression::default()),
            Some(50)
        );
        assert!(p
            .by_source
            .iter()
            .chain(&p.by_need_group)
            .flat_map(|r| r.journeys)
            .all(|s| s != Shown::Withheld));
    }

    /// Without rounding, a lone `*` in a referrer's row would be its received less the rest:
    /// another figure of the row is withheld, and so on until no `*` can be worked out —
    /// across both tables, which share the "All" row.
    #[test]
    fn without_rounding_a_lone_hidden_journey_takes_another_with_it() {
        let rule = Suppression {
            enabled: true,
            below: 5,
            round_to: 1,
        };
        // The GP row's only small count is 3: exact counts and the row's total would give it
        // away (70 − 67), and so would its column (all 15 − school 12).
        let gp = counts([22, 3, 6, 9, 10, 10, 10], 7);
        let school = counts([30, 12, 10, 5, 8, 6, 5], 9);
        let all = sum(&[gp, school]);
        let p = publish(&all, &[gp, school], &[gp, school], &[], rule);
        assert_eq!(p.by_source[0].journeys[1], Shown::Suppressed);
        assert!(
            p.by_source[0].journeys.contains(&Shown::Withheld),
            "another figure of the GP row is withheld: {p:?}"
        );
        let column_shown = [p.by_source[1].journeys[1], p.all.journeys[1]]
            .iter()
            .filter(|s| s.value().is_some())
            .count();
        assert!(
            column_shown < 2,
            "the column no longer gives it away: {p:?}"
        );
    }

    /// Exact values a published row and its linked tables allow for each `*`, by brute force
    /// over small counts: every journey figure of two referrer rows and two need-group rows
    /// that add up to the same "All" row.
    fn possible(p: &PublishedLedger, rule: Suppression, limit: u64) -> Vec<Vec<u64>> {
        let rows: Vec<&PublishedLedgerRow> = p.by_source.iter().chain(&p.by_need_group).collect();
        let fits = |shown: Shown, v: u64| {
            shown == Shown::Withheld || Shown::from_published(rule.count(v)) == shown
        };
        // One journey column at a time: this checks the column equations that tie the two
        // tables to their shared "All" row; a single table's row equations are checked by
        // `disclosure::protect`'s own property test.
        let mut out = vec![Vec::new(); rows.len() * 7];
        for j in 0..7 {
            let mut seen = vec![std::collections::BTreeSet::new(); rows.len()];
            for a in 0..=limit {
                for b in 0..=limit {
                    for c in 0..=limit {
                        for d in 0..=limit {
                            let v = [a, b, c, d];
                            let ok = v.iter().zip(&rows).all(|(x, r)| fits(r.journeys[j], *x))
                                && fits(p.all.journeys[j], a + b)
                                && fits(p.all.journeys[j], c + d)
                                && a + b == c + d;
                            if ok {
                                for (s, x) in seen.iter_mut().zip(v) {
                                    s.insert(x);
                                }
                            }
                        }
                    }
                }
            }
            for (i, s) in seen.into_iter().enumerate() {
                out[i * 7 + j] = s.into_iter().collect();
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// With the default rule, no hidden journey count of the linked tables can be narrowed
        /// to fewer than three values from the tables and their shared "All" row.
        #[test]
        fn no_hidden_journey_is_recoverable_from_the_linked_tables(
            a in proptest::collection::vec(0u64..9, 7),
            b in proptest::collection::vec(0u64..9, 7),
            split in proptest::collection::vec(0u64..9, 7),
        ) {
            let rule = Suppression::default();
            let a: [u64; 7] = std::array::from_fn(|j| a[j]);
            let b: [u64; 7] = std::array::from_fn(|j| b[j]);
            // The same requests by need group: a different split of each journey's total.
            let c: [u64; 7] = std::array::from_fn(|j| split[j].min(a[j] + b[j]));
            let d: [u64; 7] = std::array::from_fn(|j| a[j] + b[j] - c[j]);
            let rows = [counts(a, 0), counts(b, 0)];
            let needs = [counts(c, 0), counts(d, 0)];
            let all = sum(&rows);
            let p = publish(&all, &rows, &needs, &[], rule);
            let possible = possible(&p, rule, 16);
            let shown: Vec<Shown> = p.by_source.iter().chain(&p.by_need_group).flat_map(|r| r.journeys).collect();
            for (i, s) in shown.iter().enumerate() {
                if *s == Shown::Suppressed {
                    prop_assert!(possible[i].len() >= MIN_POSSIBLE as usize,
                        "figure {i} published as {p:?}: only {:?}", possible[i]);
                }
            }
        }
    }
}
