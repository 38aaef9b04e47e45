//! The security headers every answer of the web application carries — pages, and the API
//! answers that hold a secret link — and the redirect after a form. Part of the HTTP kernel:
//! the route guard, the pages and the JSON API all use it; it knows no page and no route.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

/// The Content-Security-Policy of every page: nothing inline, nothing from another origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Whether a page can show information about a person (never cached) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensitivity {
    /// The same for everyone; may be stored, but revalidated.
    Public,
    /// Holds or asks for personal information: `Cache-Control: no-store`.
    Identifiable,
}

/// The security headers every page carries.
pub fn security_headers(headers: &mut HeaderMap, sensitivity: Sensitivity) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match sensitivity {
            Sensitivity::Public => "no-cache",
            Sensitivity::Identifiable => "no-store",
        }),
    );
}

/// A file to download (`nwd_usecase::privacy::Download`) as an attachment: its media type,
/// and `Content-Disposition` with the name it is saved under.
pub fn attachment(download: nwd_usecase::privacy::Download) -> Response {
    (
        [
            (header::CONTENT_TYPE, download.content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", download.file_name),
            ),
        ],
        download.body,
    )
        .into_response()
}

/// A redirect after a form (303 See Other), with the security headers.
pub fn see_other(location: &str) -> Response {
    let mut response = Redirect::to(location).into_response();
    security_headers(response.headers_mut(), Sensitivity::Identifiable);
    response
}
