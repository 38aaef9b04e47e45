//! `nowrongdoor audit verify`: recomputes the audit chain and names the first broken entry.

use anyhow::bail;
use nwd_store::Store;

/// `audit …`
#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit chain; name the first broken entry (exit status 1 if any).
    Verify,
}

/// Runs an `audit` subcommand.
pub async fn audit(store: &Store, command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Verify = command;
    let report = store.verify_audit().await?;
    match report.first_broken {
        None => {
            eprintln!("audit trail intact: {} entries verified", report.entries);
            Ok(())
        }
        Some(broken) => {
            bail!(
                "audit trail BROKEN at entry {}: {} ({} entries before it verified)",
                broken.seq,
                broken.problem,
                report.entries
            )
        }
    }
}
