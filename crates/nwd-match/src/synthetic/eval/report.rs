//! What the evaluation reports ([`EvalReport`]): each figure as a [`Ratio`] (a count out of a
//! total, NaN when the total is zero so that a target fails rather than passing on no evidence),
//! what happened to same-person referrals per error tag ([`ErrorBreakdown`]), how often
//! siblings, co-twins or new people were auto-linked per tag ([`FalseAutoBreakdown`]), each
//! automatic link to the wrong person ([`FalseAuto`]), and the report's text form.

use std::fmt;

use crate::synthetic::QueryKind;

/// A count out of a total. [`Ratio::value`] is NaN when the total is zero, so that a
/// comparison with a target fails rather than passing on no evidence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ratio {
    /// How many.
    pub hits: usize,
    /// Out of how many.
    pub total: usize,
}

impl Ratio {
    /// `hits / total` (NaN when `total` is zero).
    pub fn value(&self) -> f64 {
        if self.total == 0 {
            f64::NAN
        } else {
            self.hits as f64 / self.total as f64
        }
    }

    /// The Wilson score interval at 95 % (`(NaN, NaN)` when `total` is zero): the range of
    /// rates this count is consistent with. A target on a rate is resolved only when the
    /// interval lies on one side of it — 0 of 400 (upper bound 0.95 %) cannot show a rate
    /// under 0.2 %; 0 of 2,000 (upper bound 0.19 %) can.
    pub fn interval_95(&self) -> (f64, f64) {
        if self.total == 0 {
            return (f64::NAN, f64::NAN);
        }
        const Z: f64 = 1.959_963_984_540_054;
        let n = self.total as f64;
        let p = self.value();
        let z2 = Z * Z;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
        ((centre - half).max(0.0), (centre + half).min(1.0))
    }

    pub(super) fn count(&mut self, hit: bool) {
        self.total += 1;
        if hit {
            self.hits += 1;
        }
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.total == 0 {
            write!(f, "n/a (0/0)")
        } else {
            write!(f, "{:.4} ({}/{})", self.value(), self.hits, self.total)
        }
    }
}

/// What happened to the same-person referrals carrying one error tag (or one of the pseudo-tags
/// `(no errors)`, `(nhs number)`, `(no nhs number)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBreakdown {
    /// The tag.
    pub error: &'static str,
    /// Same-person referrals carrying it.
    pub queries: usize,
    /// Auto-linked to the right person.
    pub auto_correct: usize,
    /// Sent to review with the right person as best candidate.
    pub review_correct: usize,
    /// Auto-linked or sent to review with someone else as best candidate.
    pub wrong_person: usize,
    /// Called a new person.
    pub missed: usize,
}

impl ErrorBreakdown {
    pub(super) fn new(error: &'static str) -> Self {
        ErrorBreakdown {
            error,
            queries: 0,
            auto_correct: 0,
            review_correct: 0,
            wrong_person: 0,
            missed: 0,
        }
    }
}

/// How often siblings, co-twins or new people carrying one error tag (or `(no errors)`) were
/// auto-linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FalseAutoBreakdown {
    /// What the referrals really were.
    pub kind: QueryKind,
    /// The tag.
    pub error: &'static str,
    /// Referrals of that kind carrying it.
    pub queries: usize,
    /// Of those, auto-linked to anyone.
    pub auto: usize,
}

/// An automatic link to the wrong person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FalseAuto {
    /// The referral's id.
    pub query_id: String,
    /// What the referral really was.
    pub kind: QueryKind,
    /// The register id it was linked to.
    pub linked_to: String,
    /// True when that is the referral's nearest register person (the registered sibling or
    /// twin).
    pub to_nearest: bool,
    /// The errors the referral carried.
    pub errors: Vec<&'static str>,
}

