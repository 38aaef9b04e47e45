//! `nowrongdoor population …`: the operator's door to the population table behind the need
//! page (`nwd_usecase::need`, audited as `cli:<operator>`), as the commissioner's upload page
//! and the API are: `load` a CSV (refused whole with the row and column of its first fault,
//! read line by line), optionally with the area's own prevalence rates (`--prevalence`,
//! default `config/prevalence.toml`'s), and `show` the table in force as CSV.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;

/// `nowrongdoor population …`.
#[derive(clap::Subcommand)]
pub enum PopulationCommand {
    /// Replace the population table with a CSV file
    /// (`area,age_band,sex,ethnicity,deprivation_decile,people`).
    Load {
        /// The table (CSV).
        file: PathBuf,
        /// Prevalence rates (TOML, as `config/prevalence.toml`); the shipped ones without it.
        #[arg(long, env = "NWD_PREVALENCE")]
        prevalence: Option<PathBuf>,
    },
    /// Print the table in force as CSV to standard output, its load to standard error.
    Show,
}

/// Runs a population command.
pub async fn run(store: &nwd_store::Store, command: PopulationCommand) -> anyhow::Result<()> {
    match command {
        PopulationCommand::Load { file, prevalence } => {
            let rates = match &prevalence {
                Some(path) => Some(
                    std::fs::read_to_string(path)
                        .with_context(|| format!("{}: cannot read", path.display()))?,
                ),
                None => None,
            };
            let input = std::fs::File::open(&file)
                .with_context(|| format!("{}: cannot read", file.display()))?;
            let audit = crate::admin::as_operator("cli population load", "population");
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            match nwd_usecase::need::load_population(
                store,
                &audit,
                std::io::BufReader::new(input),
                rates.as_deref(),
                &audit.by(),
                &name,
            )
            .await
            {
                Ok(loaded) => {
                    eprintln!(
                        "{}: loaded as load {} ({} rows, {} districts, {} people)",
                        file.display(),
                        loaded.load_id,
                        loaded.rows,
                        loaded.areas,
                        loaded.people
                    );
                    Ok(())
                }
                Err(nwd_usecase::UseCaseError::Invalid(fields)) => {
                    for f in &fields {
                        let at = if f.field == "csv" {
                            file.display().to_string()
                        } else {
                            prevalence
                                .as_ref()
                                .map_or_else(String::new, |p| p.display().to_string())
                        };
                        eprintln!("{at}: {}: {}", f.field, f.message);
                    }
                    anyhow::bail!("{}: nothing loaded", file.display())
                }
                Err(e) => Err(e.into()),
            }
        }
        PopulationCommand::Show => {
            let Some(stored) = store.population().await? else {
                anyhow::bail!("no population table is loaded");
            };
            let l = &stored.load;
            eprintln!(
                "load {} from {} by {} at {}: {} rows, {} people",
                l.load_id, l.source, l.loaded_by, l.loaded_at, l.rows, l.people
            );
            let p = &stored.population;
            let mut out = std::io::stdout().lock();
            writeln!(out, "area,age_band,sex,ethnicity,deprivation_decile,people")?;
            for c in p.cells() {
                writeln!(
                    out,
                    "{},{},{},{},{},{}",
                    c.area,
                    c.band.key(),
                    c.sex.key(),
                    nwd_domain::population::ethnicity_key(c.ethnicity),
                    p.decile(c.area).unwrap_or(0),
                    c.people
                )?;
            }
            Ok(())
        }
    }
}
