// Over 600 lines, not yet split: the seams are the user list (users, teams, second factor),
// teams and their members, and API token listing; left for the next session of issue 16 item 7
// because this session's time ran out (the split would be a pure move, like `auth/`).
//! Administration of accounts: the user list with teams, roles, second factor and state; teams
//! (listed with their service and members, added with every field checked); team membership
//! changes; API tokens issued and revoked from the administration pages and API.
//!
//! Creating accounts, disabling them (which ends every session and revokes every token at
//! once) and hashing passwords stay in [`crate::auth`]; this module adds what an administrator
//! needs to see and change, with the same checks. Every change takes the caller's
//! [`AuditContext`] — the administration pages and API, and the command line alike — and runs
//! in one write transaction that checks what it reads and commits the audit entry with the
//! change. It holds no clinical content.

use std::collections::BTreeSet;

use jiff::Timestamp;
use nwd_domain::authz::{Permission, Role};
use nwd_domain::ValidationErrors;
use serde::Serialize;
use sqlx::Row;

use crate::audit::AuditContext;
use crate::auth::{AuthError, TeamKind};
use crate::codec::{ms, ts};
use crate::{Store, StoreError};

/// A team membership as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipSummary {
    /// Team id.
    pub team_id: String,
    /// Team name.
    pub team_name: String,
    /// Role in that team.
    pub role: Role,
}

/// How far an account's second factor (TOTP) is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TotpState {
    /// No secret: the account signs in only through OpenID Connect.
    None,
    /// A secret was issued but no code has been used yet (not enrolled).
    Issued,
    /// A code has been used to sign in: enrolled.
    Enrolled,
}

/// One account, for the user list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    /// User id.
    pub id: String,
    /// Sign-in name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Organisation id.
    pub organisation_id: String,
    /// Organisation name.
    pub organisation_name: String,
    /// Teams and roles.
    pub memberships: Vec<MembershipSummary>,
    /// Second factor.
    pub totp: TotpState,
    /// Whether the account signs in with a password (else only OpenID Connect).
    pub has_password: bool,
    /// When disabled, if it is.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub disabled_at: Option<Timestamp>,
    /// Created.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}

/// A team, for the membership form and the team list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamSummary {
    /// Team id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Organisation id.
    pub organisation_id: String,
    /// Organisation name.
    pub organisation_name: String,
    /// Kind.
    pub kind: TeamKind,
    /// The service, for service teams.
    pub service_id: Option<String>,
    /// That service's name, for service teams.
    pub service_name: Option<String>,
    /// Members (distinct users).
    pub members: i64,
}

/// A team to add (from the administration page or API). `kind` is `None` when none was
/// chosen (or an unknown one was sent), so that every problem is named at once.
#[derive(Debug, Clone, Default)]
pub struct NewTeam {
    /// The organisation the team belongs to.
    pub organisation_id: String,
    /// Its name, unique within the organisation.
    pub name: String,
    /// Its kind.
    pub kind: Option<TeamKind>,
    /// The service it runs: required for a service team, refused for any other.
    pub service_id: Option<String>,
}

/// Someone in a team with a role, for the team's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    /// User id.
    pub user_id: String,
    /// Sign-in name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Role in this team.
    pub role: Role,
    /// Whether the account is disabled.
    pub disabled: bool,
}

/// The API name of a team kind (`single_point_of_access`, `service`, `other`), or `None`.
pub fn parse_team_kind(value: &str) -> Option<TeamKind> {
    match value.trim() {
        "single_point_of_access" => Some(TeamKind::SinglePointOfAccess),
        "service" => Some(TeamKind::Service),
        "other" => Some(TeamKind::Other),
        _ => None,
    }
}

/// The API name of a team kind (the inverse of [`parse_team_kind`]).
pub fn team_kind_name(kind: TeamKind) -> &'static str {
    match kind {
        TeamKind::SinglePointOfAccess => "single_point_of_access",
        TeamKind::Service => "service",
        TeamKind::Other => "other",
    }
}

/// Longest team name accepted.
const TEAM_NAME_MAX: usize = 100;

/// An API token as listed (never the token itself, which is shown once at creation).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiTokenSummary {
    /// Token id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The permissions it is limited to.
    pub scopes: Vec<Permission>,
    /// Created.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    /// When revoked, if it is.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub revoked_at: Option<Timestamp>,
}

