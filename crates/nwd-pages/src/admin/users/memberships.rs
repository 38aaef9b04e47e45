//! Giving an account a role in a team, and taking it away.

use super::*;

/// Gives the account a role in a team.
#[utoipa::path(post, path = "/staff/admin/users/{id}/memberships", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Added: back to the account"), (status = 404, description = "Not found"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn add_membership(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let typed = Typed {
        team_id: form.first("team_id").to_owned(),
        role: form.first("role").to_owned(),
        ..Typed::default()
    };
    let outcome = match parse_role(&typed.role) {
        Ok(role) => state
            .store
            .add_membership(&trail.signed_in(&principal), &id, &typed.team_id, role)
            .await
            .map(|_| ())
            .map_err(auth),
        Err(e) => Err(ApiError::Invalid(vec![e])),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/staff/admin/users/{id}#roles"))),
        Err(error) => {
            refused(&trail, &state, &principal, &id, typed, error, |f| match f {
                "team_id" => "team_id",
                _ => "role",
            })
            .await
        }
    }
}

/// Takes a role in a team away from the account.
#[utoipa::path(post, path = "/staff/admin/users/{id}/memberships/remove", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Removed: back to the account"), (status = 404, description = "Not found"), (status = 422, description = "Refused", content_type = "text/html")))]
pub async fn remove_membership(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let outcome = match Role::parse(form.first("role")) {
        Ok(role) => state
            .store
            .remove_membership(
                &trail.signed_in(&principal),
                &id,
                form.first("team_id"),
                role,
            )
            .await
            .map_err(auth),
        Err(message) => Err(ApiError::field("role", message)),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/staff/admin/users/{id}#roles"))),
        Err(error) => {
            refused(
                &trail,
                &state,
                &principal,
                &id,
                Typed::default(),
                error,
                |_| "roles",
            )
            .await
        }
    }
}
