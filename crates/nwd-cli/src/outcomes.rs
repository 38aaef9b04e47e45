//! `nowrongdoor outcomes load-wording` / `remove-wording`: the operator's door to the
//! organisation's licensed wording of a measure (`nwd_usecase::measure_texts`, audited as
//! `cli:<operator>`), as the administrator's page and the API do.
//!
//! `nowrongdoor outcomes classify`: anyone can check the outcome classification against
//! their own data. Reads paired scores (`referral_id,rater,measure,scale,first,last`),
//! judges each scale's reliable change as NHS England's CYP outcome metric (MHS112) does
//! (`nwd_outcomes::classify_csv`), and writes one row per scale (`change`) and, if asked, one
//! per referral and rater (`overall`).
//!
//! Refused up front, before any work: an input that cannot be read, an output whose folder
//! does not exist. A bad row is refused with its line and column, and nothing is written: the
//! outputs are written to temporary files beside them and renamed into place only when every
//! row was good.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

/// `nowrongdoor outcomes …`.
#[derive(clap::Subcommand)]
pub enum OutcomesCommand {
    /// Classify paired first and last scores: reliable improvement, no change or
    /// deterioration per scale, and meaningful improvement, deterioration or no change per
    /// referral and rater, as NHS England's MHS112.
    Classify {
        /// Paired scores: CSV with the header `referral_id,rater,measure,scale,first,last`.
        #[arg(long)]
        scores: PathBuf,
        /// Where to write one row per scale: `referral_id,rater,measure,scale,change`.
        #[arg(long)]
        out: PathBuf,
        /// Where to write one row per referral and rater: `referral_id,rater,overall`.
        #[arg(long)]
        referrals_out: Option<PathBuf>,
    },
    /// Load (or replace) the wording your organisation is licensed to use for a measure
    /// shipped as scoring only: a TOML, JSON or FHIR Questionnaire file with the question for
    /// every item and a label for every answer.
    LoadWording {
        /// The measure's code, e.g. `rcads`.
        #[arg(long)]
        measure: String,
        /// The wording file.
        file: PathBuf,
    },
    /// Remove a measure's loaded wording: it is scores only again.
    RemoveWording {
        /// The measure's code.
        #[arg(long)]
        measure: String,
    },
}

/// Runs an outcomes command; `open_store` is called only by the commands that need the
/// database.
pub async fn run<F, Fut>(command: OutcomesCommand, open_store: F) -> anyhow::Result<()>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<nwd_store::Store>>,
{
    match command {
        OutcomesCommand::Classify {
            scores,
            out,
            referrals_out,
        } => classify(&scores, &out, referrals_out.as_deref()),
        OutcomesCommand::LoadWording { measure, file } => {
            let meta = std::fs::metadata(&file)
                .with_context(|| format!("{}: cannot read", file.display()))?;
            if meta.len() > nwd_usecase::measure_texts::MAX_TEXT_BYTES as u64 {
                bail!(
                    "{}: {} bytes; at most {} are accepted",
                    file.display(),
                    meta.len(),
                    nwd_usecase::measure_texts::MAX_TEXT_BYTES
                );
            }
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("{}: cannot read as UTF-8 text", file.display()))?;
            let store = open_store().await?;
            let audit =
                crate::admin::as_operator("nowrongdoor outcomes load-wording", "measure_text");
            match nwd_usecase::measure_texts::load(&store, &audit, &audit.by(), &measure, &text)
                .await
            {
                Ok(loaded) => {
                    eprintln!(
                        "{}: wording loaded for {} questions",
                        loaded.definition.name,
                        loaded.definition.items.len()
                    );
                    Ok(())
                }
                Err(nwd_usecase::UseCaseError::Invalid(fields)) => {
                    for f in &fields {
                        eprintln!("{}: {}: {}", file.display(), f.field, f.message);
                    }
                    bail!(
                        "{}: nothing loaded ({} problems)",
                        file.display(),
                        fields.len()
                    )
                }
                Err(other) => Err(other.into()),
            }
        }
        OutcomesCommand::RemoveWording { measure } => {
            let store = open_store().await?;
            let audit =
                crate::admin::as_operator("nowrongdoor outcomes remove-wording", "measure_text");
            if nwd_usecase::measure_texts::remove(&store, &audit, &measure).await? {
                eprintln!("{measure}: wording removed");
                Ok(())
            } else {
                bail!("{measure}: no wording is loaded")
            }
        }
    }
}

/// A temporary file beside `path`, removed unless kept.
struct Pending {
    temporary: PathBuf,
    target: PathBuf,
}

impl Pending {
    fn create(target: &Path) -> anyhow::Result<(Pending, File)> {
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !folder.is_dir() {
            bail!(
                "{}: the folder {} does not exist",
                target.display(),
                folder.display()
            );
        }
        let name = target
            .file_name()
            .with_context(|| format!("{}: not a file name", target.display()))?;
        let temporary = folder.join(format!(".{}.partial", name.to_string_lossy()));
        let file = File::create(&temporary)
            .with_context(|| format!("{}: cannot write in this folder", target.display()))?;
        Ok((
            Pending {
                temporary,
                target: target.to_owned(),
            },
            file,
        ))
    }

    fn keep(self) -> anyhow::Result<()> {
        std::fs::rename(&self.temporary, &self.target)
            .with_context(|| format!("{}: cannot write", self.target.display()))?;
        std::mem::forget(self);
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temporary);
    }
}

fn classify(scores: &Path, out: &Path, referrals_out: Option<&Path>) -> anyhow::Result<()> {
    let input = File::open(scores).with_context(|| format!("{}: cannot read", scores.display()))?;
    let (pending_out, out_file) = Pending::create(out)?;
    let pending_ref = referrals_out.map(Pending::create).transpose()?;
    let mut out_writer = BufWriter::new(out_file);
    let (pending_ref, mut ref_writer) = match pending_ref {
        Some((pending, file)) => (Some(pending), Some(BufWriter::new(file))),
        None => (None, None),
    };
    let summary =
        nwd_outcomes::classify_csv(BufReader::new(input), &mut out_writer, ref_writer.as_mut())
            .with_context(|| format!("{}", scores.display()))?;
    out_writer.flush()?;
    out_writer.get_ref().sync_all()?;
    if let Some(writer) = ref_writer.as_mut() {
        writer.flush()?;
        writer.get_ref().sync_all()?;
    }
    pending_out.keep()?;
    if let Some(pending) = pending_ref {
        pending.keep()?;
    }
    eprintln!(
        "classified {} scales: {} reliably improved, {} no reliable change, {} reliably deteriorated; {} referral and rater pairs: {} meaningful improvement, {} deterioration, {} no change",
        summary.rows,
        summary.improved,
        summary.no_change,
        summary.deteriorated,
        summary.referral_raters,
        summary.meaningful_improvement,
        summary.deterioration,
        summary.referral_no_change,
    );
    Ok(())
}
