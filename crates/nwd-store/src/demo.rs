//! A demonstration database (issue 17): the demo's teams and staff, one account per role,
//! and the mark that says the database was made by the demo loader (migration 0022); then
//! one-click sign-in into those accounts, offered only where that mark is.
//!
//! [`Store::create_demo_staff`] is the only writer of the mark. It refuses a database that
//! already has any account, so a real install never becomes a demonstration one by loading
//! the demo into it. The demo's accounts have no password and no second factor: the only
//! way into them is [`Store::demo_sign_in`], which checks the mark and the account inside its
//! write transaction and commits the new session with its audit entry (action `sign_in`,
//! why `demo sign-in`).

use nwd_domain::authz::Role;
use sqlx::Row;
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::auth::{insert_session, session_ref, NewSession, TeamKind};
use crate::codec::ms;
use crate::{Store, StoreError};

/// One team of the demo and its members.
#[derive(Debug, Clone)]
pub struct DemoTeam {
    /// The organisation it belongs to (one of the demo's).
    pub organisation_id: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: TeamKind,
    /// The service it runs, for a service team.
    pub service_id: Option<String>,
    /// Its members: one demo account each.
    pub members: Vec<DemoMember>,
}

/// A demo account: a made-up person with one role in its team.
#[derive(Debug, Clone)]
pub struct DemoMember {
    /// Sign-in name (never used with a password: demo accounts have none).
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// The role, also the key of one-click sign-in (one account per role).
    pub role: Role,
}

/// A demo account as created, for the console and the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// The role it holds.
    pub role: Role,
    /// Its id.
    pub user_id: String,
    /// Its sign-in name.
    pub username: String,
    /// Its shown name.
    pub display_name: String,
    /// Its team's name.
    pub team_name: String,
}

