//! Driving the browser: going to a page, reading it, typing, pressing and following links,
//! and waiting for the next page.

use std::time::Duration;

use fantoccini::Locator;

use super::BrowserApp;

impl BrowserApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Opens `path`.
    pub async fn goto(&self, path: &str) {
        self.client.goto(&self.url(path)).await.unwrap();
    }

    /// The current path.
    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} not found: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// Types into the field with `id` (WebDriver focuses it, then sends key presses).
    pub async fn type_into(&self, id: &str, text: &str) {
        let field = self.client.find(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Marks the current document, so that [`Self::wait_for_new_page`] can tell when the
    /// browser has moved on from it.
    async fn mark_page(&self) {
        self.client
            .execute("window.__nwdOldPage = true; return true;", vec![])
            .await
            .unwrap();
    }

    /// Waits until a new document (not the marked one) has loaded.
    async fn wait_for_new_page(&self) {
        for _ in 0..200 {
            let loaded = self
                .client
                .execute(
                    "return window.__nwdOldPage === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page did not change");
    }

    /// Presses Enter in the field with `id` (submits its form as a keyboard user would) and
    /// waits for the next page.
    pub async fn enter_in(&self, id: &str) {
        self.mark_page().await;
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys("\u{E007}")
            .await
            .unwrap();
        self.wait_for_new_page().await;
    }

    /// Presses Enter on the link with this text and waits for the page it leads to.
    pub async fn follow(&self, text: &str) {
        self.mark_page().await;
        self.client
            .find(Locator::LinkText(text))
            .await
            .unwrap()
            .send_keys("\u{E007}")
            .await
            .unwrap();
        self.wait_for_new_page().await;
    }

    /// Presses Space on the checkbox or radio with `id`.
    pub async fn space_on(&self, id: &str) {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(" ")
            .await
            .unwrap();
    }

    /// Presses Enter on the button or link matching `css` and waits for the next page.
    pub async fn press(&self, css: &str) {
        self.mark_page().await;
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys("\u{E007}")
            .await
            .unwrap();
        self.wait_for_new_page().await;
    }

    /// The page's `<h1>`.
    pub async fn heading(&self) -> String {
        self.text("h1").await.trim().to_owned()
    }
}
