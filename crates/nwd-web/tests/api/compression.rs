//! Compression and caching over HTTP (`nwd_web::app`, `nwd_pages::assets`): pages, JSON and
//! assets come back gzip- or brotli-compressed when the client accepts it, and decompress to
//! the very bytes sent uncompressed; only a fingerprinted asset URL is cached for a year; an
//! asset without the fingerprint is revalidated with its `ETag`; a signed-in browser's pages
//! are not compressed (BREACH).

use std::io::Read;

use reqwest::{Method, Response};

use crate::on_both_backends;
use crate::support::TestApp;

/// Status, `Content-Encoding`, `Cache-Control`, `ETag` and the raw body bytes.
struct Raw {
    status: u16,
    encoding: Option<String>,
    cache: Option<String>,
    etag: Option<String>,
    body: Vec<u8>,
}

async fn raw(response: Response) -> Raw {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (encoding, cache, etag) = (
        header("content-encoding"),
        header("cache-control"),
        header("etag"),
    );
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap().to_vec();
    Raw {
        status,
        encoding,
        cache,
        etag,
        body,
    }
}

async fn get(app: &TestApp, path: &str, accept: &str) -> Raw {
    raw(app
        .public(Method::GET, path)
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap())
    .await
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The fingerprinted stylesheet URL the home page links.
async fn stylesheet(app: &TestApp) -> String {
    let page = String::from_utf8(get(app, "/", "identity").await.body).unwrap();
    let start = page
        .find("/assets/nhsuk-frontend.min.css?v=")
        .expect("the page links the stylesheet with its fingerprint");
    let end = start + page[start..].find('"').unwrap();
    page[start..end].replace("&amp;", "&")
}

async fn pages_json_and_assets_are_compressed_when_accepted(app: &TestApp) {
    let css = stylesheet(app).await;
    for path in ["/", "/refer", css.as_str(), "/api/openapi.json"] {
        let plain = get(app, path, "identity").await;
        assert_eq!(plain.status, 200, "{path}");
        assert_eq!(plain.encoding, None, "{path}: identity asked for");

        let gzip = get(app, path, "gzip").await;
        assert_eq!(gzip.status, 200, "{path}");
        assert_eq!(gzip.encoding.as_deref(), Some("gzip"), "{path}");
        assert!(
            gzip.body.len() * 2 < plain.body.len(),
            "{path}: gzip {} bytes of {}",
            gzip.body.len(),
            plain.body.len()
        );
        let brotli = get(app, path, "br").await;
        assert_eq!(brotli.encoding.as_deref(), Some("br"), "{path}");
        assert!(brotli.body.len() * 2 < plain.body.len(), "{path}");
        if path == css {
            // The same bytes, each way; the 278 KB stylesheet goes down to a fraction.
            assert_eq!(gunzip(&gzip.body), plain.body);
            assert_eq!(unbrotli(&brotli.body), plain.body);
            assert!(plain.body.len() > 100_000, "{}", plain.body.len());
            assert!(
                gzip.body.len() * 3 < plain.body.len(),
                "{}",
                gzip.body.len()
            );
        } else {
            let text = String::from_utf8(gunzip(&gzip.body)).unwrap();
            assert!(text.contains("nhsuk") || text.contains("openapi"), "{path}");
            assert!(!unbrotli(&brotli.body).is_empty());
        }
    }
    // An unknown URL's answer is compressed too (the fallback is inside the layer).
    let missing = get(app, "/api/nothing-here", "gzip").await;
    assert_eq!(missing.status, 404);
}
on_both_backends!(pages_json_and_assets_are_compressed_when_accepted);

async fn only_fingerprinted_assets_are_cached_for_a_year(app: &TestApp) {
    let css = stylesheet(app).await;
    let fingerprinted = get(app, &css, "gzip").await;
    assert_eq!(
        fingerprinted.cache.as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    // Not fingerprinted: the bare path, an old version, an image the CSS names by bare path.
    for path in [
        "/assets/nhsuk-frontend.min.css",
        "/assets/nhsuk-frontend.min.css?v=0000000000000000",
        "/assets/images/nhsuk-icon-cross.svg",
    ] {
        let answer = get(app, path, "identity").await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(
            answer.cache.as_deref(),
            Some("public, max-age=3600"),
            "{path}"
        );
        let etag = answer.etag.clone().expect("an ETag to revalidate with");
        // Revalidation with the tag: 304 and no body; with another tag: the file.
        let same = raw(app
            .public(Method::GET, path)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap())
        .await;
        assert_eq!(same.status, 304, "{path}");
        assert!(same.body.is_empty());
        assert_eq!(same.etag.as_deref(), Some(etag.as_str()));
        let other = get(app, path, "identity").await;
        let changed = raw(app
            .public(Method::GET, path)
            .header("if-none-match", "\"0000000000000000\"")
            .send()
            .await
            .unwrap())
        .await;
        assert_eq!(changed.status, 200, "{path}");
        assert_eq!(changed.body, other.body);
    }
    // Two different assets have different tags.
    let css_tag = get(app, "/assets/nhsuk-frontend.min.css", "identity")
        .await
        .etag;
    let js_tag = get(app, "/assets/nhsuk-frontend.min.js", "identity")
        .await
        .etag;
    assert_ne!(css_tag, js_tag);
    // Pages are never cached for long.
    let page = get(app, "/", "gzip").await;
    assert!(!page.cache.unwrap_or_default().contains("max-age"));
}
on_both_backends!(only_fingerprinted_assets_are_cached_for_a_year);

async fn a_signed_in_browsers_pages_are_not_compressed(app: &TestApp) {
    let css = stylesheet(app).await;
    let with_session = |path: &str| {
        app.public(Method::GET, path)
            .header("accept-encoding", "gzip, br")
            .header("cookie", "theme=x; __Host-nwd_session=anything")
    };
    let page = raw(with_session("/").send().await.unwrap()).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.encoding, None,
        "a page with the session is not compressed"
    );
    // The same page without the cookie is.
    assert!(get(app, "/", "gzip, br").await.encoding.is_some());
    // Assets hold no secret: compressed either way.
    let asset = raw(with_session(&css).send().await.unwrap()).await;
    assert!(asset.encoding.is_some());
}
on_both_backends!(a_signed_in_browsers_pages_are_not_compressed);
