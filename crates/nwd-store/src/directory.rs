//! The service directory: organisations and services, created, updated (optimistically
//! versioned), read and searched.

use nwd_domain::codes::DeliveryMode;
use nwd_domain::directory::{Organisation, OrganisationDetails, Service, ServiceDetails};
use nwd_domain::need::NeedGroup;
use nwd_domain::{DomainError, OrganisationId, Postcode, ServiceId};
use sqlx::Row;
use uuid::Uuid;

use crate::codec::{delimited, flag, ms, uuid};
use crate::{Store, StoreError};

/// Filters for a directory search; every filter is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    /// Serves this need group.
    pub need_group: Option<NeedGroup>,
    /// Serves this age (years).
    pub age: Option<i16>,
    /// Covers this postcode district (or area), e.g. `ME14`.
    pub postcode: Option<Postcode>,
    /// Offers this delivery mode.
    pub delivery_mode: Option<DeliveryMode>,
    /// Accepts self-referral.
    pub self_referral: Option<bool>,
    /// Run by this organisation.
    pub organisation_id: Option<OrganisationId>,
    /// Name contains (case-insensitive).
    pub text: Option<String>,
    /// Include services not taking referrals.
    pub include_inactive: bool,
}

impl Store {
    /// Adds an organisation to the directory.
    pub async fn create_organisation(
        &self,
        audit: &crate::audit::AuditContext,
        details: OrganisationDetails,
    ) -> Result<(Organisation, u32), StoreError> {
        details.validate().into_result()?;
        let organisation = Organisation {
            id: OrganisationId(Uuid::new_v4()),
            details,
        };
        let mut w = self.begin_write().await?;
        insert_organisation(&mut w.tx, &organisation, ms(self.now())).await?;
        w.commit_audited(self.now(), audit).await?;
        Ok((organisation, 1))
    }

