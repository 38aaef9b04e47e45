//! OpenID Connect federation's facts: which provider identity (issuer, subject) is which staff
//! account, and the sign-ins under way. The protocol itself (discovery, keys, ID token checks)
//! is `nwd_oidc`'s; this module only stores.
//!
//! - Links are made by an administrator beforehand (`nowrongdoor admin link-oidc`); a sign-in
//!   with an unlinked identity is refused — no account is ever created automatically.
//! - A federated sign-in makes a session exactly like a local one ([`crate::auth`]'s
//!   `insert_session`: a fresh 256-bit id, only its SHA-256 stored, same timeouts).
//! - A sign-in under way (`oidc_flows`) is single use (taken with `DELETE … RETURNING`) and
//!   lives at most [`FLOW_LIFETIME`].

use jiff::SignedDuration;
use sqlx::Row;

use crate::auth::{insert_session, session_ref, token_hash, AuthError, NewSession};
use crate::codec::{ms, ts};
use crate::{Store, StoreError};

/// How long a sign-in may take at the provider before its answer is refused.
pub const FLOW_LIFETIME: SignedDuration = SignedDuration::from_mins(10);

/// A sign-in under way, kept between the redirect to the provider and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcFlow {
    /// The provider's id in the configuration.
    pub provider: String,
    /// SHA-256 of the random value in the browser's flow cookie: the answer must come back
    /// to the browser that started the sign-in.
    pub browser_hash: String,
    /// The nonce sent to the provider; the ID token must carry it.
    pub nonce: String,
    /// The PKCE code verifier (RFC 7636); its S256 challenge went to the provider.
    pub code_verifier: String,
    /// Where to go after signing in (a local path, already checked).
    pub next_path: String,
}

/// Why a federated sign-in found no account to sign in to.
#[derive(Debug, thiserror::Error)]
pub enum FederatedError {
    /// No staff account is linked to this identity.
    #[error("no staff account is linked to this identity")]
    Unlinked,
    /// The linked account is disabled.
    #[error("the linked account is disabled")]
    Disabled {
        /// The account.
        user_id: String,
        /// Its username.
        username: String,
    },
    /// The linked account is locked after too many failed local sign-ins
    /// ([`crate::auth::LOCKOUT`]): a provider's sign-in does not unlock it early.
    #[error("the linked account is locked")]
    Locked {
        /// The account.
        user_id: String,
        /// Its username.
        username: String,
        /// Until when.
        until: jiff::Timestamp,
    },
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for FederatedError {
    fn from(e: sqlx::Error) -> Self {
        FederatedError::Store(StoreError::from(e))
    }
}

/// One link between a provider identity and a staff account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OidcLink {
    /// The provider's issuer identifier (`iss`).
    pub issuer: String,
    /// The provider's subject identifier (`sub`).
    pub subject: String,
    /// The staff account.
    pub user_id: String,
}

impl Store {
    /// Keeps a sign-in under way under the SHA-256 of its `state`, and forgets those older
    /// than [`FLOW_LIFETIME`]. Bookkeeping, not a record: no audit entry of its own.
    pub async fn begin_oidc_flow(&self, state: &str, flow: &OidcFlow) -> Result<(), StoreError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM oidc_flows WHERE created_at < $1")
            .bind(ms(now - FLOW_LIFETIME))
            .execute(&mut *w.tx)
            .await?;
        sqlx::query(
            "INSERT INTO oidc_flows (state_hash, provider, browser_hash, nonce, code_verifier, \
             next_path, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash(state))
        .bind(&flow.provider)
        .bind(&flow.browser_hash)
        .bind(&flow.nonce)
        .bind(&flow.code_verifier)
        .bind(&flow.next_path)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Takes the sign-in under way with this `state` (it cannot be taken twice). `None` when
    /// there is none or it is older than [`FLOW_LIFETIME`].
    pub async fn take_oidc_flow(&self, state: &str) -> Result<Option<OidcFlow>, StoreError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "DELETE FROM oidc_flows WHERE state_hash = $1 RETURNING provider, browser_hash, \
             nonce, code_verifier, next_path, created_at",
        )
        .bind(token_hash(state))
        .fetch_optional(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        let Some(row) = row else {
            return Ok(None);
        };
        if row.try_get::<i64, _>("created_at")? < ms(now - FLOW_LIFETIME) {
            return Ok(None);
        }
        Ok(Some(OidcFlow {
            provider: row.try_get("provider")?,
            browser_hash: row.try_get("browser_hash")?,
            nonce: row.try_get("nonce")?,
            code_verifier: row.try_get("code_verifier")?,
            next_path: row.try_get("next_path")?,
        }))
    }

