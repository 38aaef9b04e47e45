//! The young person's and the parent's or carer's journeys as plain HTTP (issue 17):
//! post/redirect/get with a server-side draft. Every answer is a `303 See Other` to a GET
//! question page; a missing or expired draft gets the friendly "start again" page; a refreshed
//! confirmation sends nothing; a draft too big is refused with a message and nothing written;
//! and every page says when someone will be in touch, from the configured standard.
//!
//! [`Journey`] drives a journey the way a browser does (the draft's cookie, following each
//! `303`), for these tests and the others that send a request through the pages.

use reqwest::{Response, StatusCode};

use crate::on_both_backends;
use crate::support::{no_redirects, TestApp};

/// The draft's cookie (`pages::public::journey_draft::DRAFT_COOKIE`).
const COOKIE: &str = "__Secure-nwd_draft";

/// A journey under way: the draft's cookie, as the browser holds it.
pub(crate) struct Journey<'a> {
    app: &'a TestApp,
    cookie: String,
    /// The first question's address.
    pub first: String,
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

impl<'a> Journey<'a> {
    /// Starts a journey at `path` (`/get-help`, `/get-help/parent-carer` or
    /// `/refer/questions`): a `303` to the first question, with the draft's cookie, scoped to
    /// the journey's path.
    pub(crate) async fn start(app: &'a TestApp, path: &str) -> Journey<'a> {
        let response = no_redirects()
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let set = response
            .headers()
            .get("set-cookie")
            .expect("a draft cookie")
            .to_str()
            .unwrap()
            .to_owned();
        let scope = if path.starts_with("/refer") {
            "Path=/refer"
        } else {
            "Path=/get-help"
        };
        for attribute in ["HttpOnly", "SameSite=Lax", "Secure", scope] {
            assert!(set.contains(attribute), "{set} lacks {attribute}");
        }
        let cookie = set.split(';').next().unwrap().to_owned();
        assert!(cookie.starts_with(&format!("{COOKIE}=")), "{cookie}");
        Journey {
            app,
            first: location(&response),
            cookie,
        }
    }

    /// A GET with the draft's cookie (no redirect followed).
    pub(crate) async fn get(&self, path: &str) -> Response {
        no_redirects()
            .get(format!("{}{path}", self.app.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    /// The page at `path`, which must answer 200.
    pub(crate) async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        text
    }

    /// Posts `pairs` to `path` with the draft's cookie (no redirect followed).
    pub(crate) async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Response {
        no_redirects()
            .post(format!("{}{path}", self.app.base))
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(pairs))
            .send()
            .await
            .unwrap()
    }

    /// Answers question after question from `pairs` (each page takes its own fields from
    /// them), from the first, until the question at `stop` (e.g. `/get-help/q/check`); its
    /// page. Each answer must be a `303` to a GET question page; the safety question's
    /// interruption is passed with its "Continue" link. A page answered with an error is
    /// returned as it is.
    pub(crate) async fn answer_until(&self, stop: &str, pairs: &[(&str, &str)]) -> String {
        let mut at = self.first.clone();
        for _ in 0..20 {
            if at == stop {
                return self.page(&at).await;
            }
            if at.contains("help=now") {
                let page = self.page(&at).await;
                at = attribute_after(&page, "id=\"continue-after-safety\" href=\"");
                continue;
            }
            let response = self.post(&at, pairs).await;
            if response.status() != StatusCode::SEE_OTHER {
                return response.text().await.unwrap();
            }
            let next = location(&response);
            assert!(
                next.starts_with("/get-help/q/") || next.starts_with("/refer/q/"),
                "{at} → {next}"
            );
            at = next;
        }
        panic!("{stop} never reached");
    }

    /// Answers every question from `pairs`, then "Send" on the check page (with the
    /// honeypot's value from `pairs`, if any); the page the send ends on (the confirmation,
    /// after its `303`).
    pub(crate) async fn send(&self, pairs: &[(&str, &str)]) -> String {
        self.answer_until("/get-help/q/check", pairs).await;
        let honeypot = pairs
            .iter()
            .find(|(k, _)| *k == "website")
            .map(|(_, v)| *v)
            .unwrap_or("");
        let response = self
            .post(
                "/get-help/q/check",
                &[("website", honeypot), ("go", "send")],
            )
            .await;
        if response.status() != StatusCode::SEE_OTHER {
            return response.text().await.unwrap();
        }
        assert_eq!(location(&response), "/get-help/done");
        self.page("/get-help/done").await
    }
}

/// The value of the attribute whose text ends `marker`.
pub(crate) fn attribute_after(page: &str, marker: &str) -> String {
    let start = page
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {page}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// A young person's answers, every question.
pub(crate) fn young_person_answers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("website", ""),
        ("dob-day", "9"),
        ("dob-month", "4"),
        ("dob-year", "2011"),
        ("given-name", "Safia"),
        ("family-name", "Testyoung"),
        ("postcode", "ME14 1XX"),
        ("reasons", "anxiety"),
        ("safety-thoughts", "no"),
        ("safety-harmed", "no"),
        ("happening", "Synthetic: I feel panicky at school."),
        ("phone", "07700 900 982"),
        ("share", "gp"),
        ("gp_practice", "Synthetic Surgery"),
        ("school", "Synthetic Academy"),
        ("understood", "yes"),
    ]
}

/// Each answer is a `303 See Other` to the next question's GET address, which shows the
/// answers kept; Back (a GET of an earlier question) shows them too, and nothing is sent
/// until "Send".
async fn each_answer_is_a_303_to_a_get_question_that_keeps_the_answers(app: &TestApp) {
    let journey = Journey::start(app, "/get-help").await;
    assert_eq!(journey.first, "/get-help/q/date-of-birth");
    let first = journey.page(&journey.first).await;
    assert!(first.contains("What is your date of birth?"));
    // The first page says who will see what, and when someone will be in touch.
    assert!(first.contains("Who will see what you tell us"), "{first}");
    assert!(first.contains("within 5 days"), "{first}");
    assert!(
        !first.contains("name=\"journey\""),
        "no answers in hidden fields"
    );

    let response = journey
        .post(
            "/get-help/q/date-of-birth",
            &[("dob-day", "9"), ("dob-month", "4"), ("dob-year", "2011")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/get-help/q/name");
    // Back: the earlier question, by GET, with its answer.
    let back = journey.page("/get-help/q/date-of-birth").await;
    assert!(back.contains("value=\"2011\""), "{back}");
    // A wrong answer: the same question with its error in the post's answer, not saved.
    let response = journey
        .post(
            "/get-help/q/name",
            &[("given-name", ""), ("family-name", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Enter your first name"));
    let name = journey.page("/get-help/q/name").await;
    assert!(
        name.contains("href=\"/get-help/q/date-of-birth\""),
        "a GET back link"
    );

    let check = journey
        .answer_until("/get-help/q/check", &young_person_answers())
        .await;
    assert!(
        check.contains("Check your answers before sending"),
        "{check}"
    );
    assert!(check.contains("Safia Testyoung"));
    // Which GP practice and school, asked with who we may talk to, shown to check.
    let sharing = journey.page("/get-help/q/sharing").await;
    assert!(
        sharing.contains("Which GP practice and school?"),
        "{sharing}"
    );
    assert!(sharing.contains("value=\"Synthetic Surgery\""));
    assert!(check.contains("Synthetic Surgery") && check.contains("Synthetic Academy"));
    assert!(check.contains("within 5 days"), "the check page's promise");
    assert!(check.contains("href=\"/get-help/q/postcode?change=1\""));
    assert_eq!(app.count("referrals").await, 0, "nothing sent yet");
    // Changing an answer comes back to the check page.
    let response = journey
        .post(
            "/get-help/q/postcode",
            &[("postcode", "ME15 6AA"), ("changing", "1")],
        )
        .await;
    assert_eq!(location(&response), "/get-help/q/check");
    assert!(journey.page("/get-help/q/check").await.contains("ME15 6AA"));
}
on_both_backends!(each_answer_is_a_303_to_a_get_question_that_keeps_the_answers);

/// No draft behind the cookie (none, unknown, or idle past its lifetime): the friendly page,
/// never an error dump, and nothing written.
async fn a_missing_or_expired_draft_gets_the_friendly_start_again_page(app: &TestApp) {
    for cookie in [
        None,
        Some(format!("{COOKIE}=00000000000000000000000000000000")),
        Some(format!("{COOKIE}=not-a-draft")),
    ] {
        let mut request = no_redirects().get(format!("{}/get-help/q/name", app.base));
        if let Some(cookie) = &cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::GONE);
        let page = response.text().await.unwrap();
        assert!(page.contains("Your answers have expired"), "{page}");
        assert!(page.contains("href=\"/get-help\""), "start again");
    }
    let journey = Journey::start(app, "/get-help/parent-carer").await;
    assert_eq!(journey.first, "/get-help/q/relationship");
    let first = journey.page(&journey.first).await;
    assert!(
        first.contains("unless we are worried that your child"),
        "{first}"
    );
    app.advance_clock(jiff::SignedDuration::from_mins(121));
    let response = journey
        .post(
            "/get-help/q/relationship",
            &[("relationship", "foster_carer")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Your answers have expired"));
    assert_eq!(app.count("referrals").await, 0);
}
on_both_backends!(a_missing_or_expired_draft_gets_the_friendly_start_again_page);

/// The send is a `303` to the confirmation; refreshing it (or sending again) shows the same
/// reference and makes no second referral; the draft's answers are gone.
async fn a_refreshed_confirmation_makes_no_second_referral(app: &TestApp) {
    let journey = Journey::start(app, "/get-help").await;
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let done = journey.send(&young_person_answers()).await;
    assert!(done.contains("Your request has been sent"), "{done}");
    assert!(done.contains("within 5 days"), "the confirmation's promise");
    let reference = attribute_after(&done, "<strong id=\"reference\">");
    let reference = reference.split('<').next().unwrap().to_owned();
    assert!(reference.starts_with("NWD-"), "{reference}");
    assert_eq!(app.count("referrals").await, 1);

    let again = journey.page("/get-help/done").await;
    assert!(again.contains(&reference));
    assert!(
        again.contains("id=\"status-link\""),
        "the link is shown again"
    );
    let response = journey
        .post("/get-help/q/check", &[("website", ""), ("go", "send")])
        .await;
    assert_eq!(location(&response), "/get-help/done");
    // Back to a question after sending: the confirmation, not the answers.
    assert_eq!(
        location(&journey.get("/get-help/q/name").await),
        "/get-help/done"
    );
    assert_eq!(app.count("referrals").await, 1);
    let answers: i64 = app
        .store
        .count_rows("journey_drafts")
        .await
        .expect("drafts");
    assert_eq!(answers, 1, "the sent draft keeps only its confirmation");
}
on_both_backends!(a_refreshed_confirmation_makes_no_second_referral);

/// A draft bigger than a draft may keep (64 KiB as stored): the question again with a
/// message naming the field, 413, and the draft as it was.
async fn an_oversized_draft_is_refused_with_a_clear_message_and_nothing_written(app: &TestApp) {
    let journey = Journey::start(app, "/get-help").await;
    journey
        .answer_until("/get-help/q/safety", &young_person_answers())
        .await;
    let id = journey.cookie.split('=').nth(1).unwrap().to_owned();
    let before = app
        .store
        .read_draft(&id, "get-help")
        .await
        .unwrap()
        .unwrap();
    // 4,000 ticks of one box: under the 64 KiB body limit as a form, over 64 KiB as kept.
    let ticks = vec![("reasons", "anxiety"); 4000];
    let response = journey.post("/get-help/q/help-with", &ticks).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = response.text().await.unwrap();
    assert!(page.contains("too long for us to keep"), "{page}");
    assert!(
        page.contains("href=\"#reasons\""),
        "the field is named: {page}"
    );
    let after = app
        .store
        .read_draft(&id, "get-help")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, before, "nothing written");
    assert_eq!(app.count("referrals").await, 0);
}
on_both_backends!(an_oversized_draft_is_refused_with_a_clear_message_and_nothing_written);