    /// [`Store::create_organisation`] without an audit entry: a fixture for tests and
    /// benchmarks ([`Store::bootstrap_team`]), never a door's.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) async fn create_organisation_fixture(
        &self,
        details: OrganisationDetails,
    ) -> Result<Organisation, StoreError> {
        details.validate().into_result()?;
        let organisation = Organisation {
            id: OrganisationId(Uuid::new_v4()),
            details,
        };
        let mut w = self.begin_write().await?;
        insert_organisation(&mut w.tx, &organisation, ms(self.now())).await?;
        w.commit_fixture().await?;
        Ok(organisation)
    }

    /// Replaces an organisation's details, if it is still at `expected_version`.
    pub async fn update_organisation(
        &self,
        audit: &crate::audit::AuditContext,
        id: OrganisationId,
        details: OrganisationDetails,
        expected_version: u32,
    ) -> Result<(Organisation, u32), StoreError> {
        details.validate().into_result()?;
        let mut w = self.begin_write().await?;
        let current =
            current_version(&mut w.tx, "organisations", &id.to_string(), "organisation").await?;
        if current != expected_version {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current,
                changes: Vec::new(),
            });
        }
        sqlx::query("UPDATE organisations SET name = $1, kind = $2, ods_code = $3, version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6")
            .bind(details.name.clone())
            .bind(details.kind.as_str())
            .bind(details.ods_code.clone())
            .bind(ms(self.now()))
            .bind(id.to_string())
            .bind(i64::from(expected_version))
            .execute(&mut *w.tx)
            .await?;
        w.commit_audited(self.now(), audit).await?;
        Ok((Organisation { id, details }, expected_version + 1))
    }

    /// One organisation and its version.
    pub async fn organisation(
        &self,
        id: OrganisationId,
    ) -> Result<(Organisation, u32), StoreError> {
        let row = sqlx::query(
            "SELECT id, name, kind, ods_code, version FROM organisations WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("organisation", id))?;
        organisation_from_row(&row)
    }

    /// Every organisation, by name.
    pub async fn organisations(&self) -> Result<Vec<(Organisation, u32)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, kind, ods_code, version FROM organisations ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(organisation_from_row).collect()
    }

    /// Adds a service. A service given no standards gets its team type's defaults from
    /// configuration, so every wait is measured against something stated.
    pub async fn create_service(
        &self,
        audit: &crate::audit::AuditContext,
        mut details: ServiceDetails,
    ) -> Result<(Service, u32), StoreError> {
        details.validate().into_result()?;
        if details.standards.is_empty() {
            details.standards = self.standards.for_team_type(details.team_type);
        }
        let id = ServiceId(Uuid::new_v4());
        let mut w = self.begin_write().await?;
        self.check_organisation_exists(&mut w.tx, details.organisation_id)
            .await?;
        let now = ms(self.now());
        insert_service(&mut w.tx, id, &details, now).await?;
        w.commit_audited(self.now(), audit).await?;
        Ok((Service { id, details }, 1))
    }

    /// Replaces a service's details, if it is still at `expected_version`.
    pub async fn update_service(
        &self,
        audit: &crate::audit::AuditContext,
        id: ServiceId,
        mut details: ServiceDetails,
        expected_version: u32,
    ) -> Result<(Service, u32), StoreError> {
        details.validate().into_result()?;
        if details.standards.is_empty() {
            details.standards = self.standards.for_team_type(details.team_type);
        }
        let mut w = self.begin_write().await?;
        let current = current_version(&mut w.tx, "services", &id.to_string(), "service").await?;
        if current != expected_version {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current,
                changes: Vec::new(),
            });
        }
        self.check_organisation_exists(&mut w.tx, details.organisation_id)
            .await?;
        sqlx::query(
            "UPDATE services SET organisation_id = $1, name = $2, team_type = $3, age_from = $4, age_to = $5, self_referral = $6, \
             active = $7, need_groups = $8, delivery_modes = $9, areas = $10, details = $11, version = version + 1, updated_at = $12, \
             crisis_line = $15 WHERE id = $13 AND version = $14",
        )
        .bind(details.organisation_id.to_string())
        .bind(details.name.clone())
        .bind(details.team_type.as_str())
        .bind(i64::from(details.age_from))
        .bind(i64::from(details.age_to))
        .bind(flag(details.self_referral))
        .bind(flag(details.active))
        .bind(delimited(details.need_groups.iter().map(|g| g.as_str())))
        .bind(delimited(details.delivery_modes.iter().map(|m| m.as_str())))
        .bind(delimited(details.areas.iter().map(String::as_str)))
        .bind(serde_json::to_string(&details)?)
        .bind(ms(self.now()))
        .bind(id.to_string())
        .bind(i64::from(expected_version))
        .bind(flag(details.offer.crisis_line))
        .execute(&mut *w.tx)
        .await?;
        // Its standards may have changed: the breach times of triaged referrals waiting there
        // on the crisis list follow, in the same transaction.
        crate::urgency::refresh_crisis_in(
            &mut w.tx,
            self,
            "r.crisis_rank IN (2, 3) AND r.id IN (SELECT a.referral_id FROM allocations a WHERE a.service_id = $1 AND a.waiting = 1)",
            &[crate::referrals::Bind::Text(id.to_string())],
        )
        .await?;
        w.commit_audited(self.now(), audit).await?;
        Ok((Service { id, details }, expected_version + 1))
    }

    /// One service and its version.
    pub async fn service(&self, id: ServiceId) -> Result<(Service, u32), StoreError> {
        let row = sqlx::query("SELECT id, details, version FROM services WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("service", id))?;
        service_from_row(&row)
    }

    /// Services matching a filter, by name.
    pub async fn search_services(
        &self,
        filter: &ServiceFilter,
    ) -> Result<Vec<(Service, u32)>, StoreError> {
        let mut sql = String::from("SELECT id, details, version FROM services WHERE 1 = 1");
        let mut binds: Vec<Bind> = Vec::new();
        let mut push = |sql: &mut String, clause: &str, value: Bind| {
            binds.push(value);
            sql.push_str(&clause.replace("$?", &format!("${}", binds.len())));
        };
        if !filter.include_inactive {
            sql.push_str(" AND active = 1");
        }
        if let Some(group) = filter.need_group {
            push(
                &mut sql,
                " AND need_groups LIKE $?",
                Bind::Text(format!("%|{}|%", group.as_str())),
            );
        }
        if let Some(age) = filter.age {
            push(&mut sql, " AND age_from <= $?", Bind::Int(i64::from(age)));
            push(&mut sql, " AND age_to >= $?", Bind::Int(i64::from(age)));
        }
        if let Some(mode) = filter.delivery_mode {
            push(
                &mut sql,
                " AND delivery_modes LIKE $?",
                Bind::Text(format!("%|{}|%", mode.as_str())),
            );
        }
        if let Some(self_referral) = filter.self_referral {
            push(
                &mut sql,
                " AND self_referral = $?",
                Bind::Int(flag(self_referral)),
            );
        }
        if let Some(org) = filter.organisation_id {
            push(
                &mut sql,
                " AND organisation_id = $?",
                Bind::Text(org.to_string()),
            );
        }
        if let Some(text) = &filter.text {
            let escaped = text
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            push(
                &mut sql,
                " AND LOWER(name) LIKE $? ESCAPE '\\'",
                Bind::Text(format!("%{escaped}%")),
            );
        }
        if let Some(postcode) = &filter.postcode {
            push(
                &mut sql,
                " AND (areas = '|' OR areas LIKE $?",
                Bind::Text(format!("%|{}|%", postcode.district())),
            );
            push(
                &mut sql,
                " OR areas LIKE $?)",
                Bind::Text(format!("%|{}|%", postcode.area())),
            );
        }
        sql.push_str(" ORDER BY name, id");
        let mut query = sqlx::query(&sql);
        for bind in binds {
            query = match bind {
                Bind::Text(t) => query.bind(t),
                Bind::Int(i) => query.bind(i),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(service_from_row).collect()
    }

    /// The local crisis lines taking calls (services flagged `crisis_line` and active), by
    /// name: what Urgent help lists beside the national lines. One indexed query.
    pub async fn crisis_lines(&self) -> Result<Vec<Service>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, details, version FROM services WHERE crisis_line = 1 AND active = 1 ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| service_from_row(row).map(|(service, _)| service))
            .collect()
    }

    /// Services by id (those that exist), for deciding commands.
    pub(crate) async fn services_by_id(
        &self,
        conn: &mut sqlx::AnyConnection,
        ids: &[ServiceId],
    ) -> Result<Vec<Service>, StoreError> {
        let mut services = Vec::with_capacity(ids.len());
        for id in ids {
            let row = sqlx::query("SELECT id, details, version FROM services WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = row {
                services.push(service_from_row(&row)?.0);
            }
        }
        Ok(services)
    }

    async fn check_organisation_exists(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: OrganisationId,
    ) -> Result<(), StoreError> {
        let found = sqlx::query("SELECT 1 FROM organisations WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(DomainError::invalid(
                "organisation_id",
                "no organisation with this id is in the directory",
            )
            .into());
        }
        Ok(())
    }
}

