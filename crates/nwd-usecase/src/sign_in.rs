//! Signing in with a password and an authenticator code, from the API (`POST /api/session`)
//! or the sign-in page alike: one attempt, one audit entry, whichever door it came through.
//!
//! Owns: the attempt and its audit entry. Does not own the session cookie (`nwd_http::secure`)
//! nor the checks of password and code (`nwd_store::auth`).

use nwd_domain::actor::Actor;
use nwd_store::audit::{AuditContext, AuditEntry, AuditScope};
use nwd_store::auth::AuthError;

use crate::error::UseCaseError;

/// One sign-in attempt, from the API or the sign-in page: both go through [`SignInAttempt::run`],
/// so both are audited alike.
pub struct SignInAttempt<'a> {
    /// `METHOD /path`, for the audit trail.
    pub route: &'static str,
    /// As typed.
    pub username: &'a str,
    /// As typed.
    pub password: &'a str,
    /// The TOTP code as typed.
    pub code: &'a str,
    /// The client's address, when known.
    pub address: Option<String>,
    /// The HTTP status a success answers with (for the audit entry).
    pub status: u16,
}

impl SignInAttempt<'_> {
    /// Signs in and writes the attempt's audit entry: a success names the new session; a
    /// failure names the username tried (for the privacy officer) with outcome `denied`,
    /// while the caller learns nothing about which part was wrong. The outer error is the
    /// audit write failing (then no session is handed out); the inner one is the sign-in's.
    pub async fn run(
        self,
        store: &nwd_store::Store,
        trail: &AuditScope,
    ) -> Result<Result<nwd_store::auth::NewSession, AuthError>, UseCaseError> {
        let audit = AuditContext::request(
            Actor::User(self.username.trim().to_lowercase()),
            None,
            trail.clone(),
        );
        let result = store
            .sign_in(
                &audit,
                self.username,
                self.password,
                self.code.trim(),
                self.address.as_deref(),
            )
            .await;
        let mut entry = AuditEntry::new(self.route, "sign_in");
        entry.record_type = "session".into();
        entry.address = self.address;
        match &result {
            Ok(session) => {
                entry.user_id = Some(session.principal.user_id.clone());
                entry.username = Some(session.principal.username.clone());
                entry.roles = session.principal.roles_text();
                entry.organisation_id = Some(session.principal.organisation_id.clone());
                entry.session_id = Some(session.principal.credential_ref.clone());
                entry.why = "password and TOTP verified".into();
                entry.status = self.status;
            }
            Err(AuthError::SignInFailed) => {
                entry.username = Some(self.username.trim().to_lowercase());
                entry.outcome = "denied".into();
                entry.why = "sign-in failed".into();
                entry.status = 401;
            }
            Err(_) => return Ok(result),
        }
        store.append_audit(entry).await?;
        Ok(result)
    }
}
