//! The public professional referral, one question per page (`/refer`, issues 6 and 17): driven
//! like a browser without JavaScript (the draft's cookie, each `303 See Other` followed, each
//! page's fields sent back with the answers typed), on both databases.

mod back_and_refresh;
mod grouped;
mod questions;
mod urgency;

use reqwest::Method;
use serde_json::Value;

use crate::support::{no_redirects, TestApp};

/// Undoes the template's HTML escaping of attribute values.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The hidden fields in `html`, in order.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let marker = "<input type=\"hidden\" name=\"";
    html.match_indices(marker)
        .map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            let (name, rest) = rest.split_once('"').unwrap();
            let value = rest
                .strip_prefix(" value=\"")
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (unescape(name), unescape(value))
        })
        .collect()
}

/// The value of attribute `name` in one tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    Some(unescape(tag[start..].split('"').next()?))
}

/// What a browser sends from the fields people see in `html` as they are: text inputs, ticked
/// radios and checkboxes, text areas.
fn visible_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for (at, _) in html.match_indices("<input ") {
        let tag = html[at..].split('>').next().unwrap();
        let (Some(kind), Some(name)) = (attribute(tag, "type"), attribute(tag, "name")) else {
            continue;
        };
        let value = attribute(tag, "value").unwrap_or_default();
        let ticked = tag.contains(" checked");
        match kind.as_str() {
            "text" | "tel" | "email" => fields.push((name, value)),
            "radio" | "checkbox" if ticked => fields.push((name, value)),
            _ => {}
        }
    }
    for (at, _) in html.match_indices("<textarea ") {
        let tag = &html[at..];
        let name = attribute(tag.split('>').next().unwrap(), "name").unwrap();
        let text = tag
            .split_once('>')
            .unwrap()
            .1
            .split("</textarea>")
            .next()
            .unwrap();
        fields.push((name, unescape(text)));
    }
    fields
}

/// A browser without JavaScript on the journey: it holds the draft's cookie and follows
/// redirects, as a browser does.
struct Browser<'a> {
    app: &'a TestApp,
    cookie: String,
    /// The address of the page shown.
    at: String,
    page: String,
}

