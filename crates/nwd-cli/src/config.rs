//! Configuration: flags with environment variables (`NWD_…`), and the clinical standards file.

use anyhow::{bail, Context as _};
use nwd_domain::standards::DefaultStandards;
use nwd_store::StoreOptions;

/// The shipped standards, with their sources (`config/standards.toml`).
const DEFAULT_STANDARDS: &str = include_str!("../../../config/standards.toml");

/// Options shared by every command.
#[derive(clap::Args)]
pub struct Args {
    /// Database: a SQLite file path (the embedded default) or postgres://user@host/db.
    #[arg(
        long,
        global = true,
        env = "NWD_DATABASE_URL",
        default_value = "data/nowrongdoor.sqlite"
    )]
    pub database_url: String,
    /// The server's secret key file: 64 hexadecimal characters (32 random bytes, e.g.
    /// `openssl rand -hex 32`), kept where the database and its backups are not. It MACs every
    /// audit entry and seals TOTP secrets (docs/security.md). Required with PostgreSQL; with
    /// an SQLite file it defaults to `<database>.key` beside it, created on first start.
    #[arg(long, global = true, env = "NWD_SECRET_KEY_FILE")]
    pub secret_key_file: Option<std::path::PathBuf>,
    /// Waiting-time standards file (TOML); defaults to the shipped config/standards.toml.
    #[arg(long, global = true, env = "NWD_STANDARDS")]
    pub standards: Option<std::path::PathBuf>,
    /// Person-matching thresholds file (TOML); defaults to the shipped config/matching.toml.
    #[arg(long, global = true, env = "NWD_MATCHING")]
    pub matching: Option<std::path::PathBuf>,
    /// The area's time zone (IANA name), for dates, days waited and breach dates.
    #[arg(
        long,
        global = true,
        env = "NWD_TIMEZONE",
        default_value = "Europe/London"
    )]
    pub timezone: String,
    /// Maximum database connections.
    #[arg(long, global = true, env = "NWD_MAX_CONNECTIONS", default_value_t = 16)]
    pub max_connections: u32,
    /// How audit entries of reads, denials and sign-ins reach the disk: `durable` flushes
    /// each before the response; `deferred` commits each before the response but lets the
    /// database flush within about a second (a power cut can lose that last second of
    /// read entries; changes and their entries are always flushed). See docs/security.md.
    #[arg(
        long,
        global = true,
        env = "NWD_AUDIT_COMMIT",
        default_value = "durable"
    )]
    pub audit_commit: nwd_store::audit::AuditCommit,
    /// A breached-password list (one per line, e.g. the Pwned Passwords download); added to
    /// the shipped seed list config/breached-passwords.txt.
    #[arg(long, global = true, env = "NWD_BREACHED_PASSWORDS")]
    pub breached_passwords: Option<std::path::PathBuf>,
    /// Role → permission table (TOML, e.g. config/roles.toml). Default: the built-in least-
    /// privilege table, the same as config/roles.toml.
    #[arg(long, global = true, env = "NWD_ROLES")]
    pub roles: Option<std::path::PathBuf>,
    /// Session idle timeout, minutes.
    #[arg(
        long,
        global = true,
        env = "NWD_SESSION_IDLE_MINUTES",
        default_value_t = 30
    )]
    pub session_idle_minutes: i64,
    /// Session absolute timeout, hours.
    #[arg(
        long,
        global = true,
        env = "NWD_SESSION_ABSOLUTE_HOURS",
        default_value_t = 12
    )]
    pub session_absolute_hours: i64,
    /// Hours a team keeps access to a young person's record after discharge (default 0: the
    /// relationship ends at discharge).
    #[arg(
        long,
        global = true,
        env = "NWD_RELATIONSHIP_GRACE_HOURS",
        default_value_t = 0
    )]
    pub relationship_grace_hours: i64,
}