fn invalid(field: &'static str, message: impl Into<String>) -> AuthError {
    AuthError::Invalid {
        field,
        message: message.into(),
    }
}

/// What became of a role an administrator gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MembershipGrant {
    /// In effect at once (a role that opens no young person's record).
    Granted,
    /// A clinical role: waits for a second administrator's approval.
    Pending {
        /// The request, to approve or refuse.
        grant_id: String,
    },
}

impl Store {
    /// Every account, by username, with its teams and roles (no clinical content).
    pub async fn users(&self) -> Result<Vec<UserSummary>, StoreError> {
        self.user_rows(None).await
    }

    /// One account.
    pub async fn user(&self, id: &str) -> Result<UserSummary, StoreError> {
        self.user_rows(Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::not_found("user", id))
    }

    /// The id of the account with this username, if any.
    pub async fn user_id_by_username(&self, username: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(username.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get("id"))
            .transpose()?)
    }

    async fn user_rows(&self, only: Option<&str>) -> Result<Vec<UserSummary>, StoreError> {
        let filter = if only.is_some() {
            "WHERE u.id = $1"
        } else {
            ""
        };
        // Booleans as BIGINT 0/1 so both drivers decode them alike.
        let sql = format!(
            "SELECT u.id, u.username, u.display_name, u.organisation_id, o.name AS org_name, \
             CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password, \
             CASE WHEN u.totp_secret IS NULL THEN 0 ELSE 1 END AS has_totp, \
             CASE WHEN u.totp_last_step IS NULL THEN 0 ELSE 1 END AS used_totp, \
             u.disabled_at, u.created_at \
             FROM users u JOIN organisations o ON o.id = u.organisation_id {filter} \
             ORDER BY u.username"
        );
        let mut query = sqlx::query(&sql);
        if let Some(id) = only {
            query = query.bind(id.to_owned());
        }
        let rows = query.fetch_all(&self.pool).await?;
        let memberships = self.memberships(only).await?;
        let truthy = |row: &sqlx::any::AnyRow, name: &str| -> Result<bool, StoreError> {
            Ok(row.try_get::<i64, _>(name)? != 0)
        };
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let totp = match (truthy(row, "has_totp")?, truthy(row, "used_totp")?) {
                    (false, _) => TotpState::None,
                    (true, false) => TotpState::Issued,
                    (true, true) => TotpState::Enrolled,
                };
                Ok(UserSummary {
                    memberships: memberships
                        .iter()
                        .filter(|(user, _)| *user == id)
                        .map(|(_, m)| m.clone())
                        .collect(),
                    username: row.try_get("username")?,
                    display_name: row.try_get("display_name")?,
                    organisation_id: row.try_get("organisation_id")?,
                    organisation_name: row.try_get("org_name")?,
                    totp,
                    has_password: truthy(row, "has_password")?,
                    disabled_at: row
                        .try_get::<Option<i64>, _>("disabled_at")?
                        .map(ts)
                        .transpose()?,
                    created_at: ts(row.try_get("created_at")?)?,
                    id,
                })
            })
            .collect()
    }

    async fn memberships(
        &self,
        only: Option<&str>,
    ) -> Result<Vec<(String, MembershipSummary)>, StoreError> {
        let filter = if only.is_some() {
            "WHERE m.user_id = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT m.user_id, m.team_id, t.name, m.role FROM team_members m \
             JOIN teams t ON t.id = m.team_id {filter} ORDER BY t.name, m.role"
        );
        let mut query = sqlx::query(&sql);
        if let Some(id) = only {
            query = query.bind(id.to_owned());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                Ok((
                    r.try_get("user_id")?,
                    MembershipSummary {
                        team_id: r.try_get("team_id")?,
                        team_name: r.try_get("name")?,
                        role: Role::parse(&role).map_err(StoreError::Corrupt)?,
                    },
                ))
            })
            .collect()
    }

    /// Every team, by organisation then name, with how many people are in it.
    pub async fn teams(&self) -> Result<Vec<TeamSummary>, StoreError> {
        self.team_rows(None).await
    }

    /// One team.
    pub async fn team(&self, id: &str) -> Result<TeamSummary, StoreError> {
        self.team_rows(Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::not_found("team", id))
    }

    async fn team_rows(&self, only: Option<&str>) -> Result<Vec<TeamSummary>, StoreError> {
        let filter = if only.is_some() {
            "WHERE t.id = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT t.id, t.name, t.organisation_id, o.name AS org_name, t.kind, t.service_id, \
             s.name AS service_name, \
             (SELECT COUNT(DISTINCT m.user_id) FROM team_members m WHERE m.team_id = t.id) AS members \
             FROM teams t JOIN organisations o ON o.id = t.organisation_id \
             LEFT JOIN services s ON s.id = t.service_id {filter} \
             ORDER BY o.name, t.name, t.id"
        );
        let mut query = sqlx::query(&sql);
        if let Some(id) = only {
            query = query.bind(id.to_owned());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(TeamSummary {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    organisation_id: r.try_get("organisation_id")?,
                    organisation_name: r.try_get("org_name")?,
                    kind: parse_team_kind(&kind).unwrap_or(TeamKind::Other),
                    service_id: r.try_get("service_id")?,
                    service_name: r.try_get("service_name")?,
                    members: r.try_get("members")?,
                })
            })
            .collect()
    }

    /// The members of a team with their roles, by name (an unknown team is not found).
    pub async fn team_members(&self, team_id: &str) -> Result<Vec<TeamMember>, StoreError> {
        self.team(team_id).await?;
        sqlx::query(
            "SELECT u.id, u.username, u.display_name, m.role, \
             CASE WHEN u.disabled_at IS NULL THEN 0 ELSE 1 END AS disabled \
             FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 \
             ORDER BY u.display_name, u.username, m.role",
        )
        .bind(team_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(TeamMember {
                user_id: r.try_get("id")?,
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                role: Role::parse(&role).map_err(StoreError::Corrupt)?,
                disabled: r.try_get::<i64, _>("disabled")? != 0,
            })
        })
        .collect()
    }

    /// Adds a team, as `audit`'s actor, after checking every field inside the write
    /// transaction and naming each that is wrong (nothing is written then): a name of up to
    /// 100 characters not already used in the organisation, a known organisation, a kind, and
    /// a known service exactly when the team is a service team (a service team relates to the
    /// people allocated to its service, the others to nobody but the single point of access,
    /// which relates to every open referral). Returns its id.
    pub async fn add_team(
        &self,
        audit: &AuditContext,
        team: &NewTeam,
    ) -> Result<String, StoreError> {
        let name = team.name.trim();
        let organisation_id = team.organisation_id.trim();
        let service = team
            .service_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let mut w = self.begin_write().await?;
        let mut errors = ValidationErrors::new();
        if name.is_empty() || name.chars().count() > TEAM_NAME_MAX {
            errors.add(
                "name",
                "enter the team's name, in up to 100 characters (e.g. North community team)",
            );
        }
        let organisation_known = sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(organisation_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .is_some();
        if !organisation_known {
            errors.add(
                "organisation_id",
                "choose the organisation the team belongs to",
            );
        } else if !name.is_empty() {
            // Inside the write: another administrator may have just added the same name
            // (SQLite's single writer makes this exact; on PostgreSQL two adds in the same
            // instant could still both pass, as there is no unique index on names).
            let taken: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM teams WHERE organisation_id = $1 AND LOWER(name) = LOWER($2)",
            )
            .bind(organisation_id)
            .bind(name)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get("n")?;
            if taken > 0 {
                errors.add(
                    "name",
                    "the organisation already has a team with this name: choose another name",
                );
            }
        }
        match (team.kind, service) {
            (None, _) => errors.add(
                "kind",
                "choose the kind of team: single point of access, service team or other",
            ),
            (Some(TeamKind::Service), None) => {
                errors.add("service_id", "choose the service the team runs")
            }
            (Some(TeamKind::Service), Some(service_id)) => {
                let known = sqlx::query("SELECT id FROM services WHERE id = $1")
                    .bind(service_id)
                    .fetch_optional(&mut *w.tx)
                    .await?
                    .is_some();
                if !known {
                    errors.add("service_id", "choose the service the team runs from the list");
                }
            }
            (Some(_), Some(_)) => errors.add(
                "service_id",
                "only a service team runs a service: leave the service empty, or choose \"service team\"",
            ),
            (Some(_), None) => {}
        }
        errors.into_result()?;
        let kind = team.kind.unwrap_or(TeamKind::Other);
        sqlx::query(
            "INSERT INTO teams (id, organisation_id, name, kind, service_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(organisation_id)
        .bind(name)
        .bind(team_kind_name(kind))
        .bind(service)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        audit.set_record("team", &id);
        audit.set_detail(format!(
            "team added: team:{id} organisation:{organisation_id} name:{name} kind:{}{} by:{}",
            team_kind_name(kind),
            service.map(|s| format!(" service:{s}")).unwrap_or_default(),
            audit.by()
        ));
        w.commit_audited(now, audit).await?;
        Ok(id)
    }

    /// Gives an account a role in a team, as `audit`'s actor. A clinical role
    /// ([`Role::needs_second_approval`]) does not take effect: it waits for a second
    /// administrator ([`crate::role_grants`]). Refuses the parent/carer role (given only
    /// through a recorded carer link) and — inside the write transaction — an unknown or
    /// disabled account, an unknown team, a membership the account already has and a request
    /// already waiting; nothing is written then. The audit entry records the account, team,
    /// role and who asked.
    pub async fn add_membership(
        &self,
        audit: &AuditContext,
        user_id: &str,
        team_id: &str,
        role: Role,
    ) -> Result<MembershipGrant, AuthError> {
        if role == Role::ParentCarer {
            return Err(invalid(
                "role",
                "the parent or carer role is given by linking a carer to a young person, not here",
            ));
        }
        let by = audit.by();
        let now = self.now();
        let mut w = self.begin_write().await?;
        let account = live_account(&mut w, user_id, "it cannot be given roles").await?;
        let team_known = sqlx::query("SELECT id FROM teams WHERE id = $1")
            .bind(team_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .is_some();
        if !team_known {
            return Err(invalid("team_id", "choose a team from the list"));
        }
        if has_membership(&mut w, user_id, team_id, role).await? {
            return Err(invalid(
                "role",
                "the account already has this role in this team",
            ));
        }
        let grant = if role.needs_second_approval() {
            let grant_id =
                crate::role_grants::request(&mut w, user_id, team_id, role, &by, now).await?;
            MembershipGrant::Pending { grant_id }
        } else {
            sqlx::query("INSERT INTO team_members (user_id, team_id, role) VALUES ($1, $2, $3)")
                .bind(user_id)
                .bind(team_id)
                .bind(role.as_str())
                .execute(&mut *w.tx)
                .await?;
            MembershipGrant::Granted
        };
        audit.set_record("user", user_id);
        audit.set_detail(format!(
            "role given: user:{user_id} ({account}) team:{team_id} role:{} by:{by}{}",
            role.as_str(),
            match &grant {
                MembershipGrant::Granted => String::new(),
                MembershipGrant::Pending { grant_id } =>
                    format!(" pending second approval: role_grant:{grant_id}"),
            }
        ));
        w.commit_audited(now, audit).await?;
        Ok(grant)
    }

    /// Takes a role in a team away from an account, as `audit`'s actor, at once (roles are
    /// read on every request). Checked inside the write transaction: an unknown account is
    /// not found, a role the account does not have and its last membership are refused
    /// (disable the account instead).
    pub async fn remove_membership(
        &self,
        audit: &AuditContext,
        user_id: &str,
        team_id: &str,
        role: Role,
    ) -> Result<(), AuthError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        let Some(username) = username_of(&mut w, user_id).await? else {
            return Err(StoreError::not_found("user", user_id).into());
        };
        if !has_membership(&mut w, user_id, team_id, role).await? {
            return Err(invalid(
                "role",
                "the account does not have this role in this team",
            ));
        }
        let memberships: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM team_members WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&mut *w.tx)
                .await?
                .try_get("n")?;
        if memberships == 1 {
            return Err(invalid(
                "role",
                "this is the account's only role: disable the account instead",
            ));
        }
        sqlx::query("DELETE FROM team_members WHERE user_id = $1 AND team_id = $2 AND role = $3")
            .bind(user_id)
            .bind(team_id)
            .bind(role.as_str())
            .execute(&mut *w.tx)
            .await?;
        audit.set_record("user", user_id);
        audit.set_detail(format!(
            "role taken away: user:{user_id} ({username}) team:{team_id} role:{} by:{}",
            role.as_str(),
            audit.by()
        ));
        w.commit_audited(now, audit).await?;
        Ok(())
    }

    /// Issues an API token to `holder`, as `audit`'s actor — the one way every door creates a
    /// token. A signed-in member of staff creates tokens for their own account only, so an
    /// administrator cannot mint one to act as somebody else (issue 15); the operator at the
    /// command line (who can reach the database anyway) may create one for any account.
    /// Checked: a name of up to 100 characters, at least one scope, and — inside the write
    /// transaction — a known, live account. The audit entry records the token, its holder,
    /// its scopes and who created it. Returns (token id, the token — shown once).
    pub async fn issue_api_token(
        &self,
        audit: &AuditContext,
        holder: &str,
        name: &str,
        scopes: &BTreeSet<Permission>,
    ) -> Result<(String, String), AuthError> {
        if audit.account().is_some_and(|account| account != holder) {
            return Err(AuthError::Forbidden(
                "an API token is created by its holder only: the member of staff creates their \
                 own (POST /api/account/tokens, or their own account page)"
                    .into(),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid(
                "name",
                "say what the token is for, in up to 100 characters (e.g. the system that uses it)",
            ));
        }
        if scopes.is_empty() {
            return Err(invalid(
                "scopes",
                "choose at least one permission for the token",
            ));
        }
        let by = audit.by();
        let now = self.now();
        let mut w = self.begin_write().await?;
        live_account(&mut w, holder, "it cannot have tokens").await?;
        let (id, token) =
            crate::auth::insert_api_token(&mut w, holder, name, scopes, &by, now).await?;
        audit.set_record("api_token", &id);
        audit.set_detail(format!(
            "token created: token:{id} for user:{holder} scopes:{} by:{by}",
            crate::auth::scopes_text(scopes)
        ));
        w.commit_audited(now, audit).await?;
        Ok((id, token))
    }

    /// An account's API tokens, newest first (never the tokens themselves).
    pub async fn api_tokens(&self, user_id: &str) -> Result<Vec<ApiTokenSummary>, StoreError> {
        sqlx::query(
            "SELECT id, name, scopes, created_at, revoked_at FROM api_tokens WHERE user_id = $1 \
             ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let scopes: String = r.try_get("scopes")?;
            Ok(ApiTokenSummary {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                scopes: scopes
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| Permission::parse(s).map_err(StoreError::Corrupt))
                    .collect::<Result<_, _>>()?,
                created_at: ts(r.try_get("created_at")?)?,
                revoked_at: r
                    .try_get::<Option<i64>, _>("revoked_at")?
                    .map(ts)
                    .transpose()?,
            })
        })
        .collect()
    }
}

