//! Wires the probabilistic matcher into the store: thresholds from configuration, parameters
//! from the database (estimated without labels when there are none yet).

use std::sync::Arc;

use anyhow::Context as _;
use nwd_match::person_matcher::{record_from_person, RegisterMatcher};
use nwd_match::{EstimateOptions, Params, Thresholds};
use nwd_store::Store;

/// The shipped thresholds (`config/matching.toml`).
const DEFAULT_THRESHOLDS: &str = include_str!("../../../config/matching.toml");

/// Fewest people from which parameters are estimated automatically at start-up.
const MIN_PEOPLE_TO_ESTIMATE: usize = 1_000;

/// Loads thresholds from `path`, or the shipped defaults.
pub fn thresholds(path: Option<&std::path::Path>) -> anyhow::Result<Thresholds> {
    let text = match path {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("could not read {}", path.display()))?,
        None => DEFAULT_THRESHOLDS.to_string(),
    };
    let thresholds: Thresholds =
        toml::from_str(&text).context("the matching thresholds file is not valid")?;
    if uses_deprecated_twin_review(&text) {
        eprintln!(
            "warning: the matching thresholds file sets `twin_review`, the old name of \
             `household_safeguards` (it switches all the household safeguards, not only twins); \
             it is read as `household_safeguards` — rename it"
        );
    }
    thresholds
        .validate()
        .context("the matching thresholds are not usable")?;
    Ok(thresholds)
}

/// True when a thresholds file still uses `twin_review`, the deprecated name of
/// `household_safeguards` (read as that by `Thresholds`' serde alias).
fn uses_deprecated_twin_review(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|table| table.contains_key("twin_review"))
}

/// Estimates parameters from the register and stores them.
pub async fn estimate_and_store(
    store: &Store,
    audit: &nwd_store::audit::AuditContext,
) -> anyhow::Result<Params> {
    let persons = store.live_persons().await?;
    let records: Vec<_> = persons.iter().map(record_from_person).collect();
    let params = nwd_match::estimate(&records, &EstimateOptions::default())?;
    store
        .save_match_parameters(audit, &params.to_json()?, records.len() as u64)
        .await?;
    Ok(params)
}

/// Attaches the probabilistic matcher to the store and loads the register into it.
pub async fn attach(store: &mut Store, thresholds: Thresholds) -> anyhow::Result<()> {
    let params = match store.latest_match_parameters().await? {
        Some(json) => Params::from_json(&json)?,
        None if store.count_rows("persons").await? as usize >= MIN_PEOPLE_TO_ESTIMATE => {
            tracing::info!("no matching parameters stored: estimating them from the register");
            estimate_and_store(
                store,
                &crate::admin::as_operator("nowrongdoor serve (start-up)", "match_parameters"),
            )
            .await?
        }
        None => Params::default(),
    };
    let started = std::time::Instant::now();
    store
        .set_matcher(Arc::new(RegisterMatcher::new(&params, thresholds)?))
        .await?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "person matcher ready"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_thresholds_load() {
        let t = thresholds(None).unwrap();
        assert_eq!(t.auto_link_probability, 0.99);
        assert_eq!(t.review_probability, 0.20);
        assert!(t.household_safeguards);
        assert!(!uses_deprecated_twin_review(DEFAULT_THRESHOLDS));
    }

    /// `twin_review`, the setting's name before it switched all the household safeguards, is
    /// still read (as `household_safeguards`) and flagged; naming both is refused.
    #[test]
    fn the_deprecated_twin_review_name_is_still_read() {
        let dir = std::env::temp_dir().join(format!("nwd-thresholds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let old = dir.join("old.toml");
        std::fs::write(&old, "twin_review = false\n").unwrap();
        let t = thresholds(Some(&old)).unwrap();
        assert!(!t.household_safeguards);
        assert!(uses_deprecated_twin_review("twin_review = false\n"));
        let new = dir.join("new.toml");
        std::fs::write(&new, "household_safeguards = false\n").unwrap();
        assert!(!thresholds(Some(&new)).unwrap().household_safeguards);
        let both = dir.join("both.toml");
        std::fs::write(&both, "twin_review = true\nhousehold_safeguards = false\n").unwrap();
        assert!(thresholds(Some(&both)).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