impl<'a> Browser<'a> {
    /// "Start now": a fresh journey (a `303` with the draft's cookie) at its first question.
    async fn start(app: &'a TestApp) -> Browser<'a> {
        Browser::start_at(app, "/refer/questions").await
    }

    /// A fresh journey from `path` (e.g. `/refer/questions?for=advice`).
    async fn start_at(app: &'a TestApp, path: &str) -> Browser<'a> {
        let response = no_redirects()
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{path}");
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let next = location(&response);
        let mut browser = Browser {
            app,
            cookie,
            at: String::new(),
            page: String::new(),
        };
        browser.get(&next).await;
        browser
    }

    /// Opens `path` (following redirects): it must end on a `200`, never cached.
    async fn get(&mut self, path: &str) {
        let mut at = path.to_owned();
        for _ in 0..5 {
            let response = no_redirects()
                .get(format!("{}{at}", self.app.base))
                .header("cookie", &self.cookie)
                .send()
                .await
                .unwrap();
            if response.status() == 303 {
                at = location(&response);
                continue;
            }
            assert_eq!(response.status(), 200, "{at}");
            assert_eq!(response.headers()["cache-control"], "no-store");
            self.at = at;
            self.page = response.text().await.unwrap();
            return;
        }
        panic!("{path}: too many redirects");
    }

    /// The page's `<title>`, without the service name.
    fn title(&self) -> String {
        let start = self.page.find("<title>").unwrap() + "<title>".len();
        unescape(self.page[start..].split(" – No Wrong Door").next().unwrap())
    }

    /// Whether the page shows `text` (compared unescaped).
    fn shows(&self, text: &str) -> bool {
        unescape(&self.page).contains(text)
    }

    /// The main form: its action and hidden fields.
    fn main_form(&self) -> (String, Vec<(String, String)>) {
        let main = &self.page[self.page.find("id=\"maincontent\"").unwrap()..];
        let marker = "<form method=\"post\" action=\"";
        let start = main.find(marker).unwrap() + marker.len();
        let action = unescape(main[start..].split('"').next().unwrap());
        (action, hidden_fields(main))
    }

    /// Whether the error summary links to `#id`.
    fn error_links_to(&self, id: &str) -> bool {
        self.page.contains("nhsuk-error-summary") && self.page.contains(&format!("href=\"#{id}\""))
    }

    /// Posts `pairs` to `path` with the draft's cookie: a `303` is followed to its page, a
    /// `200` (a question with its errors, or the neutral page) shown as it is.
    async fn post(&mut self, path: &str, pairs: &[(String, String)]) {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let response = no_redirects()
            .post(format!("{}{path}", self.app.base))
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        if response.status() == 303 {
            let next = location(&response);
            self.get(&next).await;
            return;
        }
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store");
        self.at = path.to_owned();
        self.page = response.text().await.unwrap();
    }

    /// What "Continue" (or "Send") on this page sends with these answers typed or chosen
    /// (each replacing what the field held).
    fn pairs(&self, answers: &[(&str, &str)], go: &str) -> Vec<(String, String)> {
        let (_, mut pairs) = self.main_form();
        let main = &self.page[self.page.find("id=\"maincontent\"").unwrap()..];
        pairs.extend(
            visible_fields(main)
                .into_iter()
                .filter(|(name, _)| !answers.iter().any(|(k, _)| k == name)),
        );
        pairs.extend(answers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        pairs.push(("go".to_owned(), go.to_owned()));
        pairs
    }

    /// Answers this page's question and selects "Continue": posted to the question's own
    /// address.
    async fn answer(&mut self, answers: &[(&str, &str)]) {
        let (action, _) = self.main_form();
        assert!(
            action.starts_with("/refer/q/"),
            "{action}: {}",
            self.title()
        );
        let pairs = self.pairs(answers, "continue");
        self.post(&action, &pairs).await;
    }

    /// The back link: a plain link (a GET), never a form.
    async fn back(&mut self) {
        let before = &self.page[..self.page.find("id=\"maincontent\"").unwrap()];
        let marker = "<a class=\"nhsuk-back-link nhsuk-u-margin-top-3\" href=\"";
        let start = before.find(marker).expect("a back link") + marker.len();
        let href = unescape(before[start..].split('"').next().unwrap());
        self.get(&href).await;
    }

    /// "Change" on the check page: a link to the question's address with `?change=1`.
    async fn change(&mut self, question: &str) {
        let marker = format!("id=\"change-{question}\" href=\"");
        let start = self.page.find(&marker).expect("a change link") + marker.len();
        let href = unescape(self.page[start..].split('"').next().unwrap());
        assert_eq!(href, format!("/refer/q/{question}?change=1"));
        self.get(&href).await;
    }

    /// What "Send" on the check page posts (to `/refer`).
    fn send_pairs(&self) -> Vec<(String, String)> {
        let (action, _) = self.main_form();
        assert_eq!(action, "/refer");
        self.pairs(&[], "send")
    }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The reference on a confirmation page.
fn reference_in(page: &str) -> String {
    let marker = "id=\"reference\">";
    let start = page.find(marker).expect("a reference") + marker.len();
    page[start..].split('<').next().unwrap().to_owned()
}

const CHECK: &str = "Check your answers before sending";

/// Walks every question with valid answers, checking each page's title, to the check page.
/// `kind` is `referral`, `advice_request` or `both`; `consent` is `yes`, `advice_only` or
/// `not_sought` (then the reason "risk to child" is given).
async fn fill(browser: &mut Browser<'_>, kind: &str, consent: &str) {
    let advice = kind != "referral";
    let needs_title = if advice {
        "What are you worried about, and what has been tried?"
    } else {
        "What is happening, and what has been tried?"
    };
    let mut pages: Vec<(&str, Vec<(&str, &str)>)> =
        vec![("What would you like to do?", vec![("kind", kind)])];
    if kind == "advice_request" {
        pages.push((
            "Can you tell us who the young person is?",
            vec![("identify", "named")],
        ));
    }
    pages.extend([
        ("Where do you work?", vec![("source", "school")]),
        (
            "How can we contact you?",
            vec![
                ("referrer-name", "R. Teacher"),
                ("referrer-role", "Designated safeguarding lead"),
                ("organisation", "St Synthia's Academy"),
                ("referrer-phone", "01632 960 001"),
                ("referrer-email", "dsl@school.example"),
            ],
        ),
        (
            "What is the young person's name?",
            vec![("given-name", "Synthia"), ("family-name", "Testpupil")],
        ),
        (
            "What is their date of birth?",
            vec![("dob-day", "9"), ("dob-month", "4"), ("dob-year", "2011")],
        ),
        ("What is their NHS number?", vec![("nhs-number", "999 000 0018")]),
        ("What is their postcode?", vec![("postcode", "me14 1xx")]),
        (
            "What are you worried about?",
            vec![("reasons", "worries"), ("reasons", "self_harm")],
        ),
        (
            needs_title,
            vec![(
                "needs",
                "Panic attacks in lessons since September.\nSeen by the school counsellor.",
            )],
        ),
        ("How soon is a response needed?", vec![("priority", "urgent")]),
        (
            "Does the young person (or, for a younger child, their family) know about this and agree?",
            vec![("consent", consent)],
        ),
    ]);
    if consent == "not_sought" {
        pages.push((
            "Why have they not been asked, or not agreed?",
            vec![
                ("not-sought-reason", "risk_to_child"),
                ("not-sought-detail", "Disclosure at school about home."),
            ],
        ));
    }
    pages.extend([
        (
            "Who can we contact about the young person?",
            vec![
                ("carer-name", "Pat Testparent"),
                ("carer-relationship", "Mother"),
                ("carer-phone", "01632 960 002"),
                ("carer-safety", "no_messages"),
            ],
        ),
        ("About the young person", vec![("looked_after", "no")]),
    ]);
    for (title, answers) in pages {
        assert_eq!(browser.title(), title);
        assert!(
            browser.page.contains("nhsuk-back-link"),
            "{title}: a back link"
        );
        browser.answer(&answers).await;
    }
    assert_eq!(browser.title(), CHECK);
}

/// The referral and its person, read back through the staff API.
async fn the_referral(app: &TestApp) -> (Value, Value) {
    let found: Value = app
        .staff(Method::GET, "/api/referrals?source=school")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let id = found["items"][0]["id"].as_str().unwrap();
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let person_id = referral["person_id"].as_str().unwrap();
    let person: Value = app
        .staff(Method::GET, &format!("/api/persons/{person_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (referral, person)
}
