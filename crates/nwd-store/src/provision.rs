//! Creating and dropping whole PostgreSQL databases: used by the test suites and the
//! benchmarks to get a fresh database per run. Not used by the server.

use crate::StoreError;

/// Builds the URL of database `name` on the server of `admin_url`.
pub fn database_url_with_name(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    match base[authority_end..].find('/') {
        Some(slash) => format!("{}/{name}{query}", &base[..authority_end + slash]),
        None => format!("{base}/{name}{query}"),
    }
}

fn check_name(name: &str) -> Result<(), StoreError> {
    if name.is_empty()
        || name.len() > 63
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::UnsupportedUrl(format!(
            "database name {name:?}: use lower-case letters, digits and _"
        )));
    }
    Ok(())
}

/// Creates database `name` on the PostgreSQL server at `admin_url`; returns its URL.
pub async fn create_database(admin_url: &str, name: &str) -> Result<String, StoreError> {
    check_name(name)?;
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(admin_url)
        .await
        .map_err(StoreError::Connect)?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(database_url_with_name(admin_url, name))
}

/// Drops database `name` (closing its connections) on the server at `admin_url`.
pub async fn drop_database(admin_url: &str, name: &str) -> Result<(), StoreError> {
    check_name(name)?;
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(admin_url)
        .await
        .map_err(StoreError::Connect)?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_replace_the_path() {
        assert_eq!(
            database_url_with_name("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            database_url_with_name("postgres://u@h:5", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            database_url_with_name("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert!(check_name("Robert'); DROP").is_err());
    }
}
