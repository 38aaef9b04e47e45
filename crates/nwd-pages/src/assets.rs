//! The NHS design system's CSS, JS and images, and our own small CSS and JS, built into the
//! binary by `build.rs` from the npm package pinned in `web/package-lock.json`.

use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// `?v=` on an asset URL.
#[derive(Debug, Deserialize)]
pub struct VersionParam {
    /// The asset version the page linked to.
    pub v: Option<String>,
}

/// The URL of an asset with the cache-busting version, for templates.
pub fn versioned(path: &str) -> String {
    format!("{path}?v={ASSET_VERSION}")
}

/// Serves an embedded asset. A URL carrying the current version is cached for a year
/// (`immutable`); any other (images referenced from the CSS) for a day.
#[utoipa::path(get, path = "/assets/{*path}", tag = "pages",
    params(("path" = String, Path, description = "File under /assets/, e.g. nhsuk-frontend.min.css")),
    responses((status = 200, description = "The file", content_type = "text/css"), (status = 404, description = "No such asset")))]
pub async fn asset(Path(path): Path<String>, Query(version): Query<VersionParam>) -> Response {
    let wanted = format!("/assets/{path}");
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(url, _, _)| *url == wanted) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Not found",
        )
            .into_response();
    };
    let cache = if version.v.as_deref() == Some(ASSET_VERSION) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=86400"
    };
    let mut response = (StatusCode::OK, *bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_design_system_is_embedded_without_other_origins() {
        let css = ASSETS
            .iter()
            .find(|(url, _, _)| *url == "/assets/nhsuk-frontend.min.css")
            .map(|(_, _, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .unwrap_or_default();
        assert!(
            css.contains(".nhsuk-header"),
            "the CSS is the design system's"
        );
        assert!(!css.contains("://"), "no URL of another origin");
        for needed in [
            "/assets/nhsuk-frontend.min.js",
            "/assets/nwd.js",
            "/assets/nwd.css",
            "/assets/images/nhsuk-icon-cross.svg",
            "/assets/images/favicon.ico",
        ] {
            assert!(ASSETS.iter().any(|(url, _, _)| *url == needed), "{needed}");
        }
    }
}
