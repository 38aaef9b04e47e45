//! Sign-in and sessions: the password and second factor checked, failures counted and the
//! account locked after [`super::MAX_FAILED_ATTEMPTS`], TOTP secrets sealed with the server's
//! key, a session looked up from its cookie with idle and absolute timeouts, sign-out.

use super::*;

/// Starts a session for `user_id`: a fresh 256-bit id (only its SHA-256 stored) and CSRF
/// token. Every sign-in, local or federated, comes through here, so every sign-in gets a new
/// id. Returns (session id, CSRF token).
pub(crate) async fn insert_session(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: &str,
    address: Option<&str>,
    now: Timestamp,
) -> Result<(String, String), StoreError> {
    let token = random_token();
    let csrf = random_token();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, address) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(&csrf)
    .bind(ms(now))
    .bind(address)
    .execute(&mut **tx)
    .await?;
    Ok((token, csrf))
}

/// A new session: the cookie value is returned once and never stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Cookie value.
    pub token: String,
    /// CSRF token to echo in `X-CSRF-Token` (or a form field) on unsafe requests.
    pub csrf_token: String,
    /// Who signed in.
    pub principal: Principal,
}

/// An opaque, non-secret reference to a session for audit and logs: the first 16 hex digits
/// of the SHA-256 of the hash (never the cookie value, never the stored hash).
pub fn session_ref(token: &str) -> String {
    format!("session:{}", &token_hash(&token_hash(token))[..16])
}

