//! A database created for one run ([`FreshDatabase`]): a new database on a PostgreSQL
//! server, or a new SQLite file, removed after the run unless it is kept.

use std::path::PathBuf;

use anyhow::{bail, Context as _};

/// A database created for one run and removed after it (unless kept).
pub struct FreshDatabase {
    /// The URL the store opens.
    pub url: String,
    /// `postgresql` or `sqlite`.
    pub backend: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// A database this run did not create: left as it is.
    Kept(String),
}

impl FreshDatabase {
    /// For `postgres://…`: a new database on that server (the URL's own database is only
    /// used to connect). Otherwise SQLite: `sqlite` or `sqlite://` alone means a new file in
    /// the temporary folder; a path names a file that must not exist yet.
    pub async fn create(database_url: &str) -> anyhow::Result<FreshDatabase> {
        let run = uuid::Uuid::new_v4().simple().to_string();
        if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
            let name = format!("nwd_bench_{}", &run[..12]);
            let url = nwd_store::provision::create_database(database_url, &name)
                .await
                .with_context(|| format!("could not create database {name}"))?;
            return Ok(FreshDatabase {
                url,
                backend: "postgresql",
                cleanup: Cleanup::Postgres {
                    admin_url: database_url.to_string(),
                    name,
                },
            });
        }
        let path = database_url
            .strip_prefix("sqlite:")
            .map(|rest| rest.trim_start_matches("//"))
            .unwrap_or(database_url);
        let path = if path.is_empty() || database_url == "sqlite" {
            std::env::temp_dir().join(format!("nwd-bench-{}.sqlite", &run[..12]))
        } else {
            PathBuf::from(path)
        };
        if path.exists() {
            bail!(
                "{} exists: the benchmark needs a fresh database (give a new path, or just `sqlite`)",
                path.display()
            );
        }
        Ok(FreshDatabase {
            url: path.display().to_string(),
            backend: "sqlite",
            cleanup: Cleanup::File(path),
        })
    }

    /// A PostgreSQL database kept by an earlier run (`--keep`), on the server `admin_url`
    /// names: used as it is (migrations still run at connect) and never dropped by `remove`.
    pub fn existing(admin_url: &str, name: &str) -> anyhow::Result<FreshDatabase> {
        if !(admin_url.starts_with("postgres://") || admin_url.starts_with("postgresql://")) {
            bail!("--reuse needs a postgres:// --database-url");
        }
        Ok(FreshDatabase {
            url: nwd_store::provision::database_url_with_name(admin_url, name),
            backend: "postgresql",
            cleanup: Cleanup::Kept(name.to_owned()),
        })
    }

    /// Where the data is, for a report.
    pub fn location(&self) -> String {
        match &self.cleanup {
            Cleanup::File(path) => path.display().to_string(),
            Cleanup::Postgres { name, .. } | Cleanup::Kept(name) => format!("database {name}"),
        }
    }

    /// Size on disk of a SQLite file (with its WAL), if this is one.
    pub fn file_bytes(&self) -> Option<u64> {
        let Cleanup::File(path) = &self.cleanup else {
            return None;
        };
        let size = |suffix: &str| {
            std::fs::metadata(format!("{}{suffix}", path.display()))
                .map(|m| m.len())
                .unwrap_or(0)
        };
        Some(size("") + size("-wal"))
    }

    /// Drops the database or deletes the file.
    pub async fn remove(self) -> anyhow::Result<()> {
        match self.cleanup {
            Cleanup::File(path) => {
                // `.key`: the store's secret key, kept beside an SQLite file.
                for suffix in ["", "-wal", "-shm", ".key"] {
                    let file = format!("{}{suffix}", path.display());
                    if let Err(error) = std::fs::remove_file(&file) {
                        if error.kind() != std::io::ErrorKind::NotFound {
                            return Err(error).with_context(|| format!("could not remove {file}"));
                        }
                    }
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                nwd_store::provision::drop_database(&admin_url, &name)
                    .await
                    .with_context(|| format!("could not drop database {name}"))?;
            }
            Cleanup::Kept(_) => {}
        }
        Ok(())
    }
}
