//! Changing your own password (`/staff/change-password`). An account an administrator made
//! comes here at its first sign-in and can go nowhere else until it has chosen its own
//! password (the route guard sends every other page here: `nwd_http::secure::guard`); anyone
//! may come back to change it later. The change is `nwd_usecase::accounts::change_password`,
//! the same as `POST /api/session/password`; the form posts, then redirects (post/redirect/get)
//! to the person's home page.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use nwd_store::auth::Principal;
use nwd_usecase::accounts::PasswordChange;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

#[derive(Template)]
#[template(path = "change_password.html")]
struct ChangePasswordPage {
    layout: Layout,
    csrf: String,
    first: bool,
    home: String,
    fields: [(&'static str, &'static str, &'static str); 3],
}

fn page(principal: &Principal, errors: Vec<FieldMessage>, status: StatusCode) -> PageResult {
    let first = principal.must_change_password;
    let title = if first {
        "Choose your own password"
    } else {
        "Change your password"
    };
    let page = ChangePasswordPage {
        layout: Layout::staff(title, principal).with_errors(errors),
        csrf: principal.csrf_token.clone().unwrap_or_default(),
        first,
        home: crate::navigation::home(principal),
        fields: [
            (
                "current_password",
                "Your current password",
                "current-password",
            ),
            ("new_password", "New password", "new-password"),
            ("confirm_password", "New password again", "new-password"),
        ],
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// The form: current password, new password twice.
#[utoipa::path(get, path = "/staff/change-password", tag = "pages",
    responses((status = 200, description = "The change-password form", content_type = "text/html")))]
pub async fn form(Caller(principal): Caller) -> PageResult {
    page(&principal, Vec::new(), StatusCode::OK)
}

/// Changes the password, then to the home page; else the form again naming what is wrong.
#[utoipa::path(post, path = "/staff/change-password", tag = "pages",
    params(("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Changed: to the home page"),
        (status = 422, description = "A field is wrong (named)", content_type = "text/html")))]
pub async fn change(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let change = PasswordChange {
        current_password: form.first("current_password").to_owned(),
        new_password: form.first("new_password").to_owned(),
        confirm_password: form.first("confirm_password").to_owned(),
    };
    match nwd_usecase::accounts::change_password(
        &state.store,
        &trail.signed_in(&principal),
        &principal,
        &change,
    )
    .await
    {
        Ok(()) => Ok(see_other(&crate::navigation::home(&principal))),
        Err(nwd_usecase::UseCaseError::Invalid(fields)) => {
            let errors = fields
                .into_iter()
                .map(|f| {
                    let id = match f.field.as_str() {
                        "current_password" => "current_password",
                        "confirm_password" => "confirm_password",
                        _ => "new_password",
                    };
                    FieldMessage::new(id, capitalised(&f.message))
                })
                .collect();
            page(&principal, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(PageError::staff(other)),
    }
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
