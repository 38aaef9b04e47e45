//! What every page shares: the layout's data (title, error summary, who is signed in), the
//! security headers (the kernel's `nwd_http::headers`, re-exported here), and the error page.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use nwd_store::auth::Principal;

use crate::assets::versioned;
pub use nwd_http::headers::{security_headers, see_other, Sensitivity, CONTENT_SECURITY_POLICY};
use nwd_http::problem::ApiError;

/// Where "Exit this page" leads, on every public page: a neutral site, in the same tab
/// (`nwd.js` also leaves for it on Shift pressed three times, replacing the page in the
/// history).
pub const EXIT_URL: &str = "https://www.bbc.co.uk/weather";

/// An invalid answer, for the error summary and beside its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMessage {
    /// The `id` of the field the summary links to.
    pub id: String,
    /// What to do, in plain English.
    pub message: String,
}

impl FieldMessage {
    /// A message for the field with `id`.
    pub fn new(id: &str, message: impl Into<String>) -> FieldMessage {
        FieldMessage {
            id: id.to_owned(),
            message: message.into(),
        }
    }
}

/// The signed-in member of staff, for the header.
#[derive(Debug, Clone)]
pub struct StaffHeader {
    /// Shown name.
    pub display_name: String,
    /// For the sign-out form's `?csrf=`.
    pub csrf: String,
    /// The menu: only pages this person's roles may open (`crate::navigation`).
    pub menu: Vec<crate::navigation::MenuLink>,
    /// Where the logo and sign-in lead: the page this person starts from.
    pub home: String,
}

impl StaffHeader {
    /// From the principal the guard authenticated.
    pub fn of(principal: &Principal) -> StaffHeader {
        StaffHeader {
            display_name: principal.display_name.clone(),
            csrf: principal.csrf_token.clone().unwrap_or_default(),
            menu: crate::navigation::menu(principal),
            home: crate::navigation::home(principal),
        }
    }

    /// Whether the menu offers the page at `href` (the roles held may open it).
    pub fn offers(&self, href: &str) -> bool {
        self.menu.iter().any(|link| link.href == href)
    }
}

/// The layout's data.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The page title (the `<h1>` in words).
    pub title: String,
    /// Invalid answers: shown in the error summary, and "Error:" prefixes the title.
    pub errors: Vec<FieldMessage>,
    /// Set on staff pages.
    pub staff: Option<StaffHeader>,
    /// The design system's CSS URL.
    pub css: String,
    /// Our CSS URL.
    pub own_css: String,
    /// Our script's URL.
    pub js: String,
    /// A success message (the design system's success notification banner), after a change.
    pub success: Option<String>,
}

impl Layout {
    /// A public page.
    pub fn public(title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            errors: Vec::new(),
            staff: None,
            css: versioned("/assets/nhsuk-frontend.min.css"),
            own_css: versioned("/assets/nwd.css"),
            js: versioned("/assets/nwd.js"),
            success: None,
        }
    }

    /// A staff page.
    pub fn staff(title: &str, principal: &Principal) -> Layout {
        Layout {
            staff: Some(StaffHeader::of(principal)),
            ..Layout::public(title)
        }
    }

    /// With the error summary.
    pub fn with_errors(mut self, errors: Vec<FieldMessage>) -> Layout {
        self.errors = errors;
        self
    }

    /// With a success banner saying what was done.
    pub fn with_success(mut self, message: Option<String>) -> Layout {
        self.success = message;
        self
    }

    /// The message for the field with `id`, if it is invalid.
    pub fn error(&self, id: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.message.as_str())
    }

    /// Every message for the field with `id` (a pasted file can have several problems).
    pub fn errors_for(&self, id: &str) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| e.id == id)
            .map(|e| e.message.as_str())
            .collect()
    }

    /// The "Urgent help" link shows on every page that is not a staff page.
    pub fn is_public(&self) -> bool {
        self.staff.is_none()
    }
}

/// Renders a page with its status and the security headers.
pub fn render(template: &impl Template, status: StatusCode, sensitivity: Sensitivity) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, axum::response::Html(html)).into_response();
            security_headers(response.headers_mut(), sensitivity);
            response
        }
        Err(error) => {
            let id = uuid::Uuid::new_v4().simple().to_string();
            tracing::error!(error_id = %id, error = %error, "page template failed");
            plain_error(&id)
        }
    }
}

fn plain_error(id: &str) -> Response {
    let mut response = (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("Sorry, there is a problem with the service. Quote error {id} if you contact us."),
    )
        .into_response();
    security_headers(response.headers_mut(), Sensitivity::Identifiable);
    response
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    detail: String,
    error_id: Option<String>,
    staff: bool,
}

/// A page that failed: rendered as the NHS "there is a problem" page, never with internals.
#[derive(Debug)]
pub struct PageError {
    error: ApiError,
    staff: bool,
}

impl PageError {
    /// A failure on a staff page (the error page offers the way back to the queue).
    pub fn staff(error: impl Into<ApiError>) -> PageError {
        PageError {
            error: error.into(),
            staff: true,
        }
    }
}

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError {
            error: error.into(),
            staff: false,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let problem = self.error.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (heading, detail) = match status {
            StatusCode::NOT_FOUND => (
                "Page not found".to_owned(),
                "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address.".to_owned(),
            ),
            StatusCode::INTERNAL_SERVER_ERROR | StatusCode::SERVICE_UNAVAILABLE => (
                "Sorry, there is a problem with the service".to_owned(),
                "Try again later. Nothing you sent has been lost if you saw a reference number.".to_owned(),
            ),
            _ => (problem.title.clone(), problem.detail.clone()),
        };
        let page = ErrorPage {
            layout: Layout::public(&heading),
            staff: self.staff,
            heading,
            detail,
            error_id: problem.error_id,
        };
        render(&page, status, Sensitivity::Identifiable)
    }
}

/// The HTML 404 for an address with no page (the fallback's, `nwd_http::fallback`): the
/// public error page, leading to the start and to urgent help.
pub fn no_page() -> Response {
    let heading = "Page not found";
    let page = ErrorPage {
        layout: Layout::public(heading),
        heading: heading.to_owned(),
        detail: "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address.".to_owned(),
        error_id: None,
        staff: false,
    };
    render(&page, StatusCode::NOT_FOUND, Sensitivity::Public)
}

/// The HTML 405 for a page address asked with a method it does not take (e.g. a form sent to
/// a page that only shows): the public error page.
pub fn wrong_method() -> Response {
    let heading = "This page cannot do that";
    let page = ErrorPage {
        layout: Layout::public(heading),
        heading: heading.to_owned(),
        detail: "The page exists, but not for what your browser asked. Go to the start and follow the links from there; nothing you typed has been sent.".to_owned(),
        error_id: None,
        staff: false,
    };
    render(&page, StatusCode::METHOD_NOT_ALLOWED, Sensitivity::Public)
}

/// The result of a page handler.
pub type PageResult = Result<Response, PageError>;
