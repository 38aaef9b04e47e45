//! Secondary suppression for a two-way table published with its margins (a row total per
//! row, a column total per column and the grand total), as every table of the need page is.
//!
//! Primary suppression is the small-number rule ([`Suppression::count`]: below 5 → `*`, the
//! rest rounded). A hidden cell could still be recovered by subtraction: from its row total
//! less the other cells, from its column, or from both together. [`protect`] works out, for
//! every figure, the range of exact values consistent with **everything published** — each
//! shown figure stands for the exact values that round to it, a `*` for 0 to `below − 1`, a
//! withheld figure for any count — by propagating every row, column and margin equation
//! until nothing narrows (interval constraint propagation). While a `*` figure is narrowed to
//! fewer than [`MIN_POSSIBLE`] values (or fewer than `below`, when that is smaller), the
//! smallest shown figure on one of its lines is **withheld** as well (shown as `*`, counted as
//! secondary), and the ranges are worked out again.
//!
//! With the default rule (below 5, the rest rounded to 5) rounding already leaves every `*`
//! at least three possible values, and nothing is withheld; with rounding switched off
//! (`round_to = 1`), a row with one `*` has its next smallest cell withheld, as in classical
//! cell suppression. The property test below checks, by enumerating every table consistent
//! with what is published, that no `*` can be narrowed to fewer values than required.

use crate::disclosure::{Published, Suppression};

/// The fewest exact values a `*` must remain consistent with.
pub const MIN_POSSIBLE: u64 = 3;

/// A figure as published in a protected table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    /// The rounded count.
    Count(u64),
    /// Below the threshold: `*`.
    Suppressed,
    /// Withheld so that a `*` cannot be worked out: also shown as `*`.
    Withheld,
}

impl Shown {
    /// The text shown: the count or `*`.
    pub fn text(self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Suppressed | Shown::Withheld => "*".to_owned(),
        }
    }

    /// The count, if shown.
    pub fn value(self) -> Option<u64> {
        match self {
            Shown::Count(n) => Some(n),
            Shown::Suppressed | Shown::Withheld => None,
        }
    }

    /// As a [`Published`] figure (withheld → suppressed), for shares and rates.
    pub fn published(self) -> Published {
        match self {
            Shown::Count(n) => Published::Count(n),
            Shown::Suppressed | Shown::Withheld => Published::Suppressed,
        }
    }

    /// A figure published by the small-number rule alone (nothing withheld).
    pub fn from_published(p: Published) -> Shown {
        match p {
            Published::Count(n) => Shown::Count(n),
            Published::Suppressed => Shown::Suppressed,
        }
    }
}

/// A table as published, with its margins.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProtectedTable {
    /// Rows of cells.
    pub cells: Vec<Vec<Shown>>,
    /// Each row's total.
    pub row_totals: Vec<Shown>,
    /// Each column's total.
    pub column_totals: Vec<Shown>,
    /// The grand total.
    pub total: Shown,
}

/// Unbounded, for a withheld figure.
const UNBOUNDED: i128 = 1 << 80;

/// The exact values a shown figure stands for under `rule`: `[low, high]`.
fn bounds(rule: Suppression, shown: Shown) -> (i128, i128) {
    match shown {
        Shown::Withheld => (0, UNBOUNDED),
        Shown::Suppressed => (0, i128::from(rule.below.saturating_sub(1))),
        Shown::Count(x) if !rule.enabled => (i128::from(x), i128::from(x)),
        Shown::Count(x) => {
            let r = i128::from(rule.round_to.max(1));
            let half = r / 2;
            let x = i128::from(x);
            let low = (x - half).max(i128::from(rule.below)).max(0);
            (low, x + r - half - 1)
        }
    }
}

/// The figures of a `rows × columns` table, flattened: cells, row totals, column totals,
/// grand total; and its equations as (total, parts).
struct Layout {
    rows: usize,
    columns: usize,
}

impl Layout {
    fn cell(&self, r: usize, c: usize) -> usize {
        r * self.columns + c
    }
    fn row_total(&self, r: usize) -> usize {
        self.rows * self.columns + r
    }
    fn column_total(&self, c: usize) -> usize {
        self.rows * self.columns + self.rows + c
    }
    fn grand(&self) -> usize {
        self.rows * self.columns + self.rows + self.columns
    }
    fn equations(&self) -> Vec<(usize, Vec<usize>)> {
        let mut eq = Vec::new();
        for r in 0..self.rows {
            eq.push((
                self.row_total(r),
                (0..self.columns).map(|c| self.cell(r, c)).collect(),
            ));
        }
        for c in 0..self.columns {
            eq.push((
                self.column_total(c),
                (0..self.rows).map(|r| self.cell(r, c)).collect(),
            ));
        }
        eq.push((
            self.grand(),
            (0..self.rows).map(|r| self.row_total(r)).collect(),
        ));
        eq.push((
            self.grand(),
            (0..self.columns).map(|c| self.column_total(c)).collect(),
        ));
        eq
    }
}