/// The username of an account, read in `w`.
async fn username_of(
    w: &mut crate::WriteTx<'_>,
    user_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query("SELECT username FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *w.tx)
        .await?
        .map(|row| row.try_get("username"))
        .transpose()?)
}

/// An account's username, read in `w`: not found when unknown, refused (`user`) when
/// disabled, saying that `consequence` (e.g. "it cannot have tokens").
async fn live_account(
    w: &mut crate::WriteTx<'_>,
    user_id: &str,
    consequence: &str,
) -> Result<String, AuthError> {
    let Some(row) = sqlx::query("SELECT username, disabled_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *w.tx)
        .await?
    else {
        return Err(StoreError::not_found("user", user_id).into());
    };
    if row.try_get::<Option<i64>, _>("disabled_at")?.is_some() {
        return Err(invalid(
            "user",
            format!("this account is disabled: {consequence}"),
        ));
    }
    Ok(row.try_get("username")?)
}

/// Whether the account holds `role` in the team, read in `w`.
async fn has_membership(
    w: &mut crate::WriteTx<'_>,
    user_id: &str,
    team_id: &str,
    role: Role,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 AS x FROM team_members WHERE user_id = $1 AND team_id = $2 AND role = $3",
    )
    .bind(user_id)
    .bind(team_id)
    .bind(role.as_str())
    .fetch_optional(&mut *w.tx)
    .await?
    .is_some())
}
