//! Accounts and teams: creating an account (password rules, the TOTP secret shown once, the
//! first role), a team, disabling an account (its sessions and tokens end in the same
//! transaction), and the first administrator's bootstrap.

use super::*;

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Organisation.
    pub organisation_id: String,
    /// Password (None: OpenID Connect only).
    pub password: Option<String>,
    /// (team id, role) pairs.
    pub memberships: Vec<(String, Role)>,
}

/// A created account: the TOTP secret is shown once, to enrol an authenticator app.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedUser {
    /// User id.
    pub id: String,
    /// Base32 TOTP secret.
    pub totp_secret: Option<String>,
    /// `otpauth://` URL for authenticator apps.
    pub totp_url: Option<String>,
    /// Clinical roles the account was given that wait for a second administrator's approval
    /// (`nwd_store::role_grants`): the requests' ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pending_role_grants: Vec<String>,
}

/// An account whose username and password passed the checks, the password hashed.
struct PreparedAccount {
    username: String,
    password: Option<String>,
    hash: Option<String>,
}

impl PreparedAccount {
    /// Hashes the password (Argon2id, off the async threads) before any transaction opens.
    async fn hash(mut self) -> Result<PreparedAccount, AuthError> {
        if let Some(password) = self.password.take() {
            let hash = tokio::task::spawn_blocking(move || hash_password(&password))
                .await
                .map_err(|e| StoreError::Corrupt(e.to_string()))??;
            self.hash = Some(hash);
        }
        Ok(self)
    }
}

/// An account written in a transaction not yet committed, and its audit detail.
struct InsertedAccount {
    id: String,
    detail: String,
    created: CreatedUser,
}

/// A new staff account with its own organisation and team, for bootstrapping (the first
/// administrator) and for tests.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    /// The organisation's name.
    pub organisation: String,
    /// The organisation's sector.
    pub organisation_kind: nwd_domain::directory::OrganisationKind,
    /// The team's name.
    pub team: String,
    /// The team's kind.
    pub team_kind: TeamKind,
    /// For service teams.
    pub service_id: Option<String>,
}

impl Store {
    /// Creates an organisation and a team in one go without an audit entry; returns
    /// (organisation id, team id). A fixture for tests and benchmarks, never a door's.
    #[cfg(any(test, feature = "testing"))]
    pub async fn bootstrap_team(&self, b: &Bootstrap) -> Result<(String, String), StoreError> {
        let org = self
            .create_organisation_fixture(nwd_domain::directory::OrganisationDetails {
                name: b.organisation.clone(),
                kind: b.organisation_kind,
                ods_code: None,
            })
            .await?;
        let team = self
            .create_team(
                &org.id.to_string(),
                &b.team,
                b.team_kind,
                b.service_id.as_deref(),
            )
            .await?;
        Ok((org.id.to_string(), team))
    }

