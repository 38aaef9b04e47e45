//! `nowrongdoor retention run [--dry-run]`: destroys young people's records past their
//! retention date (rules from `config/retention.toml`, or `--rules FILE`), leaving audited
//! stubs. Run it with the database owner's credentials: the application's role cannot delete
//! from `referral_events` (docs/design/0004-retention.md).

use anyhow::{bail, Context as _};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use nwd_domain::retention::RetentionRules;
use nwd_store::Store;

/// The shipped rules.
const DEFAULT_RULES: &str = include_str!("../../../config/retention.toml");

/// Retention commands.
#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Destroy records past their retention date, leaving a stub for each referral.
    Run {
        /// List what would be destroyed and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Retention rules (TOML). Default: the shipped config/retention.toml.
        #[arg(long, env = "NWD_RETENTION_RULES")]
        rules: Option<std::path::PathBuf>,
        /// Who is running it (recorded in every stub and audit entry).
        #[arg(long, env = "NWD_OPERATOR")]
        operator: String,
    },
}

/// Parses and checks retention rules; errors name the field (and line, for TOML errors).
pub fn parse_rules(text: &str) -> anyhow::Result<RetentionRules> {
    let rules: RetentionRules = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    rules.validate()?;
    Ok(rules)
}

/// Runs a retention command.
pub async fn run(store: &Store, command: RetentionCommand) -> anyhow::Result<()> {
    let RetentionCommand::Run {
        dry_run,
        rules,
        operator,
    } = command;
    if operator.trim().is_empty() {
        bail!("--operator: say who is running retention (it is recorded in every stub)");
    }
    let rules = match &rules {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read {}", path.display()))?;
            parse_rules(&text).with_context(|| format!("{} is not valid", path.display()))?
        }
        None => parse_rules(DEFAULT_RULES).context("config/retention.toml is not valid")?,
    };
    let today = store.now().to_zoned(store.tz().clone()).date();
    let candidates = store.retention_candidates(&rules, today).await?;
    eprintln!(
        "{} record(s) past their retention date on {today} ({})",
        candidates.len(),
        rules.source
    );
    if dry_run {
        for c in &candidates {
            eprintln!(
                "would destroy person {} ({} referral(s)): retain until {} by rule {}",
                c.person_id,
                c.referrals,
                c.retain_until,
                c.rule.as_str()
            );
        }
        eprintln!("dry run: nothing was changed");
        return Ok(());
    }
    // A run is named by when it started (stubs and audit entries carry it).
    let run_id = format!("retention-{}", store.now());
    let bar = ProgressBar::new(candidates.len() as u64).with_style(
        ProgressStyle::with_template("destroy [{bar:40}] {pos}/{len} records ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let (mut records, mut stubs, mut events, mut kept) = (0u64, 0usize, 0u64, 0u64);
    // Who ran it: named on every stub and as the user of every audit entry (`cli:<operator>`).
    let audit = nwd_store::audit::AuditContext::operator(
        operator.trim(),
        "nowrongdoor retention run",
        "person",
    );
    for c in &candidates {
        match store.destroy_record(&audit, c, &rules, &run_id).await {
            Ok(done) => {
                records += 1;
                stubs += done.stubs;
                events += done.events;
            }
            // A referral reopened since the list was made: kept, and said so.
            Err(nwd_store::StoreError::Domain(_)) => kept += 1,
            Err(e) => return Err(e.into()),
        }
        bar.inc(1);
    }
    bar.finish();
    // Journey drafts idle past their lifetime (nwd_store::drafts): every write deletes them
    // too; the run catches a quiet site's.
    let drafts = store.purge_expired_drafts().await?;
    eprintln!("deleted {drafts} expired journey draft(s)");
    eprintln!(
        "run {run_id}: destroyed {records} record(s), {events} event(s); {stubs} stub(s) left; {kept} kept (reopened)"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_parse_and_bad_ones_name_the_field() {
        let rules = parse_rules(DEFAULT_RULES).unwrap();
        assert_eq!(rules.until_birthday, 25);
        assert_eq!(rules.older_until_birthday, 26);
        let error =
            parse_rules(&DEFAULT_RULES.replace("years_after_death = 8", "years_after_death = 0"))
                .unwrap_err();
        assert!(error.to_string().contains("years_after_death"), "{error}");
        let error = parse_rules(&format!("{DEFAULT_RULES}\nuntil_birthdy = 3\n")).unwrap_err();
        assert!(error.to_string().contains("until_birthdy"), "{error}");
        assert!(error.to_string().contains("line"), "{error}");
    }
}
