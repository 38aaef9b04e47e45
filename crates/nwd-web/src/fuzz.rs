//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz) and for the corpus regression
//! test (`tests/api/fuzz_corpus.rs`), which feeds every committed corpus file through the same
//! functions on stable Rust. Each takes arbitrary bytes, must never panic, and asserts the
//! parser's invariants: errors name a field the request has, and what parses renders and
//! parses back the same. Not part of the supported API.

use axum::extract::Query;
use axum::http::Uri;
use jiff::civil::Date;
use jiff::Timestamp;
use nwd_domain::FieldError;

use crate::extract::parse_json;
use crate::problem::ApiError;
use nwd_api::directory::{service_filter, ServiceSearchParams};
use nwd_api::intake::{referral_intake, self_referral_intake, ReferralInput, SelfReferralInput};
use nwd_api::lists::{PageParams, PeriodParams, RangeParams};
use nwd_api::referrals::{referral_search, SearchParams};
use nwd_pages::form::FormData;
use nwd_pages::public::get_help::{step_html, validate, Step, Who};
use nwd_pages::public::refer_journey::{self, Question};

/// The fixed "today" and "now" the targets check against (inputs must not depend on the clock).
fn today() -> Date {
    jiff::civil::date(2026, 4, 1)
}

fn now() -> Timestamp {
    Timestamp::from_second(1_775_001_600).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A form body posted to `/get-help` or `/refer/questions`: parse → serialise → parse keeps
/// every pair; every step's check names only fields that step asks; every step's page
/// renders, with no more `<script` tags than the same page for an empty form (every answer is
/// escaped).
pub fn form(data: &[u8]) {
    let form = FormData::parse(data);
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form.pairs() {
        serializer.append_pair(name, value);
    }
    let again = FormData::parse(serializer.finish().as_bytes());
    assert_eq!(
        again.pairs(),
        form.pairs(),
        "parse → serialise → parse changed the form"
    );
    for step in Step::ALL {
        let errors = validate(step, &form, today());
        for error in &errors {
            assert!(
                step.fields(Who::of(&form)).contains(&error.id.as_str()),
                "step {} names field {:?}, which it does not ask",
                step.as_str(),
                error.id
            );
            assert!(!error.message.is_empty());
        }
        let html = step_html(step, form.clone(), errors, today());
        let empty = step_html(step, FormData::default(), Vec::new(), today());
        match (html, empty) {
            (Ok(html), Ok(empty)) => assert_eq!(
                html.matches("<script").count(),
                empty.matches("<script").count(),
                "an answer reached the page unescaped"
            ),
            (html, empty) => unreachable!("step page failed: {:?} {:?}", html.err(), empty.err()),
        }
    }
    for question in Question::ALL {
        let errors = refer_journey::validate(question, &form, today());
        for error in &errors {
            assert!(
                question.fields().contains(&error.id.as_str()),
                "question {} names field {:?}, which it does not ask",
                question.as_str(),
                error.id
            );
            assert!(!error.message.is_empty());
        }
        let html = refer_journey::question_html(question, form.clone(), errors);
        let empty = refer_journey::question_html(question, FormData::default(), Vec::new());
        match (html, empty) {
            (Ok(html), Ok(empty)) => assert_eq!(
                html.matches("<script").count(),
                empty.matches("<script").count(),
                "an answer reached the page unescaped"
            ),
            (html, empty) => {
                unreachable!("question page failed: {:?} {:?}", html.err(), empty.err())
            }
        }
    }
}

/// A JSON body for `POST /api/referrals` (first byte even) or `POST /api/self-referrals`
/// (odd): a problem names a field or is a 400; an accepted intake also passes the checks the
/// store makes before writing, or fails them naming a field.
pub fn intake_json(data: &[u8]) {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    let intake = if which % 2 == 0 {
        parse_json::<ReferralInput>(body).and_then(|input| referral_intake(input, now()))
    } else {
        parse_json::<SelfReferralInput>(body)
            .and_then(|input| self_referral_intake(input, now()))
            .map(|(intake, actor)| {
                assert!(actor.is_public());
                intake
            })
    };
    match intake {
        Ok(intake) => {
            assert!(!intake.person.given_name.trim().is_empty());
            assert!(!intake.person.family_name.trim().is_empty());
            let mut errors = nwd_domain::ValidationErrors::new();
            intake.person.validate(today(), "person.", &mut errors);
            intake.referral.validate(now(), &mut errors);
            assert_fields_named(&errors.0);
        }
        Err(ApiError::Invalid(fields)) => {
            assert!(!fields.is_empty(), "a 422 without a field");
            assert_fields_named(&fields);
        }
        Err(ApiError::BadRequest(message)) => assert!(!message.is_empty()),
        Err(other) => unreachable!("intake answered {other:?}"),
    }
}

fn assert_fields_named(fields: &[FieldError]) {
    for field in fields {
        assert!(
            !field.field.is_empty(),
            "an error without a field: {field:?}"
        );
        assert!(
            !field.message.is_empty(),
            "an error without a message: {field:?}"
        );
    }
}

/// A query string for the list and search routes (`/api/referrals`, `/api/services`, the
/// waiting list, waits and measures): it either fails to deserialise (a 400) or its checks
/// name only parameters of that route.
pub fn query_filters(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(uri) = format!("/?{text}").parse::<Uri>() else {
        return;
    };
    const SEARCH: &[&str] = &[
        "status",
        "source",
        "priority",
        "need_group",
        "reason",
        "person_id",
        "nhs_number",
        "received_from",
        "received_to",
        "sort",
        "limit",
        "after",
        "reference",
        "family_name",
        "given_name",
        "date_of_birth",
        "kind",
        "source_group",
    ];
    if let Ok(Query(params)) = Query::<SearchParams>::try_from_uri(&uri) {
        let limit = params.limit;
        match referral_search(params) {
            Ok(search) => {
                if let Some(limit) = limit {
                    assert!((1..=500).contains(&limit) && search.limit == limit);
                }
            }
            Err(error) => assert_only(&error, SEARCH),
        }
    }
    const SERVICES: &[&str] = &[
        "need_group",
        "age",
        "postcode",
        "delivery_mode",
        "organisation_id",
    ];
    if let Ok(Query(params)) = Query::<ServiceSearchParams>::try_from_uri(&uri) {
        match service_filter(params) {
            Ok(filter) => {
                if let Some(age) = filter.age {
                    assert!(nwd_domain::person::SERVED_AGES.contains(&age));
                }
            }
            Err(error) => assert_only(&error, SERVICES),
        }
    }
    let _ = Query::<PageParams>::try_from_uri(&uri);
    let _ = Query::<PeriodParams>::try_from_uri(&uri);
    let _ = Query::<RangeParams>::try_from_uri(&uri);
}

fn assert_only(error: &ApiError, allowed: &[&str]) {
    let ApiError::Invalid(fields) = error else {
        unreachable!("a search answered {error:?}");
    };
    assert!(!fields.is_empty());
    for field in fields {
        assert!(
            allowed.contains(&field.field.as_str()),
            "unknown field {:?}",
            field.field
        );
    }
}