enum Bind {
    Text(String),
    Int(i64),
}

pub(crate) async fn insert_service(
    conn: &mut sqlx::AnyConnection,
    id: ServiceId,
    details: &ServiceDetails,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO services (id, organisation_id, name, team_type, age_from, age_to, self_referral, active, need_groups, \
         delivery_modes, areas, details, version, created_at, updated_at, crisis_line) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13, $14)",
    )
    .bind(id.to_string())
    .bind(details.organisation_id.to_string())
    .bind(details.name.clone())
    .bind(details.team_type.as_str())
    .bind(i64::from(details.age_from))
    .bind(i64::from(details.age_to))
    .bind(flag(details.self_referral))
    .bind(flag(details.active))
    .bind(delimited(details.need_groups.iter().map(|g| g.as_str())))
    .bind(delimited(details.delivery_modes.iter().map(|m| m.as_str())))
    .bind(delimited(details.areas.iter().map(String::as_str)))
    .bind(serde_json::to_string(details)?)
    .bind(now)
    .bind(flag(details.offer.crisis_line))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn insert_organisation(
    conn: &mut sqlx::AnyConnection,
    organisation: &Organisation,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO organisations (id, name, kind, ods_code, version, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)",
    )
    .bind(organisation.id.to_string())
    .bind(organisation.details.name.clone())
    .bind(organisation.details.kind.as_str())
    .bind(organisation.details.ods_code.clone())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn current_version(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    id: &str,
    what: &'static str,
) -> Result<u32, StoreError> {
    let row = sqlx::query(&format!("SELECT version FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found(what, id))?;
    let version: i64 = row.try_get("version")?;
    Ok(version as u32)
}

fn organisation_from_row(row: &sqlx::any::AnyRow) -> Result<(Organisation, u32), StoreError> {
    let id: String = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let version: i64 = row.try_get("version")?;
    Ok((
        Organisation {
            id: OrganisationId(uuid(&id)?),
            details: OrganisationDetails {
                name: row.try_get("name")?,
                kind: nwd_domain::directory::OrganisationKind::parse(&kind)
                    .map_err(StoreError::Corrupt)?,
                ods_code: row.try_get("ods_code")?,
            },
        },
        version as u32,
    ))
}

pub(crate) fn service_from_row(row: &sqlx::any::AnyRow) -> Result<(Service, u32), StoreError> {
    let id: String = row.try_get("id")?;
    let details: String = row.try_get("details")?;
    let version: i64 = row.try_get("version")?;
    Ok((
        Service {
            id: ServiceId(uuid(&id)?),
            details: serde_json::from_str(&details)?,
        },
        version as u32,
    ))
}
