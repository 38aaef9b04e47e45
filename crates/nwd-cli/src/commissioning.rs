//! `nowrongdoor commissioning …`: the operator's door to the commissioning record
//! (`nwd_usecase::commissioning`, audited as `cli:<operator>`), as the commissioner's pages
//! and the API are: `check` a file (nothing saved: what it holds, or every problem by field
//! path), `load` it as a new version with a reason (refused if the record changed since the
//! version named with `--edited-from`), `show` the version in force, and `history`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

/// `nowrongdoor commissioning …`.
#[derive(clap::Subcommand)]
pub enum CommissioningCommand {
    /// Check a record file against the directory, saving nothing.
    Check {
        /// The record (TOML).
        file: PathBuf,
    },
    /// Save a record file as the next version.
    Load {
        /// The record (TOML).
        file: PathBuf,
        /// Why it changes (kept with the version).
        #[arg(long)]
        reason: String,
        /// The version it was edited from (`show` prints it; 0 for the first). Without it, the
        /// version in force when the command runs.
        #[arg(long)]
        edited_from: Option<i64>,
    },
    /// Print the version in force (TOML) to standard output.
    Show,
    /// List every version, newest first.
    History,
}

fn read(file: &Path) -> anyhow::Result<String> {
    let meta =
        std::fs::metadata(file).with_context(|| format!("{}: cannot read", file.display()))?;
    if meta.len() > nwd_usecase::commissioning::MAX_DOCUMENT_BYTES as u64 {
        bail!(
            "{}: {} bytes; at most {} are accepted",
            file.display(),
            meta.len(),
            nwd_usecase::commissioning::MAX_DOCUMENT_BYTES
        );
    }
    std::fs::read_to_string(file)
        .with_context(|| format!("{}: cannot read as UTF-8 text", file.display()))
}

fn refused(file: &Path, error: nwd_usecase::UseCaseError) -> anyhow::Error {
    match error {
        nwd_usecase::UseCaseError::Invalid(fields) => {
            for f in &fields {
                eprintln!("{}: {}: {}", file.display(), f.field, f.message);
            }
            anyhow::anyhow!(
                "{}: nothing saved ({} problems)",
                file.display(),
                fields.len()
            )
        }
        other => other.into(),
    }
}

/// Runs a commissioning command.
pub async fn run(store: &nwd_store::Store, command: CommissioningCommand) -> anyhow::Result<()> {
    match command {
        CommissioningCommand::Check { file } => {
            let source = read(&file)?;
            let plan = nwd_usecase::commissioning::check_source(store, &source)
                .await
                .map_err(|e| refused(&file, e))?;
            eprintln!(
                "{}: checks: {} parties, {} agreements, {} contracts, {} system KPIs, {} Transformation Plans",
                file.display(),
                plan.parties.len(),
                plan.agreements.len(),
                plan.contracts.len(),
                plan.system_kpis.len(),
                plan.plans.len()
            );
            Ok(())
        }
        CommissioningCommand::Load {
            file,
            reason,
            edited_from,
        } => {
            let source = read(&file)?;
            let edited_from = match edited_from {
                Some(v) => v,
                None => nwd_usecase::commissioning::current(store).await?.number(),
            };
            let audit = crate::admin::as_operator("cli commissioning load", "commissioning");
            match nwd_usecase::commissioning::save(
                store,
                &audit,
                &audit.by(),
                edited_from,
                &source,
                &reason,
            )
            .await
            {
                Ok(version) => {
                    eprintln!("{}: saved as version {version}", file.display());
                    Ok(())
                }
                Err(nwd_usecase::UseCaseError::Store(nwd_store::StoreError::Conflict {
                    current,
                    changes,
                    ..
                })) => {
                    for c in &changes {
                        eprintln!("version {} saved by {} at {}", c.version, c.actor, c.at);
                    }
                    bail!(
                        "{}: nothing saved: the record is at version {current}, not {edited_from}; check what changed (`nowrongdoor commissioning show`) and load again",
                        file.display()
                    )
                }
                Err(e) => Err(refused(&file, e)),
            }
        }
        CommissioningCommand::Show => {
            let record = nwd_usecase::commissioning::current(store).await?;
            let Some(version) = record.version else {
                bail!("the commissioning record has never been saved");
            };
            eprintln!(
                "version {} saved by {} at {}: {}",
                version.version, version.saved_by, version.saved_at, version.reason
            );
            if let Err(problems) = &record.plan {
                for p in problems {
                    eprintln!("does not check: {}: {}", p.field, p.message);
                }
            }
            std::io::stdout()
                .lock()
                .write_all(version.source.as_bytes())?;
            Ok(())
        }
        CommissioningCommand::History => {
            let versions = store.commissioning_versions().await?;
            let mut out = std::io::stdout().lock();
            for v in versions {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    v.version, v.saved_at, v.saved_by, v.reason
                )?;
            }
            Ok(())
        }
    }
}
