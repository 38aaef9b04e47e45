//! Teams: listed with their organisation, service and how many people are in them, a team's
//! members, the API names of team kinds, and adding a team with every field checked.

use super::*;

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

impl Store {
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
}
