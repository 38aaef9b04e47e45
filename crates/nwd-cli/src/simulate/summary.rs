//! The tables `simulate` prints on standard output: a run's summary, a comparison of two
//! scenarios, and a calibration's backtest against the observed figures. Estimates are shown
//! as a mean ± the half-width of their 95 % interval.

use nwd_sim::Report;

pub(super) fn pm(e: nwd_sim::Estimate) -> String {
    match (e.mean.is_finite(), e.hw.is_finite()) {
        // Shares and utilisations (below 10) get two decimals, days and counts one.
        (true, true) if e.mean.abs() < 10.0 => format!("{:.2} ± {:.2}", e.mean, e.hw),
        (true, true) => format!("{:.1} ± {:.1}", e.mean, e.hw),
        (true, false) => format!("{:.1}", e.mean),
        _ => "–".into(),
    }
}

pub(super) fn write_summary(out: &mut impl std::io::Write, report: &Report) -> anyhow::Result<()> {
    writeln!(
        out,
        "\n{}: {} replications, seed {}, {:.0} warm-up + {:.0} observed days",
        report.scenario, report.replications, report.seed, report.warmup_days, report.observe_days
    )?;
    writeln!(
        out,
        "{:<24} {:>16} {:>16} {:>16} {:>16} {:>14} {:>8} {:>12}",
        "node",
        "arrivals/yr",
        "mean wait (d)",
        "p90 wait (d)",
        "mean list",
        "utilisation",
        "ρ (TE)",
        "Erlang C Wq"
    )?;
    for (name, node) in &report.nodes {
        let a = &node.analytic;
        let mut utilisation = node.utilisation;
        utilisation.mean *= 100.0;
        utilisation.hw *= 100.0;
        writeln!(
            out,
            "{:<24} {:>16} {:>16} {:>16} {:>16} {:>13}% {:>8.2} {:>12}",
            name,
            pm(node.total.arrivals_per_year),
            pm(node.total.mean_wait_days),
            pm(node.total.p90_wait_days),
            pm(node.total.mean_list),
            pm(utilisation),
            a.utilisation,
            a.erlang_c.map_or("over capacity".to_string(), |e| format!(
                "{:.2}",
                e.mean_wait_days
            )),
        )?;
    }
    let r = &report.referrals.total;
    let mut within = r.within_standard;
    within.mean *= 100.0;
    within.hw *= 100.0;
    writeln!(
        out,
        "referral → first help: mean {} d, median {} d, p90 {} d, within {:.0} days {} %; {:.2} node visits per referral (traffic equations)",
        pm(r.mean_days),
        pm(r.p50_days),
        pm(r.p90_days),
        report.standard_days,
        pm(within),
        report.network.visits_per_referral
    )?;
    Ok(())
}

pub(super) fn write_comparison(
    out: &mut impl std::io::Write,
    comparison: &nwd_sim::Comparison,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "\n{} → {} (difference paired by replication, 95 % half-width)",
        comparison.base, comparison.scenario
    )?;
    writeln!(
        out,
        "{:<24} {:<20} {:>18} {:>18} {:>18}",
        "node", "statistic", "base", "scenario", "difference"
    )?;
    const SHOWN: [&str; 5] = [
        "mean_wait_days",
        "p90_wait_days",
        "mean_list",
        "utilisation",
        "within_standard",
    ];
    for row in &comparison.rows {
        let k = &row.key;
        if k.section == "snapshot" || !k.group.is_empty() || !SHOWN.contains(&k.statistic.as_str())
        {
            continue;
        }
        let node = if k.node.is_empty() {
            "(referrals)"
        } else {
            &k.node
        };
        writeln!(
            out,
            "{:<24} {:<20} {:>18} {:>18} {:>18}",
            node,
            k.statistic,
            pm(row.base),
            pm(row.scenario),
            pm(row.difference)
        )?;
    }
    Ok(())
}

pub(super) fn write_backtest(
    out: &mut impl std::io::Write,
    report: &Report,
    observed: &nwd_sim::calibrate::Observed,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "\nbacktest over the calibration window ({} replications): observed | simulated ± 95 % half-width",
        report.replications
    )?;
    writeln!(
        out,
        "{:<36} {:>22} {:>22} {:>22} {:>22} {:>22}",
        "node", "arrivals/yr", "mean wait (d)", "p90 wait (d)", "mean list", "list at end"
    )?;
    let cell = |o: f64, s: nwd_sim::Estimate| {
        if o.is_finite() {
            format!("{o:.1} | {}", pm(s))
        } else {
            format!("– | {}", pm(s))
        }
    };
    for (name, o) in &observed.nodes {
        let Some(s) = report.nodes.get(name) else {
            continue;
        };
        writeln!(
            out,
            "{:<36} {:>22} {:>22} {:>22} {:>22} {:>22}",
            name,
            cell(o.arrivals_per_year, s.total.arrivals_per_year),
            cell(o.mean_wait_days, s.total.mean_wait_days),
            cell(o.p90_wait_days, s.total.p90_wait_days),
            cell(o.mean_list, s.total.mean_list),
            cell(o.waiting_at_end, s.total.waiting_at_end),
        )?;
    }
    let mut within = report.referrals.total.within_standard;
    within.mean *= 100.0;
    within.hw *= 100.0;
    writeln!(
        out,
        "referrals seen within {:.0} days: observed {:.1} % | simulated {} %",
        report.standard_days,
        observed.referrals_within_standard * 100.0,
        pm(within)
    )?;
    Ok(())
}
