//! The files `simulate` writes: JSON (a report, a calibration), a scenario as TOML with a
//! header comment, and the results and a comparison as CSV. Numbers in CSV are written in full
//! (empty when not finite), never in the printed tables' rounded form.

use std::path::Path;

use anyhow::Context as _;
use nwd_sim::Scenario;

pub(super) fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text).with_context(|| format!("could not write {}", path.display()))?;
    eprintln!("results written to {}", path.display());
    Ok(())
}

pub(super) fn write_scenario(path: &Path, header: &str, scenario: &Scenario) -> anyhow::Result<()> {
    let text = scenario.to_toml()?;
    std::fs::write(path, format!("{header}{text}"))
        .with_context(|| format!("could not write {}", path.display()))
}

pub(super) fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

pub(super) fn write_table_csv(
    path: &Path,
    rows: &[(nwd_sim::Key, nwd_sim::Estimate)],
) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    writer.write_record(["section", "node", "group", "statistic", "day", "mean", "hw"])?;
    for (key, estimate) in rows {
        writer.write_record(nwd_domain::spreadsheet::safe_row([
            key.section.to_string(),
            key.node.clone(),
            key.group.clone(),
            key.statistic.clone(),
            key.day.map(|d| d.to_string()).unwrap_or_default(),
            number(estimate.mean),
            number(estimate.hw),
        ]))?;
    }
    writer.flush()?;
    eprintln!("table written to {}", path.display());
    Ok(())
}

pub(super) fn write_comparison_csv(
    path: &Path,
    comparison: &nwd_sim::Comparison,
) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    writer.write_record(nwd_domain::spreadsheet::safe_row([
        "section",
        "node",
        "group",
        "statistic",
        "day",
        "base_mean",
        "base_hw",
        "scenario_mean",
        "scenario_hw",
        "difference_mean",
        "difference_hw",
    ]))?;
    for row in &comparison.rows {
        let k = &row.key;
        writer.write_record(nwd_domain::spreadsheet::safe_row([
            k.section.to_string(),
            k.node.clone(),
            k.group.clone(),
            k.statistic.clone(),
            k.day.map(|d| d.to_string()).unwrap_or_default(),
            number(row.base.mean),
            number(row.base.hw),
            number(row.scenario.mean),
            number(row.scenario.hw),
            number(row.difference.mean),
            number(row.difference.hw),
        ]))?;
    }
    writer.flush()?;
    eprintln!("comparison written to {}", path.display());
    Ok(())
}