impl Store {
    /// Signs in with username, password and TOTP code, under `audit` (the sign-in request's
    /// context: the new session, or a failure's count, commits with its entry). Every failure
    /// is the same error; failures are counted and lock the account for a while.
    pub async fn sign_in(
        &self,
        audit: &crate::audit::AuditContext,
        username: &str,
        password: &str,
        code: &str,
        address: Option<&str>,
    ) -> Result<NewSession, AuthError> {
        let username = username.trim().to_lowercase();
        let now = self.now();
        let row = sqlx::query(
            "SELECT id, password_hash, totp_secret, totp_last_step, failed_attempts, locked_until, \
             disabled_at FROM users WHERE username = $1",
        )
        .bind(&username)
        .fetch_optional(&self.pool)
        .await?;
        let (hash, known) = match &row {
            Some(r) => (
                r.try_get::<Option<String>, _>("password_hash")?
                    .unwrap_or_else(|| dummy_hash().to_owned()),
                true,
            ),
            None => (dummy_hash().to_owned(), false),
        };
        let candidate = password.to_owned();
        let password_ok = tokio::task::spawn_blocking(move || verify_password(&candidate, &hash))
            .await
            .unwrap_or(false);
        let Some(row) = row.filter(|_| known) else {
            return Err(AuthError::SignInFailed);
        };
        let user_id: String = row.try_get("id")?;
        let locked = row
            .try_get::<Option<i64>, _>("locked_until")?
            .is_some_and(|until| until > ms(now));
        let disabled = row.try_get::<Option<i64>, _>("disabled_at")?.is_some();
        let secret: Option<String> = row
            .try_get::<Option<String>, _>("totp_secret")?
            .map(|stored| self.open_totp(&user_id, &stored))
            .transpose()?;
        let last_step: Option<i64> = row.try_get("totp_last_step")?;
        let step = now.as_second().max(0) / 30;
        // The code's step: one of now−1, now, now+1, and later than the last one used.
        let code_step = match &secret {
            Some(secret) => {
                let totp = totp_for(secret, &username)?;
                [step, step - 1, step + 1].into_iter().find(|s| {
                    last_step.is_none_or(|last| *s > last)
                        && totp.generate((*s * 30).max(0) as u64) == code.trim()
                })
            }
            None => None,
        };
        if locked || disabled || !password_ok {
            self.count_sign_in_failure(audit, &user_id, now).await?;
            return Err(AuthError::SignInFailed);
        }
        let Some(code_step) = code_step else {
            self.count_sign_in_failure(audit, &user_id, now).await?;
            return Err(AuthError::SignInFailed);
        };
        let mut w = self.begin_write().await?;
        // Compare-and-set in one statement: the code's step is taken only if it is later than
        // the last one used and the account is still open, so of several sign-ins racing with
        // one code exactly one changes the row (PostgreSQL re-checks the condition against the
        // row the winner committed; SQLite runs one writer at a time).
        let taken = sqlx::query(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL, totp_last_step = $1 \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1) \
             AND (locked_until IS NULL OR locked_until <= $3) AND disabled_at IS NULL",
        )
        .bind(code_step)
        .bind(&user_id)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if taken != 1 {
            drop(w);
            self.count_sign_in_failure(audit, &user_id, now).await?;
            return Err(AuthError::SignInFailed);
        }
        let (token, csrf) = insert_session(&mut w.tx, &user_id, address, now).await?;
        w.commit_audited(now, audit).await?;
        let principal = self
            .load_principal(&user_id, session_ref(&token), None, Some(csrf.clone()))
            .await?
            .ok_or(AuthError::SignInFailed)?;
        Ok(NewSession {
            token,
            csrf_token: csrf,
            principal,
        })
    }

    /// A TOTP secret as stored: sealed with the server's key when there is one
    /// (`secrets.rs`), else as it is.
    pub(super) fn seal_totp(&self, user_id: &str, plain: &str) -> Result<String, StoreError> {
        match &self.secret {
            Some(key) => key.seal_totp(user_id, plain),
            None => Ok(plain.to_owned()),
        }
    }

    /// A stored TOTP secret, opened: a sealed one needs the server's key; a plain one (from
    /// before the key, or a database without one) is used as it is.
    pub(super) fn open_totp(&self, user_id: &str, stored: &str) -> Result<String, StoreError> {
        if !crate::secrets::is_sealed(stored) {
            return Ok(stored.to_owned());
        }
        match &self.secret {
            Some(key) => key.open_totp(user_id, stored),
            None => Err(StoreError::SecretKey(
                "TOTP secrets are sealed but no key is configured (NWD_SECRET_KEY_FILE)".into(),
            )),
        }
    }

    /// Seals every TOTP secret still stored in plain text (accounts made before the key was
    /// configured), each in its own statement that changes it only if it is still plain. Run
    /// at start-up when the server has a key; returns how many were sealed.
    pub(crate) async fn seal_plain_totp_secrets(&self) -> Result<u64, StoreError> {
        let Some(key) = self.secret.clone() else {
            return Ok(0);
        };
        let plain = sqlx::query(
            "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL \
             AND totp_secret NOT LIKE 'sealed1:%'",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut sealed = 0;
        for row in &plain {
            let id: String = row.try_get("id")?;
            let secret: String = row.try_get("totp_secret")?;
            sealed +=
                sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3")
                    .bind(key.seal_totp(&id, &secret)?)
                    .bind(&id)
                    .bind(&secret)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
        }
        if sealed > 0 {
            tracing::info!(sealed, "sealed TOTP secrets stored in plain text");
        }
        Ok(sealed)
    }

    /// Counts one failed sign-in, in one statement so that parallel failures each count:
    /// the [`MAX_FAILED_ATTEMPTS`]th in a row locks the account for [`LOCKOUT`] and starts the
    /// count again.
    pub(super) async fn count_sign_in_failure(
        &self,
        audit: &crate::audit::AuditContext,
        user_id: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        sqlx::query(
            "UPDATE users SET \
             locked_until = CASE WHEN failed_attempts + 1 >= $1 THEN $2 ELSE locked_until END, \
             failed_attempts = CASE WHEN failed_attempts + 1 >= $1 THEN 0 \
             ELSE failed_attempts + 1 END WHERE id = $3",
        )
        .bind(MAX_FAILED_ATTEMPTS)
        .bind(ms(now + LOCKOUT))
        .bind(user_id)
        .execute(&mut *w.tx)
        .await?;
        w.commit_audited(now, audit).await?;
        Ok(())
    }

    /// The principal behind a session cookie, if the session is live (not ended, within the
    /// idle and absolute timeouts, account not disabled). Refreshes the idle clock.
    pub async fn session_principal(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        let now = self.now();
        let rows = sqlx::query(super::principal::SESSION_PRINCIPAL_SQL.as_str())
            .bind(token_hash(token))
            .fetch_all(&self.pool)
            .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let created = ts(row.try_get("c_created_at")?)?;
        let last_seen = ts(row.try_get("c_last_seen_at")?)?;
        let policy = self.access.sessions;
        if row.try_get::<Option<i64>, _>("c_ended_at")?.is_some()
            || now >= created + policy.absolute
            || now >= last_seen + policy.idle
        {
            return Ok(None);
        }
        // Refresh at most once a minute: reads stay reads. Bookkeeping of the idle clock, not
        // a change to a record: no audit entry of its own (the request's entry records the
        // access; the guard has not opened it yet).
        if now >= last_seen + SignedDuration::from_mins(1) {
            let mut w = self.begin_write().await?;
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(ms(now))
                .bind(token_hash(token))
                .execute(&mut *w.tx)
                .await?;
            w.tx.commit().await?;
        }
        let csrf: String = row.try_get("c_csrf_token")?;
        self.principal_from_rows(&rows, session_ref(token), None, Some(csrf))
    }

    /// Ends a session (sign-out), under `audit`.
    pub async fn end_session(
        &self,
        audit: &crate::audit::AuditContext,
        token: &str,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL")
            .bind(ms(now))
            .bind(token_hash(token))
            .execute(&mut *w.tx)
            .await?;
        w.commit_audited(now, audit).await?;
        Ok(())
    }
}