/// The figures issue 4 sets targets for, with breakdowns for finding what goes wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// Referrals of each kind, in [`QueryKind::ALL`] order.
    pub counts: [usize; 4],
    /// Correct automatic links / all automatic links.
    pub auto_precision: Ratio,
    /// Correct automatic links / same-person referrals.
    pub auto_recall: Ratio,
    /// Same-person referrals auto-linked or sent to review with the right person as best
    /// candidate / same-person referrals.
    pub auto_review_recall: Ratio,
    /// New people auto-linked to anyone / new people.
    pub false_auto_new: Ratio,
    /// Siblings auto-linked to anyone / siblings.
    pub false_auto_sibling: Ratio,
    /// Co-twins auto-linked to anyone / co-twins.
    pub false_auto_co_twin: Ratio,
    /// Co-twins sent to review / co-twins.
    pub co_twin_review: Ratio,
    /// Referrals of every kind sent to review / all referrals: the load on the people who
    /// decide (issue 18's review-load measurement).
    pub review_share: Ratio,
    /// Unregistered siblings sent to review / siblings.
    pub sibling_review: Ratio,
    /// Same-person referrals auto-linked to someone else.
    pub same_person_wrong_auto: usize,
    /// Same-person outcomes per error tag, sorted by tag, then the pseudo-tags.
    pub by_error: Vec<ErrorBreakdown>,
    /// Siblings, co-twins and new people per error tag: how many were auto-linked (sorted by
    /// kind, then tag).
    pub false_auto_by_error: Vec<FalseAutoBreakdown>,
    /// Every automatic link to the wrong person, in referral order.
    pub false_autos: Vec<FalseAuto>,
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [same, sibling, twin, new] = self.counts;
        writeln!(
            f,
            "referrals: {same} same person, {sibling} siblings, {twin} co-twins, {new} new people"
        )?;
        writeln!(f, "auto-link precision        {}", self.auto_precision)?;
        writeln!(f, "auto-link recall           {}", self.auto_recall)?;
        writeln!(f, "auto + review recall       {}", self.auto_review_recall)?;
        writeln!(f, "false auto, new people     {}", self.false_auto_new)?;
        writeln!(f, "false auto, siblings       {}", self.false_auto_sibling)?;
        writeln!(f, "false auto, co-twins       {}", self.false_auto_co_twin)?;
        writeln!(f, "co-twins in review         {}", self.co_twin_review)?;
        writeln!(f, "siblings in review         {}", self.sibling_review)?;
        writeln!(f, "all referrals in review    {}", self.review_share)?;
        writeln!(
            f,
            "same person auto-linked to someone else: {}",
            self.same_person_wrong_auto
        )?;
        writeln!(
            f,
            "same-person outcomes by error: {:<20} {:>6} {:>7} {:>7} {:>6} {:>6}",
            "error", "n", "auto", "review", "wrong", "new"
        )?;
        for row in &self.by_error {
            writeln!(
                f,
                "  {:<48} {:>6} {:>7} {:>7} {:>6} {:>6}",
                row.error,
                row.queries,
                row.auto_correct,
                row.review_correct,
                row.wrong_person,
                row.missed
            )?;
        }
        let hit: Vec<&FalseAutoBreakdown> = self
            .false_auto_by_error
            .iter()
            .filter(|row| row.auto > 0)
            .collect();
        if !hit.is_empty() {
            writeln!(f, "auto-linked siblings, co-twins and new people by error:")?;
            for row in hit {
                writeln!(
                    f,
                    "  {:<10} {:<20} {:>4} of {:>4} ({:.1} %)",
                    row.kind.label(),
                    row.error,
                    row.auto,
                    row.queries,
                    100.0 * row.auto as f64 / row.queries as f64
                )?;
            }
        }
        if !self.false_autos.is_empty() {
            let to_nearest = self.false_autos.iter().filter(|a| a.to_nearest).count();
            writeln!(
                f,
                "false auto-links: {} ({} to the referral's registered sibling or twin)",
                self.false_autos.len(),
                to_nearest
            )?;
            for auto in self.false_autos.iter().take(20) {
                writeln!(
                    f,
                    "  {} {} -> {}{} [{}]",
                    auto.query_id,
                    auto.kind.label(),
                    auto.linked_to,
                    if auto.to_nearest { " (nearest)" } else { "" },
                    auto.errors.join(", ")
                )?;
            }
            if self.false_autos.len() > 20 {
                writeln!(f, "  … {} more", self.false_autos.len() - 20)?;
            }
        }
        Ok(())
    }
}