/// The range of exact values of every figure consistent with what is shown.
fn ranges(
    rule: Suppression,
    shown: &[Shown],
    equations: &[(usize, Vec<usize>)],
) -> Vec<(i128, i128)> {
    let mut range: Vec<(i128, i128)> = shown.iter().map(|s| bounds(rule, *s)).collect();
    for _ in 0..64 {
        let mut changed = false;
        for (total, parts) in equations {
            let low_sum: i128 = parts.iter().map(|p| range[*p].0).sum();
            let high_sum: i128 = parts.iter().map(|p| range[*p].1.min(UNBOUNDED)).sum();
            let t = range[*total];
            let narrowed = (t.0.max(low_sum), t.1.min(high_sum));
            if narrowed != t {
                range[*total] = narrowed;
                changed = true;
            }
            let t = range[*total];
            for p in parts {
                let (low, high) = range[*p];
                let others_low = low_sum - low;
                let others_high = high_sum - high.min(UNBOUNDED);
                let narrowed = (low.max(t.0 - others_high), high.min(t.1 - others_low));
                if narrowed != (low, high) {
                    range[*p] = narrowed;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    range
}

/// Publishes `exact` (rows of equal length) with its margins, suppressing small numbers and
/// withholding what would let a `*` be worked out.
pub fn protect(exact: &[Vec<u64>], rule: Suppression) -> ProtectedTable {
    let rows = exact.len();
    let columns = exact.first().map_or(0, Vec::len);
    let layout = Layout { rows, columns };
    let cell = |r: usize, c: usize| exact[r].get(c).copied().unwrap_or(0);
    let mut values: Vec<u64> = Vec::with_capacity(layout.grand() + 1);
    for r in 0..rows {
        for c in 0..columns {
            values.push(cell(r, c));
        }
    }
    for r in 0..rows {
        values.push((0..columns).map(|c| cell(r, c)).sum());
    }
    for c in 0..columns {
        values.push((0..rows).map(|r| cell(r, c)).sum());
    }
    values.push(values[..rows * columns].iter().sum());
    let shown = protect_linked(&values, &layout.equations(), rule, |i| i >= rows * columns);
    let take = |range: std::ops::Range<usize>| shown[range].to_vec();
    ProtectedTable {
        cells: (0..rows)
            .map(|r| take(layout.cell(r, 0)..layout.cell(r, 0) + columns))
            .collect(),
        row_totals: take(layout.row_total(0)..layout.row_total(0) + rows),
        column_totals: take(layout.column_total(0)..layout.column_total(0) + columns),
        total: shown[layout.grand()],
    }
}

/// Publishes `values` — figures tied by `equations`, each a total and the figures it is the
/// sum of — by the small-number rule, then withholds what would let a `*` be worked out from
/// the equations (as [`protect`] does for one table; this is the same for tables that share
/// margins, such as the ledger's by-referrer and by-need-group tables, which both add up to
/// its "All" row). `is_total(i)` marks the margins: cells are withheld before totals.
pub fn protect_linked(
    values: &[u64],
    equations: &[(usize, Vec<usize>)],
    rule: Suppression,
    is_total: impl Fn(usize) -> bool,
) -> Vec<Shown> {
    let mut shown: Vec<Shown> = values
        .iter()
        .map(|v| Shown::from_published(rule.count(*v)))
        .collect();
    let needed = i128::from(MIN_POSSIBLE.min(rule.below));
    if rule.enabled {
        // Each pass withholds one figure, so this ends within as many passes as figures.
        for _ in 0..shown.len() {
            let range = ranges(rule, &shown, equations);
            let exposed = (0..shown.len())
                .find(|i| shown[*i] == Shown::Suppressed && range[*i].1 - range[*i].0 + 1 < needed);
            let Some(exposed) = exposed else { break };
            // The smallest shown figure on a line through it, cells before totals; when its
            // lines show nothing more, the lines through the hidden figures on them, and so on.
            let mut frontier = vec![exposed];
            let mut visited = vec![false; shown.len()];
            visited[exposed] = true;
            let mut candidate = None;
            while candidate.is_none() && !frontier.is_empty() {
                let lines: Vec<&(usize, Vec<usize>)> = equations
                    .iter()
                    .filter(|(total, parts)| {
                        frontier.iter().any(|f| *total == *f || parts.contains(f))
                    })
                    .collect();
                let members = || {
                    lines
                        .iter()
                        .flat_map(|(total, parts)| parts.iter().copied().chain([*total]))
                };
                candidate = members()
                    .filter(|i| matches!(shown[*i], Shown::Count(_)))
                    .min_by_key(|i| (is_total(*i), values[*i], *i));
                frontier = members().filter(|i| !visited[*i]).collect();
                for i in &frontier {
                    visited[*i] = true;
                }
            }
            match candidate {
                Some(i) => shown[i] = Shown::Withheld,
                None => break,
            }
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(below: u64, round_to: u64) -> Suppression {
        Suppression {
            enabled: true,
            below,
            round_to,
        }
    }

    fn texts(t: &ProtectedTable) -> Vec<String> {
        t.cells.iter().flatten().map(|s| s.text()).collect()
    }

    #[test]
    fn with_rounding_to_five_nothing_more_is_withheld() {
        let t = protect(&[vec![3, 40], vec![12, 7]], Suppression::default());
        assert_eq!(texts(&t), ["*", "40", "10", "5"]);
        assert_eq!(t.row_totals, [Shown::Count(45), Shown::Count(20)]);
        assert_eq!(t.column_totals, [Shown::Count(15), Shown::Count(45)]);
        assert_eq!(t.total, Shown::Count(60));
    }

    /// Without rounding, 3 beside 40 with a row total of 43 would give the 3 away: the next
    /// smallest cell of its line is withheld too, and so is one on the column that now holds
    /// a lone hidden figure.
    #[test]
    fn without_rounding_the_next_smallest_cell_is_withheld() {
        let t = protect(&[vec![3, 40], vec![12, 7]], rule(5, 1));
        assert_eq!(t.cells[0][0], Shown::Suppressed);
        let hidden = t
            .cells
            .iter()
            .flatten()
            .filter(|s| s.value().is_none())
            .count();
        assert!(hidden >= 3, "{t:?}");
        assert_eq!(
            t.cells[0][1],
            Shown::Withheld,
            "40 is the only other cell of its row: {t:?}"
        );
    }

    #[test]
    fn zero_and_empty_tables_publish_without_failing() {
        let t = protect(&[vec![0, 0], vec![0, 0]], Suppression::default());
        assert!(t.cells.iter().flatten().all(|s| *s == Shown::Suppressed));
        assert_eq!(t.total, Shown::Suppressed);
        let empty = protect(&[], Suppression::default());
        assert!(empty.cells.is_empty());
        assert_eq!(empty.total, Shown::Suppressed);
    }

    /// Every exact table consistent with what is published: the values each `*` can take.
    fn possible_values(
        t: &ProtectedTable,
        r: Suppression,
        limit: u64,
    ) -> Vec<std::collections::BTreeSet<u64>> {
        let cells: Vec<Shown> = t.cells.iter().flatten().copied().collect();
        let columns = t.cells.first().map_or(0, Vec::len);
        let candidates: Vec<Vec<u64>> = cells
            .iter()
            .map(|s| {
                (0..=limit)
                    .filter(|v| match s {
                        Shown::Withheld => true,
                        other => Shown::from_published(r.count(*v)) == *other,
                    })
                    .collect()
            })
            .collect();
        let fits = |shown: Shown, v: u64| {
            shown == Shown::Withheld || Shown::from_published(r.count(v)) == shown
        };
        let mut seen =
            vec![std::collections::BTreeSet::new(); cells.len() + t.row_totals.len() + columns];
        let mut pick = vec![0usize; cells.len()];
        loop {
            let v: Vec<u64> = pick.iter().zip(&candidates).map(|(i, c)| c[*i]).collect();
            let row_sums: Vec<u64> = v
                .chunks(columns.max(1))
                .map(|row| row.iter().sum())
                .collect();
            let column_sums: Vec<u64> = (0..columns)
                .map(|c| v.iter().skip(c).step_by(columns).sum())
                .collect();
            let ok = row_sums
                .iter()
                .zip(&t.row_totals)
                .all(|(s, shown)| fits(*shown, *s))
                && column_sums
                    .iter()
                    .zip(&t.column_totals)
                    .all(|(s, shown)| fits(*shown, *s))
                && fits(t.total, v.iter().sum());
            if ok {
                for (i, x) in v.iter().chain(&row_sums).chain(&column_sums).enumerate() {
                    seen[i].insert(*x);
                }
            }
            // Next combination.
            let mut i = 0;
            loop {
                if i == pick.len() {
                    return seen;
                }
                pick[i] += 1;
                if pick[i] < candidates[i].len() {
                    break;
                }
                pick[i] = 0;
                i += 1;
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(160))]
        /// No `*` — cell or margin — can be narrowed by anyone holding the published table
        /// to fewer than the required number of values.
        #[test]
        fn no_suppressed_figure_is_recoverable_from_the_margins(
            (rows, columns) in (1usize..=2, 2usize..=3),
            raw in proptest::collection::vec(prop_oneof![0u64..5, 0u64..14], 6),
            which in 0usize..4,
        ) {
            let r = [rule(5, 5), rule(5, 1), rule(3, 1), rule(8, 5)][which];
            let exact: Vec<Vec<u64>> = (0..rows).map(|i| raw[i * columns..(i + 1) * columns].to_vec()).collect();
            let t = protect(&exact, r);
            let possible = possible_values(&t, r, 24);
            let published: Vec<Shown> = t.cells.iter().flatten().chain(&t.row_totals).chain(&t.column_totals).copied().collect();
            let needed = MIN_POSSIBLE.min(r.below) as usize;
            for (i, shown) in published.iter().enumerate() {
                if *shown == Shown::Suppressed {
                    prop_assert!(possible[i].len() >= needed,
                        "figure {i} of {exact:?} published as {t:?} under {r:?}: only {:?}", possible[i]);
                }
            }
        }
    }
}
