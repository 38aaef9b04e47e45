//! Issuing an account's API tokens (shown once) and revoking them.

use super::*;

/// Issues an API token: the page again with the token shown once.
#[utoipa::path(post, path = "/staff/admin/users/{id}/tokens", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "Issued: the token, shown once", content_type = "text/html"), (status = 404, description = "Not found"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn create_token(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let typed = Typed {
        token_name: form.first("token_name").to_owned(),
        token_scopes: form.all("scopes").into_iter().map(str::to_owned).collect(),
        ..Typed::default()
    };
    let mut errors = Vec::new();
    if typed.token_name.trim().is_empty() {
        errors.push(FieldError {
            field: "name".into(),
            message: "say what the token is for (e.g. the system that uses it)".into(),
        });
    }
    let scopes = parse_scopes(typed.token_scopes.iter().map(String::as_str))
        .map_err(|e| errors.push(e))
        .ok();
    let outcome = match scopes.filter(|_| errors.is_empty()) {
        Some(scopes) => state
            .store
            .issue_api_token(
                &trail.signed_in(&principal),
                &id,
                &typed.token_name,
                &scopes,
            )
            .await
            .map_err(auth),
        None => Err(ApiError::Invalid(errors)),
    };
    match outcome {
        Ok((token_id, token)) => {
            user_page(
                &trail,
                &state,
                &principal,
                &id,
                Typed::default(),
                Vec::new(),
                Some((token_id, token)),
                StatusCode::CREATED,
            )
            .await
        }
        Err(error) => {
            refused(&trail, &state, &principal, &id, typed, error, |f| {
                if f == "scopes" {
                    "scopes"
                } else {
                    "token_name"
                }
            })
            .await
        }
    }
}

/// Revokes one of the account's API tokens.
#[utoipa::path(post, path = "/staff/admin/users/{id}/tokens/revoke", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Revoked: back to the account"), (status = 404, description = "No such live token")))]
pub async fn revoke_token(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    if !confirm::confirmed(&form) {
        return Ok(confirm::to_question(
            &format!("/staff/admin/users/{id}/tokens/revoke"),
            &form,
        ));
    }
    state
        .store
        .revoke_api_token(&trail.signed_in(&principal), Some(&id), form.first("token"))
        .await
        .map_err(PageError::staff)?;
    Ok(see_other(&format!("/staff/admin/users/{id}#tokens")))
}

/// "Are you sure?" before revoking an API token (`admin::confirm`): the question the button's post redirects
/// to; only its "Yes" changes anything.
#[utoipa::path(get, path = "/staff/admin/users/{id}/tokens/revoke", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "The confirmation page", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn revoke_token_question(
    Caller(principal): Caller,
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> PageResult {
    let form = crate::form::FormData::parse(query.unwrap_or_default().as_bytes());
    confirm::ask(
        &principal,
        &form,
        confirm::Question {
            title: "Revoke this API token?".into(),
            consequence: "Any system that uses it is refused from now on. A revoked token cannot be brought back: issue a new one if it is still needed.".into(),
            button: "Yes, revoke the token".into(),
            action: format!("/staff/admin/users/{id}/tokens/revoke"),
            back: format!("/staff/admin/users/{id}#tokens"),
        },
    )
}
