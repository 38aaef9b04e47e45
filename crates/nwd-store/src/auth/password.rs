//! A person's own password and authenticator set-up: the change of password every account an
//! administrator made must do at its first sign-in (`users.must_change_password`, migration
//! 0026), and the set-up details of an authenticator not yet used (for the QR code an
//! administrator shows the new member of staff).

use super::*;

impl Store {
    /// Changes `user_id`'s password, under `audit` (the person's own session): the current
    /// password must be right, the new one must pass the password rules
    /// (`nwd_domain::authz::check_new_password`) and differ from the current one. Clears the
    /// first-sign-in flag and ends the account's **other** sessions (`keep_session`, the
    /// credential reference of the session that asked, stays open). Nothing is written when
    /// a check fails; a wrong current password counts as a failed sign-in would.
    pub async fn change_password(
        &self,
        audit: &crate::audit::AuditContext,
        user_id: &str,
        keep_session: &str,
        current: &str,
        new: &str,
    ) -> Result<(), AuthError> {
        let row = sqlx::query("SELECT username, password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("user", user_id))?;
        let username: String = row.try_get("username")?;
        let Some(hash) = row.try_get::<Option<String>, _>("password_hash")? else {
            return Err(AuthError::Forbidden(
                "this account signs in through your organisation's single sign-on and has no password here".into(),
            ));
        };
        let candidate = current.to_owned();
        let current_ok = tokio::task::spawn_blocking(move || verify_password(&candidate, &hash))
            .await
            .unwrap_or(false);
        if !current_ok {
            self.count_sign_in_failure(audit, user_id, self.now())
                .await?;
            return Err(AuthError::Invalid {
                field: "current_password",
                message: "your current password is not right".into(),
            });
        }
        if new == current {
            return Err(AuthError::Invalid {
                field: "new_password",
                message: "choose a password different from the one you have now".into(),
            });
        }
        let breached = self.access.breached.clone();
        check_new_password(new, &username, |p| breached.contains(p)).map_err(|e| {
            AuthError::Invalid {
                field: "new_password",
                message: e.to_string(),
            }
        })?;
        let new = new.to_owned();
        let new_hash = tokio::task::spawn_blocking(move || hash_password(&new))
            .await
            .map_err(|e| StoreError::Corrupt(format!("password hashing failed: {e}")))??;
        let now = self.now();
        let mut w = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 0 \
             WHERE id = $2 AND disabled_at IS NULL",
        )
        .bind(&new_hash)
        .bind(user_id)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::not_found("user", user_id).into());
        }
        // Only the session's reference is known here (the hash of its stored hash): end every
        // other open session of the account, one statement each (an account has few).
        let open =
            sqlx::query("SELECT id_hash FROM sessions WHERE user_id = $1 AND ended_at IS NULL")
                .bind(user_id)
                .fetch_all(&mut *w.tx)
                .await?;
        let mut ended = 0;
        for row in &open {
            let id_hash: String = row.try_get("id_hash")?;
            if format!("session:{}", &token_hash(&id_hash)[..16]) == keep_session {
                continue;
            }
            ended += sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id_hash = $2")
                .bind(ms(now))
                .bind(&id_hash)
                .execute(&mut *w.tx)
                .await?
                .rows_affected();
        }
        audit.set_record("user", user_id);
        audit.set_detail(format!(
            "password changed by its holder: user:{user_id}; other sessions ended: {ended}"
        ));
        w.commit_audited(now, audit).await?;
        Ok(())
    }

    /// The `otpauth://` address of `user_id`'s authenticator while it has not been used to
    /// sign in yet (`None` once it has, or for an account without one): what the set-up page
    /// turns into a QR code. The route that shows it is audited by the guard.
    pub async fn authenticator_set_up(&self, user_id: &str) -> Result<Option<String>, AuthError> {
        let row = sqlx::query(
            "SELECT username, totp_secret, totp_last_step, disabled_at FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("user", user_id))?;
        let used = row.try_get::<Option<i64>, _>("totp_last_step")?.is_some();
        let disabled = row.try_get::<Option<i64>, _>("disabled_at")?.is_some();
        let Some(stored) = row.try_get::<Option<String>, _>("totp_secret")? else {
            return Ok(None);
        };
        if used || disabled {
            return Ok(None);
        }
        let username: String = row.try_get("username")?;
        let secret = self.open_totp(user_id, &stored)?;
        Ok(Some(totp_for(&secret, &username)?.get_url()))
    }
}
