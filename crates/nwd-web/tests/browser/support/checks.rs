//! The checks every page gets: axe-core, no request to another origin, security headers; and
//! no caching of identifiable pages.

use serde_json::Value;

use super::{axe_path, BrowserApp};

impl BrowserApp {
    /// Every check a page gets: axe-core finds no serious or critical violation, every
    /// resource came from this origin, and the security headers are present.
    pub async fn check_page(&self, name: &str) {
        self.check_accessibility(name).await;
        self.check_same_origin(name).await;
        self.check_headers(name).await;
    }

    /// Runs axe-core (injected through WebDriver, which the page's CSP does not govern).
    pub async fn check_accessibility(&self, name: &str) {
        let axe = std::fs::read_to_string(axe_path()).unwrap();
        self.client
            .execute(&format!("{axe}\nreturn true;"), vec![])
            .await
            .unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] })
                   .then(r => done(JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html).slice(0, 3) })))))
                   .catch(e => done(JSON.stringify([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }])));",
                vec![],
            )
            .await
            .unwrap();
        let violations: Value = serde_json::from_str(result.as_str().unwrap()).unwrap();
        let serious: Vec<&Value> = violations
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            serious.is_empty(),
            "{name}: axe-core found serious or critical violations: {}",
            serde_json::to_string_pretty(&serious).unwrap()
        );
    }

    /// Every resource the page loaded (Resource Timing), and every `src`/`href` of an element
    /// that loads something, is on this origin.
    pub async fn check_same_origin(&self, name: &str) {
        let loaded = self
            .client
            .execute(
                "return performance.getEntriesByType('resource').map(e => e.name)
                   .concat(performance.getEntriesByType('navigation').map(e => e.name))
                   .concat(Array.from(document.querySelectorAll('script[src], link[href], img[src], iframe[src], source[src], video[src], audio[src], object[data], embed[src]'))
                     .map(e => e.src || e.href || e.data));",
                vec![],
            )
            .await
            .unwrap();
        let urls: Vec<String> = loaded
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect();
        assert!(!urls.is_empty(), "{name}: nothing was loaded?");
        for url in &urls {
            assert!(
                url.starts_with(&self.base),
                "{name}: a request to another origin: {url}"
            );
        }
        assert!(
            urls.iter()
                .any(|u| u.contains("/assets/nhsuk-frontend.min.css")),
            "{name}: the design system's CSS was not loaded: {urls:?}"
        );
    }

    /// Fetches the current page again, with the browser's cookies, and checks its headers.
    pub async fn check_headers(&self, name: &str) {
        let url = self.client.current_url().await.unwrap();
        let cookies = self.client.get_all_cookies().await.unwrap();
        let cookie = cookies
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = self.http.get(url.as_str());
        if !cookie.is_empty() {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        let headers = response.headers();
        let header = |h: &str| {
            headers
                .get(h)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_else(|| panic!("{name}: no {h} header on {url}"))
        };
        assert_eq!(
            header("content-security-policy"),
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            "{name}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{name}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{name}");
        let cache = header("cache-control");
        assert!(
            cache == "no-store" || cache == "no-cache",
            "{name}: cache-control {cache}"
        );
        assert!(
            header("content-type").starts_with("text/html"),
            "{name}: content type"
        );
    }

    /// Same as [`check_headers`] and says the page must not be stored.
    pub async fn assert_no_store(&self, name: &str) {
        let url = self.client.current_url().await.unwrap();
        let cookies = self.client.get_all_cookies().await.unwrap();
        let cookie = cookies
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
        let response = self
            .http
            .get(url.as_str())
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers().get("cache-control").unwrap(),
            "no-store",
            "{name} shows identifiable data and must not be stored"
        );
    }
}
