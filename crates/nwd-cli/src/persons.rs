//! `nowrongdoor persons …`: matching from the command line — a batch interface for
//! evaluation (`match-file`), unsupervised re-estimation of the parameters (`estimate`), and
//! batch de-duplication proposals (`dedupe`, which writes nothing to the register).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use nwd_match::{EstimateOptions, Matcher, Params, Record, Thresholds};
use nwd_store::Store;

/// The `persons` subcommands.
#[derive(clap::Subcommand)]
pub enum PersonsCommand {
    /// Match each query against a register; writes `query_id,person_id,score,band` per query.
    MatchFile {
        /// Register CSV: id,nhs_number,given_name,family_name,date_of_birth,address,postcode,sex
        /// (any order; `id` required; unknown columns and repeated ids are refused).
        #[arg(long)]
        register: PathBuf,
        /// Queries CSV, same columns.
        #[arg(long)]
        queries: PathBuf,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
        /// Parameters JSON (default: estimated without labels — u from the register, m and the
        /// prior from the pairs between queries and register).
        #[arg(long)]
        params: Option<PathBuf>,
    },
    /// Estimate matching parameters from the register (no labels) and store them.
    Estimate,
    /// Propose duplicate pairs and clusters in the register, with scores and bands. Writes
    /// nothing to the register: accept a proposal by merging through the API.
    Dedupe {
        /// Output CSV of pairs (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs a `persons` subcommand. `store` opens the database when one is needed.
pub async fn run<F, Fut>(
    command: PersonsCommand,
    thresholds: Thresholds,
    open_store: F,
) -> anyhow::Result<()>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Store>>,
{
    match command {
        PersonsCommand::MatchFile {
            register,
            queries,
            out,
            params,
        } => match_file(&register, &queries, &out, params.as_deref(), thresholds),
        PersonsCommand::Estimate => {
            let store = open_store().await?;
            let persons = store.live_persons().await?;
            let records: Vec<Record> = persons
                .iter()
                .map(nwd_match::person_matcher::record_from_person)
                .collect();
            let params = estimate_with_spinner(&records)?;
            let id = store
                .save_match_parameters(
                    &crate::admin::as_operator("cli persons estimate", "match_parameters"),
                    &params.to_json()?,
                    records.len() as u64,
                )
                .await?;
            eprintln!(
                "estimated matching parameters from {} people (stored as {id})",
                records.len()
            );
            Ok(())
        }
        PersonsCommand::Dedupe { out } => {
            let store = open_store().await?;
            let persons = store.live_persons().await?;
            let records: Vec<Record> = persons
                .iter()
                .map(nwd_match::person_matcher::record_from_person)
                .collect();
            let params = match store.latest_match_parameters().await? {
                Some(json) => Params::from_json(&json)?,
                None => estimate_with_spinner(&records)?,
            };
            let not_same = store.not_same_pairs().await?;
            let bar = bar(records.len() as u64, "dedupe");
            let result =
                nwd_match::dedupe_with_progress(&records, &params, &thresholds, &|done| {
                    bar.set_position(done as u64)
                })?;
            bar.finish();
            let mut writer: csv::Writer<Box<dyn std::io::Write>> =
                csv::Writer::from_writer(match &out {
                    Some(path) => Box::new(
                        std::fs::File::create(path)
                            .with_context(|| format!("could not create {}", path.display()))?,
                    ),
                    None => Box::new(std::io::stdout()),
                });
            writer.write_record(["left_id", "right_id", "score", "band", "cluster"])?;
            let mut cluster_of = std::collections::HashMap::new();
            for (number, cluster) in result.clusters.iter().enumerate() {
                for member in cluster {
                    cluster_of.insert(*member, number + 1);
                }
            }
            let mut proposed = 0usize;
            for pair in &result.pairs {
                let (left, right) = (&persons[pair.left], &persons[pair.right]);
                if not_same.iter().any(|(a, b)| {
                    (*a == left.id && *b == right.id) || (*a == right.id && *b == left.id)
                }) {
                    continue;
                }
                proposed += 1;
                writer.write_record(nwd_domain::spreadsheet::safe_row([
                    left.id.to_string(),
                    right.id.to_string(),
                    format!("{:.6}", pair.match_probability),
                    pair.band.as_str().to_string(),
                    cluster_of
                        .get(&pair.left)
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ]))?;
            }
            writer.flush()?;
            eprintln!(
                "{proposed} pairs proposed ({} auto clusters) among {} people; nothing was written to the register",
                result.clusters.len(),
                records.len()
            );
            Ok(())
        }
    }
}

fn bar(total: u64, message: &'static str) -> ProgressBar {
    let style = ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    ProgressBar::new(total)
        .with_style(style)
        .with_message(message)
}

fn estimate_with_spinner(records: &[Record]) -> anyhow::Result<Params> {
    let spinner = ProgressBar::new_spinner().with_message(format!(
        "estimating parameters from {} records",
        records.len()
    ));
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let params = nwd_match::estimate(records, &EstimateOptions::default())?;
    spinner.finish_and_clear();
    Ok(params)
}

fn match_file(
    register: &Path,
    queries: &Path,
    out: &Path,
    params: Option<&Path>,
    thresholds: Thresholds,
) -> anyhow::Result<()> {
    // Everything that can be refused is refused before any work, and nothing is written.
    check_writable(out)?;
    let register_records = read_records(register)?;
    let query_records = read_records(queries)?;
    let params = match params {
        Some(path) => Some(Params::from_json(
            &std::fs::read_to_string(path)
                .with_context(|| format!("could not read {}", path.display()))?,
        )?),
        None => None,
    };
    warn_about_absent_columns(register, &register_records);
    warn_about_absent_columns(queries, &query_records);
    // The register is normalised and indexed once; without a parameters file the parameters
    // are then estimated from that same register (as `nwd_match::estimate` would from the
    // records), then m and the prior from the pairs between the queries and the register (as
    // Splink estimates a link job; the register's stand if that fit is unusable) — and put
    // in place before any query is matched.
    let mut matcher = Matcher::new(params.as_ref().unwrap_or(&Params::default()), thresholds)?;
    let spinner = ProgressBar::new_spinner()
        .with_message(format!("indexing {} people", register_records.len()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    matcher.insert_many(&register_records);
    spinner.finish_and_clear();
    if params.is_none() {
        let spinner = ProgressBar::new_spinner().with_message(format!(
            "estimating parameters from {} records",
            register_records.len()
        ));
        spinner.enable_steady_tick(std::time::Duration::from_millis(200));
        let estimated =
            matcher.estimate_with_referrals(&query_records, &EstimateOptions::default())?;
        matcher.set_params(&estimated)?;
        spinner.finish_and_clear();
        if let Some(referrals) = estimated
            .estimation
            .as_ref()
            .and_then(|e| e.referrals.as_ref())
        {
            eprintln!(
                "parameters: {} ({} queries; expected matches per query {:.3})",
                referrals.note, referrals.referrals, referrals.matches_per_referral
            );
        }
    }
    // The matcher holds its own compact copy: the raw records are no longer needed.
    let register_len = register_records.len();
    drop(register_records);
    let outcomes = matcher.match_batch(&query_records);
    let mut writer = csv::Writer::from_path(out)
        .with_context(|| format!("could not create {}", out.display()))?;
    writer.write_record(["query_id", "person_id", "score", "band"])?;
    for (query, outcome) in query_records.iter().zip(&outcomes) {
        let (person_id, score) = match &outcome.best {
            Some(best) => (best.id.clone(), format!("{:.6}", best.match_probability)),
            None => match outcome.candidates.first() {
                Some(top) => (String::new(), format!("{:.6}", top.match_probability)),
                None => (String::new(), "0".to_string()),
            },
        };
        writer.write_record(nwd_domain::spreadsheet::safe_row([
            query.id.as_str(),
            person_id.as_str(),
            score.as_str(),
            outcome.band.as_str(),
        ]))?;
    }
    writer.flush()?;
    eprintln!(
        "matched {} queries against {} people: {}",
        query_records.len(),
        register_len,
        out.display()
    );
    Ok(())
}

/// Reads a person CSV (`nwd_match::import::read_records`: columns in any order, `id`
/// required, unknown columns, repeated ids and unreadable cells refused); errors name the
/// file, the line and the column.
pub fn read_records(path: &Path) -> anyhow::Result<Vec<Record>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    nwd_match::import::read_records(std::io::BufReader::new(file))
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Refuses an output path that cannot be written — its folder missing, not a folder, or not
/// writable, or the path itself a folder — before any work, by creating and removing a probe
/// file beside it (an existing output is left untouched until the results are written).
fn check_writable(out: &Path) -> anyhow::Result<()> {
    if out.is_dir() {
        anyhow::bail!("--out {} is a folder; give a file name", out.display());
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        anyhow::bail!(
            "--out {}: the folder {} does not exist",
            out.display(),
            parent.display()
        );
    }
    let probe = parent.join(format!(".nowrongdoor-write-check-{}", std::process::id()));
    std::fs::File::create(&probe).with_context(|| {
        format!(
            "--out {}: cannot write in {}",
            out.display(),
            parent.display()
        )
    })?;
    // The probe is ours and empty; if it cannot be removed, the results can still be written.
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Warns, once per file, about a matching column that is absent or empty in every row: the
/// matcher then never compares it, which changes what can link.
fn warn_about_absent_columns(path: &Path, records: &[Record]) {
    if records.is_empty() {
        eprintln!("warning: {} has no rows", path.display());
        return;
    }
    type Present = fn(&Record) -> bool;
    let present: [(&str, Present); 6] = [
        ("nhs_number", |r| r.nhs_number.is_some()),
        ("given_name", |r| r.given_name.is_some()),
        ("family_name", |r| r.family_name.is_some()),
        ("date_of_birth", |r| r.date_of_birth.is_some()),
        ("address", |r| r.address.is_some()),
        ("postcode", |r| r.postcode.is_some()),
    ];
    for (column, has) in present {
        if !records.iter().any(has) {
            eprintln!(
                "warning: {}: column `{column}` is absent or empty in every row; it will not be compared",
                path.display()
            );
        }
    }
}
