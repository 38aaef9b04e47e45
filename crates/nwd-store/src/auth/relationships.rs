//! Who may see whose record: a member of staff's legitimate relationship with a referral or
//! a young person (the single point of access, a team of an allocated service, the referrer),
//! the search visibility filter, and break-glass grants with their review queue.

use super::*;

/// A break-glass grant awaiting review.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakGlassGrant {
    /// Grant id.
    pub id: String,
    /// Who.
    pub user_id: String,
    /// Their username.
    pub username: String,
    /// Whose record.
    pub person_id: String,
    /// Why, in their words.
    pub reason: String,
    /// From.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub starts_at: Timestamp,
    /// Until.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub expires_at: Timestamp,
}

impl Store {
    /// The access settings.
    pub fn access(&self) -> &AccessSettings {
        &self.access
    }

    /// The person a referral is about, or None when there is no such referral.
    pub async fn referral_person(&self, id: ReferralId) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query("SELECT person_id FROM referrals WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get("person_id"))
            .transpose()?)
    }

    /// Why `principal` may use `permission` on records about `person`, or None. Checks, in
    /// order: a single point of access team with an open referral for the person; a service
    /// team with an open allocation (or one ended within the grace period); an active
    /// break-glass grant. Person-level data never comes through an external referrer's or a
    /// commissioner's role.
    pub async fn relationship(
        &self,
        principal: &Principal,
        permission: Permission,
        person: &str,
    ) -> Result<Option<String>, StoreError> {
        let now = self.now();
        let cutoff = ms(now - self.access.grace);
        let table = &self.access.roles;
        if permission == Permission::ReadAsParentCarer {
            // A parent or carer relates through a link plus consent, best interests or a
            // safeguarding override (nwd_domain::consent), never through a team.
            if !principal.holds(permission, table) {
                return Ok(None);
            }
            return Ok(self
                .parent_access(&principal.user_id, person)
                .await?
                .ok()
                .map(|grant| grant.why()));
        }
        for m in principal.memberships_with(permission, table) {
            if matches!(
                m.role,
                Role::Commissioner | Role::ExternalReferrer | Role::ParentCarer
            ) {
                continue;
            }
            match m.kind {
                TeamKind::SinglePointOfAccess => {
                    let open = sqlx::query(
                        "SELECT 1 AS x FROM referrals WHERE person_id = $1 AND \
                         (status <> 'closed' OR closed_at > $2) LIMIT 1",
                    )
                    .bind(person)
                    .bind(cutoff)
                    .fetch_optional(&self.pool)
                    .await?;
                    if open.is_some() {
                        return Ok(Some(format!("relationship:team:{}", m.team_id)));
                    }
                }
                TeamKind::Service => {
                    let open = sqlx::query(
                        "SELECT ended_at FROM allocations WHERE person_id = $1 AND service_id = $2 \
                         ORDER BY (CASE WHEN ended_at IS NULL THEN 1 ELSE 0 END) DESC, ended_at DESC LIMIT 1",
                    )
                    .bind(person)
                    .bind(&m.service_id)
                    .fetch_optional(&self.pool)
                    .await?;
                    if let Some(row) = open {
                        let ended = row
                            .try_get::<Option<i64>, _>("ended_at")?
                            .map(ts)
                            .transpose()?;
                        if relationship_open(ended, now, self.access.grace) {
                            return Ok(Some(format!("relationship:team:{}", m.team_id)));
                        }
                    }
                }
                TeamKind::Other => {}
            }
        }
        if principal.holds(permission, table)
            && principal.roles().iter().any(|r| r.may_break_glass())
        {
            if let Some(grant) = self
                .active_break_glass(&principal.user_id, person, now)
                .await?
            {
                return Ok(Some(format!("break_glass:{grant}")));
            }
        }
        Ok(None)
    }

    /// The young person a referral is about and why `principal` may use `permission` on it
    /// (as [`Store::relationship`] decides), in one indexed query for the team relationships:
    /// the referral's person, whether the single point of access has an open referral for
    /// them, and whether each of the caller's services has an open allocation (or one ended
    /// within the grace period). Break-glass grants and parent/carer access are asked after,
    /// only when no team relationship is open. `None` when there is no such referral.
    ///
    /// Nothing is cached: a discharge is seen by the very next request.
    pub async fn referral_relationship(
        &self,
        principal: &Principal,
        permission: Permission,
        referral: ReferralId,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        let table = &self.access.roles;
        if permission == Permission::ReadAsParentCarer {
            let Some(person) = self.referral_person(referral).await? else {
                return Ok(None);
            };
            let why = self.relationship(principal, permission, &person).await?;
            return Ok(Some((person, why)));
        }
        let now = self.now();
        let cutoff = ms(now - self.access.grace);
        let teams: Vec<&Membership> = principal
            .memberships_with(permission, table)
            .filter(|m| {
                !matches!(
                    m.role,
                    Role::Commissioner | Role::ExternalReferrer | Role::ParentCarer
                )
            })
            .collect();
        let spa = teams
            .iter()
            .any(|m| m.kind == TeamKind::SinglePointOfAccess);
        let mut services: Vec<&str> = Vec::new();
        for m in &teams {
            if let (TeamKind::Service, Some(service)) = (m.kind, m.service_id.as_deref()) {
                if !services.contains(&service) {
                    services.push(service);
                }
            }
        }
        // $1 the referral, $2 the cutoff (when a relationship is asked), $3… the services.
        let mut sql = String::from("SELECT r.person_id AS person_id");
        if spa {
            sql.push_str(
                ", (SELECT CAST(1 AS BIGINT) FROM referrals o WHERE o.person_id = r.person_id AND \
                 (o.status <> 'closed' OR o.closed_at > $2) LIMIT 1) AS spa_open",
            );
        }
        for (i, _) in services.iter().enumerate() {
            sql.push_str(&format!(
                ", (SELECT CAST(1 AS BIGINT) FROM allocations a WHERE a.person_id = r.person_id AND \
                 a.service_id = ${} AND (a.ended_at IS NULL OR a.ended_at > $2) LIMIT 1) AS s{i}",
                i + 3
            ));
        }
        sql.push_str(" FROM referrals r WHERE r.id = $1");
        let mut query = sqlx::query(&sql).bind(referral.to_string());
        if spa || !services.is_empty() {
            query = query.bind(cutoff);
        }
        for service in &services {
            query = query.bind(*service);
        }
        let Some(row) = query.fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let person: String = row.try_get("person_id")?;
        let spa_open = spa && row.try_get::<Option<i64>, _>("spa_open")?.is_some();
        let mut open_services = Vec::new();
        for (i, service) in services.iter().enumerate() {
            if row
                .try_get::<Option<i64>, _>(format!("s{i}").as_str())?
                .is_some()
            {
                open_services.push(*service);
            }
        }
        // The first team, in the caller's order, with an open relationship (as `relationship`).
        let team = teams.iter().find(|m| match m.kind {
            TeamKind::SinglePointOfAccess => spa_open,
            TeamKind::Service => m
                .service_id
                .as_deref()
                .is_some_and(|s| open_services.contains(&s)),
            TeamKind::Other => false,
        });
        if let Some(m) = team {
            return Ok(Some((
                person,
                Some(format!("relationship:team:{}", m.team_id)),
            )));
        }
        if principal.holds(permission, table)
            && principal.roles().iter().any(|r| r.may_break_glass())
        {
            if let Some(grant) = self
                .active_break_glass(&principal.user_id, &person, now)
                .await?
            {
                return Ok(Some((person, Some(format!("break_glass:{grant}")))));
            }
        }
        Ok(Some((person, None)))
    }

    async fn active_break_glass(
        &self,
        user: &str,
        person: &str,
        now: Timestamp,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query(
            "SELECT id FROM break_glass WHERE user_id = $1 AND person_id = $2 AND starts_at <= $3 \
             AND expires_at > $3 ORDER BY expires_at DESC LIMIT 1",
        )
        .bind(user)
        .bind(person)
        .bind(ms(now))
        .fetch_optional(&self.pool)
        .await?
        .map(|r| r.try_get("id"))
        .transpose()?)
    }

    /// The search filter for `principal` using `permission`.
    pub fn visibility(&self, principal: &Principal, permission: Permission) -> Visibility {
        let now = self.now();
        let mut v = Visibility {
            cutoff_ms: ms(now - self.access.grace),
            now_ms: ms(now),
            user_id: Some(principal.user_id.clone()),
            ..Visibility::default()
        };
        for m in principal.memberships_with(permission, &self.access.roles) {
            match (m.role, m.kind) {
                (Role::Commissioner | Role::ParentCarer, _) => {}
                (Role::ExternalReferrer, _) => {
                    v.submitted_by_org = Some(principal.organisation_id.clone())
                }
                (_, TeamKind::SinglePointOfAccess) => v.single_point_of_access = true,
                (_, TeamKind::Service) => v.service_ids.extend(m.service_id.clone()),
                (_, TeamKind::Other) => {}
            }
        }
        v
    }

    /// Grants `principal` break-glass access to one person's record, after checking the
    /// request. The grant is audited in its transaction (`audit`) and waits in the privacy
    /// officer's review queue until reviewed.
    pub async fn break_glass(
        &self,
        audit: &crate::audit::AuditContext,
        principal: &Principal,
        person: PersonId,
        request: &BreakGlassRequest,
    ) -> Result<(String, Timestamp), AuthError> {
        request
            .check(&principal.roles(), &self.access.roles)
            .map_err(|e| AuthError::Invalid {
                field: "request",
                message: e.to_string(),
            })?;
        let exists = sqlx::query("SELECT 1 AS x FROM persons WHERE id = $1")
            .bind(person.to_string())
            .fetch_optional(&self.pool)
            .await?;
        if exists.is_none() {
            return Err(StoreError::not_found("person", person).into());
        }
        let id = Uuid::new_v4().to_string();
        let now = self.now();
        let expires = now + request.duration;
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO break_glass (id, user_id, person_id, reason, starts_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&principal.user_id)
        .bind(person.to_string())
        .bind(request.reason.trim())
        .bind(ms(now))
        .bind(ms(expires))
        .execute(&mut *w.tx)
        .await?;
        audit.set_person(person);
        w.commit_audited(now, audit).await?;
        // The alert: an operational log line with opaque ids only.
        tracing::warn!(grant = %id, user = %principal.user_id, "break-glass access granted");
        Ok((id, expires))
    }

    /// Break-glass grants not yet reviewed, oldest first.
    pub async fn break_glass_queue(&self) -> Result<Vec<BreakGlassGrant>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.id, b.user_id, u.username, b.person_id, b.reason, b.starts_at, b.expires_at \
             FROM break_glass b JOIN users u ON u.id = b.user_id WHERE b.reviewed_at IS NULL \
             ORDER BY b.starts_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BreakGlassGrant {
                    id: r.try_get("id")?,
                    user_id: r.try_get("user_id")?,
                    username: r.try_get("username")?,
                    person_id: r.try_get("person_id")?,
                    reason: r.try_get("reason")?,
                    starts_at: ts(r.try_get("starts_at")?)?,
                    expires_at: ts(r.try_get("expires_at")?)?,
                })
            })
            .collect()
    }
}