    /// Links a provider identity to an existing staff account, as `audit`'s actor (an
    /// administrator on the page, the operator at the command line), audited in the same
    /// transaction: the entry names the account, the issuer and the subject.
    pub async fn link_oidc(
        &self,
        audit: &crate::audit::AuditContext,
        issuer: &str,
        subject: &str,
        user_id: &str,
    ) -> Result<(), AuthError> {
        let issuer = issuer.trim();
        if !(issuer.starts_with("https://") || issuer.starts_with("http://"))
            || issuer.len() > 1000
            || issuer.contains(['?', '#'])
        {
            return Err(AuthError::Invalid {
                field: "issuer",
                message: "give the provider's issuer identifier exactly as in its discovery \
                          document: an https URL without query or fragment"
                    .into(),
            });
        }
        // OpenID Connect Core 1.0 §2: `sub` is at most 255 ASCII characters.
        if subject.is_empty() || subject.len() > 255 || !subject.is_ascii() {
            return Err(AuthError::Invalid {
                field: "subject",
                message: "give the provider's subject identifier (`sub`): 1–255 ASCII characters"
                    .into(),
            });
        }
        let now = self.now();
        let mut w = self.begin_write().await?;
        let exists = sqlx::query("SELECT id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .is_some();
        if !exists {
            return Err(AuthError::Invalid {
                field: "user_id",
                message: format!("no staff account has id {user_id:?}"),
            });
        }
        let inserted = sqlx::query(
            "INSERT INTO oidc_links (issuer, subject, user_id, linked_at, linked_by) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(issuer)
        .bind(subject)
        .bind(user_id)
        .bind(ms(now))
        .bind(audit.by())
        .execute(&mut *w.tx)
        .await;
        if let Err(e) = inserted {
            let e = StoreError::from(e);
            return Err(if e.is_unique_violation() {
                AuthError::Invalid {
                    field: "subject",
                    message: "this identity is already linked to an account; unlink it first"
                        .into(),
                }
            } else {
                e.into()
            });
        }
        audit.set_record("user", user_id);
        audit.set_detail(format!("oidc_link issuer {issuer}; subject {subject}"));
        w.commit_audited(now, audit).await?;
        Ok(())
    }

    /// Removes a link, as `audit`'s actor; `holder`, when given, is the account it must
    /// belong to (the administrator's page names it). `false`, and nothing written, when
    /// there was no such link. The audit entry names the account, the issuer and the subject.
    pub async fn unlink_oidc(
        &self,
        audit: &crate::audit::AuditContext,
        holder: Option<&str>,
        issuer: &str,
        subject: &str,
    ) -> Result<bool, StoreError> {
        let issuer = issuer.trim();
        let now = self.now();
        let mut w = self.begin_write().await?;
        let linked: Option<String> =
            sqlx::query("SELECT user_id FROM oidc_links WHERE issuer = $1 AND subject = $2")
                .bind(issuer)
                .bind(subject)
                .fetch_optional(&mut *w.tx)
                .await?
                .map(|row| row.try_get("user_id"))
                .transpose()?;
        let Some(user_id) = linked.filter(|user| holder.is_none_or(|h| h == user.as_str())) else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM oidc_links WHERE issuer = $1 AND subject = $2 AND user_id = $3")
            .bind(issuer)
            .bind(subject)
            .bind(&user_id)
            .execute(&mut *w.tx)
            .await?;
        audit.set_record("user", &user_id);
        audit.set_detail(format!("oidc_unlink issuer {issuer}; subject {subject}"));
        w.commit_audited(now, audit).await?;
        Ok(true)
    }

    /// The links of one account.
    pub async fn oidc_links(&self, user_id: &str) -> Result<Vec<OidcLink>, StoreError> {
        sqlx::query(
            "SELECT issuer, subject, user_id FROM oidc_links WHERE user_id = $1 \
             ORDER BY issuer, subject",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OidcLink {
                issuer: r.try_get("issuer")?,
                subject: r.try_get("subject")?,
                user_id: r.try_get("user_id")?,
            })
        })
        .collect()
    }

    /// Signs in the account linked to (issuer, subject), whose ID token the caller has
    /// verified: a new session, exactly as a local sign-in makes. The provider has done the
    /// authentication (its `acr` checked by the caller), so no password or TOTP is asked; but
    /// the account's own state still applies — a disabled account ([`FederatedError::Disabled`])
    /// or one locked after failed local sign-ins ([`FederatedError::Locked`]) is refused. The
    /// account is read inside the transaction that makes the session, so a disablement that
    /// commits first is always seen.
    pub async fn sign_in_federated(
        &self,
        audit: &crate::audit::AuditContext,
        issuer: &str,
        subject: &str,
        address: Option<&str>,
    ) -> Result<NewSession, FederatedError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "SELECT u.id, u.username, u.disabled_at, u.locked_until FROM oidc_links l \
             JOIN users u ON u.id = l.user_id WHERE l.issuer = $1 AND l.subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&mut *w.tx)
        .await?
        else {
            return Err(FederatedError::Unlinked);
        };
        let user_id: String = row.try_get("id")?;
        if row.try_get::<Option<i64>, _>("disabled_at")?.is_some() {
            return Err(FederatedError::Disabled {
                user_id,
                username: row.try_get("username")?,
            });
        }
        if let Some(until) = row
            .try_get::<Option<i64>, _>("locked_until")?
            .filter(|until| *until > ms(now))
        {
            return Err(FederatedError::Locked {
                user_id,
                username: row.try_get("username")?,
                until: ts(until)?,
            });
        }
        let (token, csrf) = insert_session(&mut w.tx, &user_id, address, now).await?;
        w.commit_audited(now, audit).await?;
        let principal = self
            .load_principal(&user_id, session_ref(&token), None, Some(csrf.clone()))
            .await?
            .ok_or(FederatedError::Unlinked)?;
        Ok(NewSession {
            token,
            csrf_token: csrf,
            principal,
        })
    }
}
