//! Small-number suppression for commissioner-facing and published figures.
//!
//! The rule (domain guide §3, "Small-number suppression", following NHS England's mental
//! health statistics code): a count below 5 is shown as `*` and every other count is rounded
//! to the nearest 5; a rate whose numerator or denominator is suppressed is suppressed too.
//! It is configurable (HES, for example, suppresses 1–7), default on: see [`Suppression`] and
//! the `[suppression]` table of `config/standards.toml`.
//!
//! **Secondary suppression.** A suppressed cell in a row whose total is shown could be
//! recovered by subtraction if the other cells and the total were exact. Rounding every shown
//! count (totals included, each rounded from its own exact value) is what prevents that: the
//! difference of rounded figures is only known to within ±(r/2) per figure used (r the rounding
//! base): for r = 5, a suppressed cell beside one shown cell and a shown total always keeps at
//! least three of the five values 0–4 possible (tested below). Shares are therefore
//! derived from the **published** (rounded) counts ([`Suppression::share`]), never from the
//! exact ones, so a share reveals nothing the published counts do not. What remains: with
//! rounding switched off (`round_to = 1`) a suppressed cell can be recovered from its row
//! total, and long rows of differences narrow the interval only to what the rounding allows.

use serde::{Deserialize, Serialize};

pub mod protect;

/// How small numbers are hidden. Defaults: below 5 → `*`, the rest to the nearest 5, on
/// (domain guide §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Suppression {
    /// Apply suppression at all (switching it off is for local, non-published use only).
    pub enabled: bool,
    /// Counts below this are shown as `*` (5 in NHS England's mental health statistics; HES
    /// uses 8, i.e. 1–7 suppressed).
    pub below: u64,
    /// Other counts are rounded to the nearest multiple of this (5; 1 means no rounding).
    pub round_to: u64,
}

impl Default for Suppression {
    fn default() -> Self {
        // Domain guide §3: "counts below 5 are shown as `*` and the rest rounded to the nearest 5".
        Suppression {
            enabled: true,
            below: 5,
            round_to: 5,
        }
    }
}

/// A count as it may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Published {
    /// Too small to show: `*`.
    Suppressed,
    /// The count, rounded.
    Count(u64),
}

impl Published {
    /// The shown value: `*` or the rounded count.
    pub fn text(self) -> String {
        match self {
            Published::Suppressed => "*".to_owned(),
            Published::Count(n) => n.to_string(),
        }
    }

    /// The rounded count, if shown.
    pub fn value(self) -> Option<u64> {
        match self {
            Published::Suppressed => None,
            Published::Count(n) => Some(n),
        }
    }
}

impl Suppression {
    /// Checks the settings; the error names the key.
    pub fn validate(&self) -> Result<(), (&'static str, &'static str)> {
        if self.round_to == 0 {
            return Err((
                "suppression.round_to",
                "use 1 for no rounding, or a base such as 5",
            ));
        }
        if self.below > 100 {
            return Err((
                "suppression.below",
                "use a threshold between 0 and 100 (5 is the default)",
            ));
        }
        Ok(())
    }

    /// One exact count as it may be shown.
    pub fn count(&self, exact: u64) -> Published {
        if !self.enabled {
            return Published::Count(exact);
        }
        if exact < self.below {
            return Published::Suppressed;
        }
        let base = self.round_to.max(1);
        Published::Count((exact + base / 2) / base * base)
    }

    /// A share in whole per cent, derived from the **published** numerator and denominator:
    /// `None` when either is suppressed or the denominator is shown as 0.
    pub fn share(&self, numerator: Published, denominator: Published) -> Option<u64> {
        match (numerator, denominator) {
            (Published::Count(n), Published::Count(d)) if d > 0 => Some((n * 100 + d / 2) / d),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Published, Suppression};

    fn check(rule: Suppression, cases: &[(u64, &str)]) {
        for (exact, shown) in cases {
            assert_eq!(rule.count(*exact).text(), *shown, "count {exact}");
        }
    }

    #[test]
    fn counts_below_five_are_starred_and_the_rest_rounded_to_five() {
        check(
            Suppression::default(),
            &[
                (0, "*"),
                (1, "*"),
                (4, "*"),
                (5, "5"),
                (7, "5"),
                (8, "10"),
                (12, "10"),
                (13, "15"),
                (1002, "1000"),
                (1003, "1005"),
            ],
        );
    }

    #[test]
    fn the_hes_rule_and_switching_off_are_configuration() {
        let hes = Suppression {
            below: 8,
            ..Suppression::default()
        };
        check(hes, &[(7, "*"), (8, "10"), (9, "10")]);
        let off = Suppression {
            enabled: false,
            ..Suppression::default()
        };
        check(off, &[(0, "0"), (3, "3"), (7, "7")]);
        let unrounded = Suppression {
            round_to: 1,
            ..Suppression::default()
        };
        check(unrounded, &[(4, "*"), (7, "7")]);
        assert!(Suppression {
            round_to: 0,
            ..Suppression::default()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn a_share_is_suppressed_with_its_numerator_or_denominator_and_uses_published_counts() {
        let rule = Suppression::default();
        // 3 of 40: numerator suppressed → share suppressed.
        assert_eq!(rule.share(rule.count(3), rule.count(40)), None);
        // 40 of 3 cannot happen, but a suppressed denominator suppresses the share.
        assert_eq!(rule.share(rule.count(6), rule.count(3)), None);
        // 7 of 43 exact is 16 %; published 5 of 45 is 11 %: the share comes from what is shown,
        // so it cannot be combined with the rounded total to recover the exact 7.
        assert_eq!(rule.share(rule.count(7), rule.count(43)), Some(11));
        assert_eq!(
            rule.share(Published::Count(0), Published::Count(0)),
            None,
            "no denominator"
        );
    }

    /// Secondary suppression: with a suppressed cell s (0–4) beside an exact-shown cell x and a
    /// row total s + x, rounding both shown figures to 5 leaves every s in 0–4 possible.
    #[test]
    fn rounding_stops_a_suppressed_cell_being_recovered_from_its_row_total() {
        let rule = Suppression::default();
        for x in 5..200u64 {
            for s in 0..5u64 {
                let (shown_x, shown_total) = (
                    rule.count(x).value().unwrap_or(0),
                    rule.count(x + s).value().unwrap_or(0),
                );
                // Every s' in 0..5 with some x' rounding to the same two figures is consistent.
                let consistent: Vec<u64> = (0..5u64)
                    .filter(|s2| {
                        (5..205u64).any(|x2| {
                            rule.count(x2).value() == Some(shown_x)
                                && rule.count(x2 + s2).value() == Some(shown_total)
                        })
                    })
                    .collect();
                assert!(
                    consistent.len() >= 3,
                    "x={x}, s={s}: only {consistent:?} remain possible"
                );
            }
        }
    }
}
