//! Clinicians declared elsewhere than the directory — providers' staff declarations, say — in
//! place of the directory's `capacity.clinician_wte`, for converting clinicians to caseload
//! places ([`Staffing`]). It owns only the replacement and its checks; where the declarations
//! come from is the caller's business.
//!
//! The declared clinicians are taken to be the ones who held the caseload calibration found
//! (the year the record was read over), so the conversion still gives back the baseline's own
//! places: with sessions a week in the directory, sessions per WTE become the directory's
//! sessions ÷ the declared WTE, and places per WTE the calibrated places ÷ the declared WTE.

use std::collections::{BTreeMap, HashMap};

use super::Staffing;

/// Most clinicians (WTE) one service may declare: ten thousand, a local choice far above any
/// service (a whole trust's workforce is a few thousand), so a mistyped figure is refused.
pub const MAX_DECLARED_WTE: f64 = 10_000.0;

/// A declaration that cannot be used, naming the service id it was declared for.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeclarationProblem {
    /// No service in the calibration has that id (not in the directory, or no allocations).
    #[error("declared[{0}]: no calibrated service has this id")]
    UnknownService(String),
    /// Not a number from 0 to [`MAX_DECLARED_WTE`].
    #[error("declared[{id}]: clinicians (WTE) must be a number from 0 to {MAX_DECLARED_WTE} (got {wte})")]
    OutOfRange {
        /// The service id.
        id: String,
        /// The declared figure.
        wte: f64,
    },
}

/// The calibrated staffing (per node, as [`super::Calibration::staffing`]) with each service's
/// clinicians replaced by `declared[service id]` where given; services not declared keep the
/// directory's. Every unusable declaration is reported, none applied, if any is.
pub fn with_declared_wte(
    staffing: &BTreeMap<String, Staffing>,
    declared: &HashMap<String, f64>,
) -> Result<BTreeMap<String, Staffing>, Vec<DeclarationProblem>> {
    let mut problems: Vec<DeclarationProblem> = declared
        .iter()
        .filter_map(|(id, &wte)| {
            if !staffing.values().any(|s| &s.service_id == id) {
                Some(DeclarationProblem::UnknownService(id.clone()))
            } else if !(wte.is_finite() && (0.0..=MAX_DECLARED_WTE).contains(&wte)) {
                Some(DeclarationProblem::OutOfRange {
                    id: id.clone(),
                    wte,
                })
            } else {
                None
            }
        })
        .collect();
    if !problems.is_empty() {
        problems.sort_by_key(ToString::to_string);
        return Err(problems);
    }
    Ok(staffing
        .iter()
        .map(|(node, s)| {
            let mut s = s.clone();
            if let Some(&wte) = declared.get(&s.service_id) {
                s.clinician_wte = wte;
            }
            (node.clone(), s)
        })
        .collect())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use super::*;

    fn staffing() -> BTreeMap<String, Staffing> {
        let team = |id: &str, wte: f64, sessions: u32, places: u32| Staffing {
            service_id: id.into(),
            service: format!("Team {id}"),
            clinician_wte: wte,
            sessions_per_week: sessions,
            places,
        };
        BTreeMap::from([
            ("east".to_owned(), team("s-east", 4.0, 40, 12)),
            ("west".to_owned(), team("s-west", 2.0, 0, 9)),
        ])
    }

    /// Declaring 3 WTE where the directory says 4 keeps the baseline's 12 places for 3 WTE
    /// (4 places per WTE) and 6 WTE gives twice as many; an undeclared service is unchanged.
    #[test]
    fn declared_clinicians_replace_the_directorys_and_keep_the_baseline() {
        let declared = HashMap::from([("s-east".to_owned(), 3.0)]);
        let out = with_declared_wte(&staffing(), &declared).unwrap();
        let east = &out["east"];
        assert_eq!(east.clinician_wte, 3.0);
        assert_eq!(east.places_per_wte(), Some(4.0));
        let per_wte = east.sessions_per_wte().unwrap();
        assert_eq!(east.places_for(3.0, per_wte), Some(12));
        assert_eq!(east.places_for(6.0, per_wte), Some(24));
        assert_eq!(out["west"], staffing()["west"]);
        // The directory's own figures: 12 places for 4 WTE, 3 per WTE.
        assert_eq!(staffing()["east"].places_per_wte(), Some(3.0));
    }

    #[test]
    fn unusable_declarations_are_refused_with_the_service_named() {
        let declared = HashMap::from([
            ("s-east".to_owned(), f64::NAN),
            ("s-west".to_owned(), -1.0),
            ("s-north".to_owned(), 2.0),
            ("s-south".to_owned(), 1e300),
        ]);
        let problems: Vec<String> = with_declared_wte(&staffing(), &declared)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems.iter().any(|p| p
            .starts_with("declared[s-west]: clinicians (WTE) must be a number from 0 to 10000")));
        assert!(problems.iter().any(|p| p.starts_with("declared[s-east]")));
        assert!(problems
            .iter()
            .any(|p| p == "declared[s-north]: no calibrated service has this id"));
    }
}