/// Why the demo's staff could not be created, or a demo sign-in was refused.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database was not made by the demo loader: no demonstration sign-in here.
    #[error("this database was not made by the demo: demonstration sign-in is not available")]
    NotADemo,
    /// Accounts exist already: the demo's staff are added only to a database without any, so
    /// a real install never becomes a demonstration one.
    #[error("this database already has staff accounts: the demo's staff and demonstration sign-in are only for a database made by the demo")]
    AccountsExist,
    /// The demo's staff were created already.
    #[error("the demo's staff were created already")]
    AlreadyCreated,
    /// No demo account holds this role (or it was disabled).
    #[error("there is no demonstration account for the role {0}")]
    NoAccount(&'static str),
    /// A team or account the demo asked for is not valid (e.g. a team of an unknown
    /// organisation, two accounts for one role, the parent or carer role).
    #[error("the demo's staff are not valid: {0}")]
    Invalid(String),
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DemoError {
    fn from(e: sqlx::Error) -> Self {
        DemoError::Store(StoreError::from(e))
    }
}

impl Store {
    /// Whether this database was made by the demo loader (it has the demo's mark).
    pub async fn is_demo(&self) -> Result<bool, StoreError> {
        Ok(sqlx::query("SELECT id FROM demo_install WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// The demo's accounts, by role (empty on a database not made by the demo).
    pub async fn demo_accounts(&self) -> Result<Vec<DemoAccount>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.role, u.id, u.username, u.display_name, \
             (SELECT MIN(t.name) FROM team_members m JOIN teams t ON t.id = m.team_id \
              WHERE m.user_id = u.id AND m.role = d.role) AS team_name \
             FROM demo_accounts d JOIN users u ON u.id = d.user_id \
             WHERE EXISTS (SELECT 1 FROM demo_install WHERE id = 1) AND u.disabled_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut accounts = rows
            .iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                Ok(DemoAccount {
                    role: Role::parse(&role).map_err(StoreError::Corrupt)?,
                    user_id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                    team_name: r
                        .try_get::<Option<String>, _>("team_name")?
                        .unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        accounts.sort_by_key(|a| Role::ALL.iter().position(|r| *r == a.role));
        Ok(accounts)
    }

    /// Creates the demo's teams and staff accounts and marks the database as made by the
    /// demo, in one transaction with one audit entry (`audit`'s actor: the demo loader), after
    /// checking inside it that the database has no account yet (a real install is refused)
    /// and was not marked before, that each team's organisation (and service) exists, and
    /// that each role has at most one account and none is the parent or carer role. Every
    /// role takes effect at once — this is a demonstration, with no second administrator to
    /// approve clinical roles — and no account has a password or second factor: they are
    /// entered only through [`Store::demo_sign_in`].
    pub async fn create_demo_staff(
        &self,
        audit: &AuditContext,
        teams: &[DemoTeam],
    ) -> Result<Vec<DemoAccount>, DemoError> {
        let mut roles = std::collections::BTreeSet::new();
        for member in teams.iter().flat_map(|t| &t.members) {
            if member.role == Role::ParentCarer {
                return Err(DemoError::Invalid(
                    "the parent or carer role is given only with a recorded carer link".into(),
                ));
            }
            if !roles.insert(member.role) {
                return Err(DemoError::Invalid(format!(
                    "two accounts for the role {}",
                    member.role.as_str()
                )));
            }
        }
        let now = self.now();
        let by = audit.by();
        let mut w = self.begin_write().await?;
        let accounts: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&mut *w.tx)
            .await?
            .try_get("n")?;
        if accounts > 0 {
            return Err(DemoError::AccountsExist);
        }
        if sqlx::query("SELECT id FROM demo_install WHERE id = 1")
            .fetch_optional(&mut *w.tx)
            .await?
            .is_some()
        {
            return Err(DemoError::AlreadyCreated);
        }
        let mut created = Vec::new();
        let mut detail = Vec::new();
        for team in teams {
            let known = sqlx::query("SELECT id FROM organisations WHERE id = $1")
                .bind(&team.organisation_id)
                .fetch_optional(&mut *w.tx)
                .await?
                .is_some();
            if !known {
                return Err(DemoError::Invalid(format!(
                    "the team {} belongs to an unknown organisation",
                    team.name
                )));
            }
            match (&team.kind, &team.service_id) {
                (TeamKind::Service, Some(service)) => {
                    let known = sqlx::query("SELECT id FROM services WHERE id = $1")
                        .bind(service)
                        .fetch_optional(&mut *w.tx)
                        .await?
                        .is_some();
                    if !known {
                        return Err(DemoError::Invalid(format!(
                            "the team {} runs an unknown service",
                            team.name
                        )));
                    }
                }
                (TeamKind::Service, None) | (_, Some(_)) => {
                    return Err(DemoError::Invalid(format!(
                        "the team {}: a service exactly for a service team",
                        team.name
                    )))
                }
                _ => {}
            }
            let team_id = Uuid::new_v4().to_string();
            sqlx::query(
                "INSERT INTO teams (id, organisation_id, name, kind, service_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&team_id)
            .bind(&team.organisation_id)
            .bind(&team.name)
            .bind(crate::admin::team_kind_name(team.kind))
            .bind(&team.service_id)
            .bind(ms(now))
            .execute(&mut *w.tx)
            .await?;
            detail.push(format!("team:{team_id} ({})", team.name));
            for member in &team.members {
                let user_id = Uuid::new_v4().to_string();
                let username = member.username.trim().to_lowercase();
                sqlx::query(
                    "INSERT INTO users (id, username, display_name, organisation_id, \
                     password_hash, totp_secret, created_at, created_by) \
                     VALUES ($1, $2, $3, $4, NULL, NULL, $5, $6)",
                )
                .bind(&user_id)
                .bind(&username)
                .bind(member.display_name.trim())
                .bind(&team.organisation_id)
                .bind(ms(now))
                .bind(&by)
                .execute(&mut *w.tx)
                .await?;
                sqlx::query(
                    "INSERT INTO team_members (user_id, team_id, role) VALUES ($1, $2, $3)",
                )
                .bind(&user_id)
                .bind(&team_id)
                .bind(member.role.as_str())
                .execute(&mut *w.tx)
                .await?;
                sqlx::query("INSERT INTO demo_accounts (role, user_id) VALUES ($1, $2)")
                    .bind(member.role.as_str())
                    .bind(&user_id)
                    .execute(&mut *w.tx)
                    .await?;
                detail.push(format!(
                    "user:{user_id} ({username}) team:{team_id} role:{}",
                    member.role.as_str()
                ));
                created.push(DemoAccount {
                    role: member.role,
                    user_id,
                    username,
                    display_name: member.display_name.trim().to_owned(),
                    team_name: team.name.clone(),
                });
            }
        }
        sqlx::query("INSERT INTO demo_install (id, created_at, created_by) VALUES (1, $1, $2)")
            .bind(ms(now))
            .bind(&by)
            .execute(&mut *w.tx)
            .await?;
        audit.set_record("demo", "demo_install");
        audit.set_detail(format!(
            "demonstration database: demo staff created by:{by}; {}",
            detail.join("; ")
        ));
        w.commit_audited(now, audit).await?;
        Ok(created)
    }

    /// Signs in as the demo's account for `role`, without password or second factor — only
    /// on a database made by the demo (checked inside the write transaction, with the account
    /// still live): a new session, committed with `audit`'s entry naming the account, its
    /// role and the session, why `demo sign-in`. Anywhere else, [`DemoError::NotADemo`] and
    /// nothing written.
    pub async fn demo_sign_in(
        &self,
        audit: &AuditContext,
        role: Role,
        address: Option<&str>,
    ) -> Result<NewSession, DemoError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        if sqlx::query("SELECT id FROM demo_install WHERE id = 1")
            .fetch_optional(&mut *w.tx)
            .await?
            .is_none()
        {
            return Err(DemoError::NotADemo);
        }
        let Some(row) = sqlx::query(
            "SELECT u.id, u.username, u.organisation_id FROM demo_accounts d \
             JOIN users u ON u.id = d.user_id WHERE d.role = $1 AND u.disabled_at IS NULL",
        )
        .bind(role.as_str())
        .fetch_optional(&mut *w.tx)
        .await?
        else {
            return Err(DemoError::NoAccount(role.as_str()));
        };
        let user_id: String = row.try_get("id")?;
        let username: String = row.try_get("username")?;
        let organisation_id: String = row.try_get("organisation_id")?;
        let held: Vec<String> =
            sqlx::query("SELECT DISTINCT role FROM team_members WHERE user_id = $1 ORDER BY role")
                .bind(&user_id)
                .fetch_all(&mut *w.tx)
                .await?
                .iter()
                .map(|r| r.try_get("role"))
                .collect::<Result<_, _>>()?;
        let (token, csrf) = insert_session(&mut w.tx, &user_id, address, now).await?;
        let session = session_ref(&token);
        audit.set_signed_in(
            &user_id,
            &username,
            &held.join(","),
            &organisation_id,
            &session,
        );
        audit.set_record("session", session.clone());
        audit.set_why("demo sign-in: demonstration database, no password or code".into());
        audit.set_detail(format!(
            "demo sign-in as the demo {} user:{user_id} ({username})",
            role.as_str()
        ));
        w.commit_audited(now, audit).await?;
        let principal = self
            .load_principal(&user_id, session, None, Some(csrf.clone()))
            .await?
            .ok_or(DemoError::NoAccount(role.as_str()))?;
        Ok(NewSession {
            token,
            csrf_token: csrf,
            principal,
        })
    }
}
