//! The NHS design system's CSS, JS and images, and our own small CSS and JS, built into the
//! binary by `build.rs` from the npm package pinned in `web/package-lock.json`.
//!
//! **Caching.** Assets are fingerprinted by content hash at build time, in the query rather
//! than the file name: pages link `/assets/…?v=` [`ASSET_VERSION`], a hash of every asset's
//! URL and bytes, so any change to any asset changes every link. Only a URL carrying the
//! current version is fingerprinted, and only it is cached for a year with
//! `Cache-Control: public, max-age=31536000, immutable`. Any other URL — the images the
//! design system's CSS refers to by bare path, or a page still holding an older version — is
//! not fingerprinted: it gets a short `public, max-age=3600` and an `ETag` (a hash of that
//! asset's bytes), and a revalidation with a matching `If-None-Match` answers
//! `304 Not Modified` with no body.
//!
//! **Compression** (gzip or brotli, as the browser accepts) is not done here but by
//! `nwd_web::app` for every answer, assets included.

use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
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

/// The `Cache-Control` of a fingerprinted asset URL (one carrying the current `?v=`).
pub const CACHE_FINGERPRINTED: &str = "public, max-age=31536000, immutable";

/// The `Cache-Control` of an asset URL without the current fingerprint (revalidated with its
/// `ETag` after an hour).
pub const CACHE_UNFINGERPRINTED: &str = "public, max-age=3600";

/// Serves an embedded asset. A URL carrying the current version is cached for a year
/// (`immutable`); any other (images referenced from the CSS) for an hour, then revalidated
/// with its `ETag` (see the module's documentation).
#[utoipa::path(get, path = "/assets/{*path}", tag = "pages",
    params(("path" = String, Path, description = "File under /assets/, e.g. nhsuk-frontend.min.css")),
    responses((status = 200, description = "The file", content_type = "text/css"), (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"), (status = 404, description = "No such asset")))]
pub async fn asset(
    Path(path): Path<String>,
    Query(version): Query<VersionParam>,
    request: HeaderMap,
) -> Response {
    let wanted = format!("/assets/{path}");
    let Some((_, content_type, etag, bytes)) = ASSETS.iter().find(|(url, _, _, _)| *url == wanted)
    else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Not found",
        )
            .into_response();
    };
    let cache = if version.v.as_deref() == Some(ASSET_VERSION) {
        CACHE_FINGERPRINTED
    } else {
        CACHE_UNFINGERPRINTED
    };
    let unchanged = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == *etag || tag == "*");
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, *bytes).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, HeaderValue::from_static(etag));
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
            .find(|(url, _, _, _)| *url == "/assets/nhsuk-frontend.min.css")
            .map(|(_, _, _, bytes)| String::from_utf8_lossy(bytes).into_owned())
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
            assert!(
                ASSETS.iter().any(|(url, _, _, _)| *url == needed),
                "{needed}"
            );
        }
    }
}
