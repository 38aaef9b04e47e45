//! "Are you sure?" before a destructive administrative change (disable an account, take a
//! role away, revoke a token, refuse a role, remove a team member, unlink a single sign-on
//! identity, reset a service's standards). The button on the page posts as before; without
//! `confirmed=yes` the handler changes nothing and redirects ([`to_question`]) to a GET of
//! the same path, whose handler (`…_question`) renders [`ask`]: what will happen, a form that
//! posts the same answers again with `confirmed=yes`, and a "No, go back" link. Works without
//! JavaScript; Back and refresh only show the question again.

use askama::Template;
use axum::http::StatusCode;
use nwd_store::auth::Principal;

use crate::form::FormData;
use crate::layout::{render, Layout, PageResult, Sensitivity};

/// The field that says the person answered "yes" on the confirmation page.
pub const CONFIRMED_FIELD: &str = "confirmed";

/// What the confirmation page asks.
#[derive(Debug, Clone)]
pub struct Question {
    /// The question, e.g. "Disable a.jones?".
    pub title: String,
    /// What will happen, in plain words.
    pub consequence: String,
    /// The button's words, e.g. "Yes, disable the account".
    pub button: String,
    /// Where the answer posts (without the CSRF token, which is added).
    pub action: String,
    /// Where "No, go back" goes.
    pub back: String,
}

#[derive(Template)]
#[template(path = "admin_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    question: Question,
    action: String,
    fields: Vec<(String, String)>,
}

/// The answer to a destructive button's post that is not yet confirmed: a redirect
/// (post/redirect/get) to the question at the same path, the form's answers (never the CSRF
/// token) in its query, so that Back, refresh and the address bar hold no secret.
pub fn to_question(action: &str, form: &FormData) -> axum::response::Response {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            form.pairs()
                .iter()
                .filter(|(name, _)| name != CONFIRMED_FIELD && name != "csrf"),
        )
        .finish();
    if query.is_empty() {
        crate::layout::see_other(action)
    } else {
        crate::layout::see_other(&format!("{action}?{query}"))
    }
}

/// Whether the form carries the "yes" of the confirmation page.
pub fn confirmed(form: &FormData) -> bool {
    form.first(CONFIRMED_FIELD) == "yes"
}

/// The confirmation page: the form's own answers (but the CSRF token, which travels in the
/// action) carried again, with `confirmed=yes`.
pub fn ask(principal: &Principal, form: &FormData, question: Question) -> PageResult {
    let csrf: String = form_urlencoded::byte_serialize(
        principal.csrf_token.clone().unwrap_or_default().as_bytes(),
    )
    .collect();
    let separator = if question.action.contains('?') {
        '&'
    } else {
        '?'
    };
    let page = ConfirmPage {
        layout: Layout::staff(&question.title, principal),
        action: format!("{}{separator}csrf={csrf}", question.action),
        fields: form
            .pairs()
            .iter()
            .filter(|(name, _)| name != CONFIRMED_FIELD && name != "csrf")
            .cloned()
            .collect(),
        question,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
