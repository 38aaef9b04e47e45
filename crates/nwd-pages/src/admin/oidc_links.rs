//! The administrator's page for a staff account's OpenID Connect links (permission
//! `manage_users`; no clinical content): the identities at the configured providers (issuer,
//! subject) that sign in to this account, a form to link another and a button to remove each.
//! The same checks as `nowrongdoor admin link-oidc` (`Store::link_oidc`): an issuer URL, a
//! subject of 1–255 ASCII characters, one account per identity. A refused form comes back with
//! the NHS error summary and nothing written; every change is audited in its own transaction
//! (the guard's scope, with the identity in the entry's detail).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_store::auth::{AuthError, Principal};
use nwd_store::oidc::OidcLink;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// A configured provider, as the form offers it.
#[derive(Debug, Clone)]
pub struct ProviderOption {
    /// Its issuer identifier (the form's value).
    pub issuer: String,
    /// Its name.
    pub name: String,
}

#[derive(Template)]
#[template(path = "admin_oidc.html")]
struct LinksPage {
    layout: Layout,
    user_id: String,
    display_name: String,
    username: String,
    disabled: bool,
    links: Vec<(OidcLink, String)>,
    providers: Vec<ProviderOption>,
    typed_issuer: String,
    typed_subject: String,
    csrf: String,
}

fn providers(state: &AppState) -> Vec<ProviderOption> {
    state
        .oidc
        .providers()
        .map(|p| ProviderOption {
            issuer: p.config.issuer.clone(),
            name: p.config.name.clone(),
        })
        .collect()
}

async fn links_page(
    trail: &RequestAudit,
    state: &AppState,
    principal: &Principal,
    id: &str,
    typed: (String, String),
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> PageResult {
    trail.set_record("user", id.to_owned());
    let user = state.store.user(id).await.map_err(PageError::staff)?;
    let providers = providers(state);
    let links = state
        .store
        .oidc_links(id)
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .map(|link| {
            let name = providers
                .iter()
                .find(|p| p.issuer == link.issuer)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "A provider not configured on this server".into());
            (link, name)
        })
        .collect();
    let page = LinksPage {
        layout: Layout::staff(
            &format!("Single sign-on for {}", user.display_name),
            principal,
        )
        .with_errors(errors),
        user_id: user.id.clone(),
        display_name: user.display_name.clone(),
        username: user.username.clone(),
        disabled: user.disabled_at.is_some(),
        links,
        providers,
        typed_issuer: typed.0,
        typed_subject: typed.1,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// A staff account's identity-provider links.
#[utoipa::path(get, path = "/staff/admin/users/{id}/oidc", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "The account's OpenID Connect links", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn links(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    links_page(
        &trail,
        &state,
        &principal,
        &id,
        Default::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// The form's field id for a store field.
fn field_id(field: &str) -> &'static str {
    match field {
        "issuer" => "issuer",
        "subject" => "subject",
        _ => "links",
    }
}

/// Links an identity (issuer, subject) to the account.
#[utoipa::path(post, path = "/staff/admin/users/{id}/oidc", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Linked: back to the links"), (status = 404, description = "Not found"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn link(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    trail.set_record("user", id.clone());
    let form = FormData::parse(&body);
    let issuer = form.first("issuer").trim().to_owned();
    let subject = form.first("subject").trim().to_owned();
    // The account first: an unknown one is "not found", not a field to correct.
    state.store.user(&id).await.map_err(PageError::staff)?;
    let mut errors = Vec::new();
    let configured = providers(&state);
    if issuer.is_empty() {
        errors.push(FieldMessage::new("issuer", "Choose the identity provider"));
    } else if !configured.is_empty() && !configured.iter().any(|p| p.issuer == issuer) {
        errors.push(FieldMessage::new(
            "issuer",
            "Choose one of the identity providers configured on this server",
        ));
    }
    if subject.is_empty() {
        errors.push(FieldMessage::new(
            "subject",
            "Enter the person's subject identifier at the provider (its `sub`)",
        ));
    }
    if errors.is_empty() {
        let audit = trail.signed_in(&principal);
        match state.store.link_oidc(&audit, &issuer, &subject, &id).await {
            Ok(()) => return Ok(see_other(&format!("/staff/admin/users/{id}/oidc"))),
            Err(AuthError::Invalid { field, message }) => {
                errors.push(FieldMessage::new(field_id(field), capitalised(&message)))
            }
            Err(other) => return Err(PageError::staff(other)),
        }
    }
    links_page(
        &trail,
        &state,
        &principal,
        &id,
        (issuer, subject),
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Removes one of the account's links.
#[utoipa::path(post, path = "/staff/admin/users/{id}/oidc/remove", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Removed: back to the links"), (status = 404, description = "Not found"), (status = 422, description = "No such link", content_type = "text/html")))]
pub async fn unlink(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    trail.set_record("user", id.clone());
    let form = FormData::parse(&body);
    let issuer = form.first("issuer").trim().to_owned();
    let subject = form.first("subject").to_owned();
    state.store.user(&id).await.map_err(PageError::staff)?;
    if !crate::admin::confirm::confirmed(&form) {
        return Ok(crate::admin::confirm::to_question(
            &format!("/staff/admin/users/{id}/oidc/remove"),
            &form,
        ));
    }
    let audit = trail.signed_in(&principal);
    let removed = state
        .store
        .unlink_oidc(&audit, Some(&id), &issuer, &subject)
        .await
        .map_err(PageError::staff)?;
    if removed {
        return Ok(see_other(&format!("/staff/admin/users/{id}/oidc")));
    }
    links_page(
        &trail,
        &state,
        &principal,
        &id,
        Default::default(),
        vec![FieldMessage::new(
            "links",
            "This account has no such link: it may have been removed already",
        )],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Are you sure?" before removing a single sign-on link (`admin::confirm`): the question the button's post redirects
/// to; only its "Yes" changes anything.
#[utoipa::path(get, path = "/staff/admin/users/{id}/oidc/remove", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "The confirmation page", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn unlink_question(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> PageResult {
    let form = crate::form::FormData::parse(query.unwrap_or_default().as_bytes());
    let user = state.store.user(&id).await.map_err(PageError::staff)?;
    let issuer = form.first("issuer").trim().to_owned();
    crate::admin::confirm::ask(
        &principal,
        &form,
        crate::admin::confirm::Question {
            title: format!("Remove this single sign-on link from {}?", user.username),
            consequence: format!(
                "{} can no longer sign in through {issuer} with this identity. You can link it again later.",
                user.display_name
            ),
            button: "Yes, remove the link".into(),
            action: format!("/staff/admin/users/{id}/oidc/remove"),
            back: format!("/staff/admin/users/{id}/oidc"),
        },
    )
}