impl Args {
    /// Builds store options, loading and validating the standards.
    pub fn store_options(&self) -> anyhow::Result<StoreOptions> {
        let text = match &self.standards {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("could not read the standards file {}", path.display()))?,
            None => DEFAULT_STANDARDS.to_string(),
        };
        let standards = parse_standards(&text)?;
        let tz = jiff::tz::TimeZone::get(&self.timezone).with_context(|| {
            format!(
                "unknown time zone {:?}: use an IANA name such as Europe/London",
                self.timezone
            )
        })?;
        if !self.database_url.contains("://") {
            if let Some(parent) = std::path::Path::new(&self.database_url).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).with_context(|| {
                        format!("could not create the folder {}", parent.display())
                    })?;
                }
            }
        }
        let mut options = StoreOptions::new(self.database_url.clone(), standards);
        options.tz = tz;
        options.max_connections = self.max_connections;
        options.audit_commit = self.audit_commit;
        options.access = self.access_settings()?;
        match &self.secret_key_file {
            Some(path) => {
                options.secret_key = Some(nwd_store::secrets::SecretKey::from_file(path)?)
            }
            None if self.database_url.starts_with("postgres") => bail!(
                "PostgreSQL needs the server's secret key: set NWD_SECRET_KEY_FILE (or \
                 --secret-key-file) to a file holding 64 hexadecimal characters \
                 (`openssl rand -hex 32`), kept away from the database and its backups"
            ),
            None => {}
        }
        Ok(options)
    }

    /// Access settings: timeouts, grace period, breached passwords.
    fn access_settings(&self) -> anyhow::Result<nwd_store::auth::AccessSettings> {
        if !(1..=24 * 60).contains(&self.session_idle_minutes) {
            bail!("--session-idle-minutes must be from 1 to 1440");
        }
        if !(1..=72).contains(&self.session_absolute_hours) {
            bail!("--session-absolute-hours must be from 1 to 72");
        }
        if !(0..=24 * 90).contains(&self.relationship_grace_hours) {
            bail!("--relationship-grace-hours must be from 0 to 2160 (90 days)");
        }
        let mut settings = nwd_store::auth::AccessSettings {
            sessions: nwd_store::auth::SessionPolicy {
                idle: jiff::SignedDuration::from_mins(self.session_idle_minutes),
                absolute: jiff::SignedDuration::from_hours(self.session_absolute_hours),
            },
            grace: jiff::SignedDuration::from_hours(self.relationship_grace_hours),
            ..Default::default()
        };
        if let Some(path) = &self.roles {
            settings.roles = crate::roles::load(path)?;
        }
        if let Some(path) = &self.breached_passwords {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!(
                    "could not read the breached-password list {}",
                    path.display()
                )
            })?;
            let mut list = (*settings.breached).clone();
            list.extend(nwd_store::auth::parse_breached(&text));
            settings.breached = std::sync::Arc::new(list);
        }
        Ok(settings)
    }
}

/// Parses and validates a standards file; errors name the key at fault.
pub fn parse_standards(text: &str) -> anyhow::Result<DefaultStandards> {
    let standards: DefaultStandards =
        toml::from_str(text).context("the standards file is not valid")?;
    let errors = standards.validate();
    if !errors.is_empty() {
        bail!("the standards file has errors: {errors}");
    }
    Ok(standards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_standards_parse_and_carry_sources() {
        let standards = parse_standards(DEFAULT_STANDARDS).unwrap();
        assert_eq!(standards.transition_notice_months, 6);
        let crisis = standards.for_team_type(nwd_domain::codes::TeamType::CrisisResolution);
        assert_eq!(crisis.len(), 3);
        assert!(crisis.iter().all(|s| !s.source.is_empty()));
        let ed = standards.for_team_type(nwd_domain::codes::TeamType::EatingDisorder);
        assert_eq!(ed[0].target, nwd_domain::standards::WaitTarget::Days(7));
        let community = standards.for_team_type(nwd_domain::codes::TeamType::Community);
        assert_eq!(
            community[0].target,
            nwd_domain::standards::WaitTarget::Days(28)
        );
    }

    #[test]
    fn bad_standards_name_the_key() {
        let error = parse_standards(
            "transition_notice_months = 6\n[[fallback]]\nname = \"x\"\ntarget = { days = 0 }\nsource = \"s\"\n",
        )
        .unwrap_err();
        assert!(error.to_string().contains("fallback[0].target"), "{error}");
    }
}