    /// Creates the first administrator of a fresh install — the commissioning organisation,
    /// its administration team and the account — in one transaction with its audit entry, as
    /// `audit`'s actor (the operator at the command line). Refused once any account exists
    /// (checked inside the transaction): there are no default accounts, and this is a
    /// one-time command. An organisation of the same name (ignoring case and surrounding
    /// spaces) already in the directory is reused rather than duplicated, with its
    /// "Administration" team if it has one; two of that name are refused as ambiguous.
    pub async fn create_first_administrator(
        &self,
        audit: &crate::audit::AuditContext,
        organisation: &str,
        username: &str,
        display_name: &str,
        password: &str,
    ) -> Result<CreatedUser, AuthError> {
        let details = nwd_domain::directory::OrganisationDetails {
            name: organisation.trim().to_owned(),
            kind: nwd_domain::directory::OrganisationKind::IntegratedCareBoard,
            ods_code: None,
        };
        details.validate().into_result().map_err(StoreError::from)?;
        let organisation_id = Uuid::new_v4().to_string();
        let team_id = Uuid::new_v4().to_string();
        let user = NewUser {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            organisation_id: organisation_id.clone(),
            password: Some(password.to_owned()),
            memberships: vec![(team_id.clone(), Role::Administrator)],
        };
        let prepared = self.prepare_account(&user)?.hash().await?;
        let now = self.now();
        let mut w = self.begin_write().await?;
        let accounts: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&mut *w.tx)
            .await?
            .try_get("n")?;
        if accounts > 0 {
            return Err(AuthError::Invalid {
                field: "username",
                message: "an account already exists: the first administrator can be created only on a fresh install; ask an administrator to add you".into(),
            });
        }
        // The organisation may already be in the directory (the demo's, or one added before
        // the first account): join it rather than make a second of the same name.
        let same_name: Vec<String> =
            sqlx::query("SELECT id FROM organisations WHERE LOWER(TRIM(name)) = LOWER($1)")
                .bind(&details.name)
                .fetch_all(&mut *w.tx)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<Result<_, _>>()?;
        let (organisation_id, reused) = match same_name.as_slice() {
            [] => {
                sqlx::query(
                    "INSERT INTO organisations (id, name, kind, ods_code, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, NULL, 1, $4, $4)",
                )
                .bind(&organisation_id)
                .bind(&details.name)
                .bind(details.kind.as_str())
                .bind(ms(now))
                .execute(&mut *w.tx)
                .await?;
                (organisation_id, false)
            }
            [existing] => (existing.clone(), true),
            _ => {
                return Err(AuthError::Invalid {
                    field: "organisation",
                    message: format!(
                        "{} organisations are called {:?}: rename all but one first, so that it is clear which the administrator belongs to",
                        same_name.len(),
                        details.name
                    ),
                })
            }
        };
        let existing_team: Option<String> = if reused {
            sqlx::query(
                "SELECT id FROM teams WHERE organisation_id = $1 AND LOWER(name) = 'administration' \
                 AND kind = $2 ORDER BY id",
            )
            .bind(&organisation_id)
            .bind(TeamKind::Other.as_str())
            .fetch_optional(&mut *w.tx)
            .await?
            .map(|r| r.try_get("id"))
            .transpose()?
        } else {
            None
        };
        let team_id = match existing_team {
            Some(team) => team,
            None => {
                sqlx::query(
                    "INSERT INTO teams (id, organisation_id, name, kind, service_id, created_at) \
                     VALUES ($1, $2, 'Administration', $3, NULL, $4)",
                )
                .bind(&team_id)
                .bind(&organisation_id)
                .bind(TeamKind::Other.as_str())
                .bind(ms(now))
                .execute(&mut *w.tx)
                .await?;
                team_id
            }
        };
        let user = NewUser {
            organisation_id: organisation_id.clone(),
            memberships: vec![(team_id.clone(), Role::Administrator)],
            ..user
        };
        let created = self
            .insert_account(&mut w, &user, prepared, &audit.by(), false)
            .await?;
        audit.set_record("user", created.id.clone());
        audit.set_detail(format!(
            "first administrator: organisation:{organisation_id}{} team:{team_id}; {}",
            if reused { " (existing, reused)" } else { "" },
            created.detail
        ));
        w.commit_audited(now, audit).await?;
        Ok(created.created)
    }
}

