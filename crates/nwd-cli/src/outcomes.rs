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
}

/// Runs an outcomes command.
pub fn run(command: OutcomesCommand) -> anyhow::Result<()> {
    match command {
        OutcomesCommand::Classify {
            scores,
            out,
            referrals_out,
        } => classify(&scores, &out, referrals_out.as_deref()),
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