impl Store {
    /// Creates a team without the checks of [`Store::add_team`] and without an audit entry: a
    /// fixture for tests and benchmarks, never a door's.
    #[cfg(any(test, feature = "testing"))]
    pub async fn create_team(
        &self,
        organisation_id: &str,
        name: &str,
        kind: TeamKind,
        service_id: Option<&str>,
    ) -> Result<String, StoreError> {
        let id = Uuid::new_v4().to_string();
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO teams (id, organisation_id, name, kind, service_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(organisation_id)
        .bind(name)
        .bind(kind.as_str())
        .bind(service_id)
        .bind(ms(self.now()))
        .execute(&mut *w.tx)
        .await?;
        w.commit_fixture().await?;
        Ok(id)
    }

    /// Number of accounts (the first administrator may be created only when it is 0).
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    /// Creates an account with its roles in effect at once and without an audit entry: a
    /// fixture for tests and benchmarks, never a door's (every door creates accounts through
    /// [`Store::create_account`]). Passwords are checked (length, not the username, not
    /// breached) and hashed with Argon2id; accounts with a password get a TOTP secret.
    #[cfg(any(test, feature = "testing"))]
    pub async fn create_user(
        &self,
        user: NewUser,
        created_by: &str,
    ) -> Result<CreatedUser, AuthError> {
        let prepared = self.prepare_account(&user)?;
        let prepared = prepared.hash().await?;
        let mut w = self.begin_write().await?;
        let created = self
            .insert_account(&mut w, &user, prepared, created_by, false)
            .await?;
        w.commit_fixture().await?;
        Ok(created.created)
    }

    /// Creates an account, as every door does (the administration page and API, the command
    /// line), as `audit`'s actor: the username's form, a shown name, at least one team, never
    /// the parent/carer role (given only with a recorded carer link), the password rules, and
    /// — inside the write transaction — every team known and in the account's organisation
    /// and the username free; nothing is written when any fails. A clinical role among its
    /// memberships does not take effect but waits for a second administrator
    /// (`crate::role_grants`). The audit entry records the account, its teams and roles.
    pub async fn create_account(
        &self,
        audit: &crate::audit::AuditContext,
        user: NewUser,
    ) -> Result<CreatedUser, AuthError> {
        let prepared = self.prepare_account(&user)?;
        if user.display_name.trim().is_empty() {
            return Err(AuthError::Invalid {
                field: "display_name",
                message: "enter the name shown to others".into(),
            });
        }
        if user
            .memberships
            .iter()
            .any(|(_, role)| *role == Role::ParentCarer)
        {
            return Err(AuthError::Invalid {
                field: "role",
                message: "the parent or carer role is given by linking a carer to a young \
                          person, not by creating an account"
                    .into(),
            });
        }
        let prepared = prepared.hash().await?;
        let mut w = self.begin_write().await?;
        for (team, _) in &user.memberships {
            let organisation: Option<String> =
                sqlx::query("SELECT organisation_id FROM teams WHERE id = $1")
                    .bind(team)
                    .fetch_optional(&mut *w.tx)
                    .await?
                    .map(|row| row.try_get("organisation_id"))
                    .transpose()?;
            match organisation {
                None => {
                    return Err(AuthError::Invalid {
                        field: "team_id",
                        message: "choose the team the account starts in".into(),
                    })
                }
                Some(organisation) if organisation != user.organisation_id.trim() => {
                    return Err(AuthError::Invalid {
                        field: "team_id",
                        message: "the team belongs to another organisation: choose a team of \
                                  the account's organisation"
                            .into(),
                    })
                }
                Some(_) => {}
            }
        }
        let created = self
            .insert_account(&mut w, &user, prepared, &audit.by(), true)
            .await?;
        audit.set_record("user", created.id.clone());
        audit.set_detail(created.detail.clone());
        w.commit_audited(self.now(), audit).await?;
        Ok(created.created)
    }

    /// Checks an account's username, memberships and password (pure).
    fn prepare_account(&self, user: &NewUser) -> Result<PreparedAccount, AuthError> {
        let username = user.username.trim().to_lowercase();
        if username.is_empty()
            || username.len() > 100
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_@".contains(c))
        {
            return Err(AuthError::Invalid {
                field: "username",
                message: "use 1–100 letters, digits, dots, hyphens, underscores or @".into(),
            });
        }
        if user.memberships.is_empty() {
            return Err(AuthError::Invalid {
                field: "memberships",
                message: "give the account at least one team and role".into(),
            });
        }
        if let Some(password) = &user.password {
            let breached = self.access.breached.clone();
            check_new_password(password, &username, |p| breached.contains(p)).map_err(|e| {
                AuthError::Invalid {
                    field: "password",
                    message: e.to_string(),
                }
            })?;
        }
        Ok(PreparedAccount {
            username,
            password: user.password.clone(),
            hash: None,
        })
    }

    /// Writes a checked account in `w` (the caller commits): the user row, its memberships
    /// (a clinical role held for a second administrator when `hold_clinical`).
    async fn insert_account(
        &self,
        w: &mut crate::WriteTx<'_>,
        user: &NewUser,
        prepared: PreparedAccount,
        created_by: &str,
        hold_clinical: bool,
    ) -> Result<InsertedAccount, AuthError> {
        // An administrator's account for someone else (held roles: `create_account`) starts
        // with an initial password its holder must change at first sign-in.
        let must_change = i64::from(hold_clinical && prepared.hash.is_some());
        let PreparedAccount { username, hash, .. } = prepared;
        let secret = hash
            .as_ref()
            .map(|_| totp_rs::Secret::generate_secret().to_encoded().to_string());
        let id = Uuid::new_v4().to_string();
        let stored_secret = match &secret {
            Some(plain) => Some(self.seal_totp(&id, plain)?),
            None => None,
        };
        let now = self.now();
        let inserted = sqlx::query(
            "INSERT INTO users (id, username, display_name, organisation_id, password_hash, \
             totp_secret, created_at, created_by, must_change_password) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(&username)
        .bind(user.display_name.trim())
        .bind(user.organisation_id.trim())
        .bind(&hash)
        .bind(&stored_secret)
        .bind(ms(now))
        .bind(created_by)
        .bind(must_change)
        .execute(&mut *w.tx)
        .await;
        if let Err(e) = inserted {
            let e = StoreError::from(e);
            return Err(if e.is_unique_violation() {
                AuthError::Invalid {
                    field: "username",
                    message: format!("{username:?} is taken; choose another"),
                }
            } else {
                e.into()
            });
        }
        let mut pending = Vec::new();
        let mut roles = Vec::new();
        for (team, role) in &user.memberships {
            if hold_clinical && role.needs_second_approval() {
                let grant =
                    crate::role_grants::request(w, &id, team, *role, created_by, now).await?;
                roles.push(format!(
                    "team:{team} role:{} pending second approval: role_grant:{grant}",
                    role.as_str()
                ));
                pending.push(grant);
                continue;
            }
            sqlx::query("INSERT INTO team_members (user_id, team_id, role) VALUES ($1, $2, $3)")
                .bind(&id)
                .bind(team)
                .bind(role.as_str())
                .execute(&mut *w.tx)
                .await?;
            roles.push(format!("team:{team} role:{}", role.as_str()));
        }
        let detail = format!(
            "account created: user:{id} ({username}) by:{created_by}; {}",
            roles.join("; ")
        );
        let url = match &secret {
            Some(s) => Some(totp_for(s, &username)?.get_url()),
            None => None,
        };
        Ok(InsertedAccount {
            id: id.clone(),
            detail,
            created: CreatedUser {
                id,
                totp_secret: secret,
                totp_url: url,
                pending_role_grants: pending,
            },
        })
    }

    /// Disables an account, as `audit`'s actor: ends every session and revokes every token in
    /// the same transaction. An unknown account is not found; one's own account is refused
    /// (an administrator cannot lock themselves out), and so is the last live account with
    /// the administrator role (checked inside the transaction). The audit entry names the
    /// account.
    pub async fn disable_user(
        &self,
        audit: &crate::audit::AuditContext,
        user_id: &str,
    ) -> Result<(), AuthError> {
        if audit.is_account(user_id) {
            return Err(AuthError::Invalid {
                field: "user",
                message: "you cannot disable your own account; ask another administrator".into(),
            });
        }
        let now = self.now();
        let mut w = self.begin_write().await?;
        let holds_administrator =
            sqlx::query("SELECT 1 AS x FROM team_members WHERE user_id = $1 AND role = $2")
                .bind(user_id)
                .bind(Role::Administrator.as_str())
                .fetch_optional(&mut *w.tx)
                .await?
                .is_some();
        if holds_administrator {
            crate::admin::keep_an_administrator(&mut w, user_id, None).await?;
        }
        let changed = sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(ms(now))
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::not_found("user", user_id).into());
        }
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
            .bind(ms(now))
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(ms(now))
        .bind(user_id)
        .execute(&mut *w.tx)
        .await?;
        audit.set_record("user", user_id);
        audit.set_detail(format!(
            "account disabled: user:{user_id} by:{}",
            audit.by()
        ));
        w.commit_audited(now, audit).await?;
        Ok(())
    }
}
