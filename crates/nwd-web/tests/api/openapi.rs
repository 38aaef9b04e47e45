//! The OpenAPI document matches the routes: every documented operation is served, and every
//! operation the API promises is documented. One file on purpose: most of it is the two lists
//! of promised operations, which are read together.

use reqwest::Method;
use serde_json::Value;

use crate::on_both_backends;
use crate::support::TestApp;

/// Operations the API promises (issue 3). Adding a route without documenting it, or
/// documenting one that is not served, fails this test.
const EXPECTED: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("post", "/api/referrals"),
    ("get", "/api/referrals"),
    ("post", "/api/self-referrals"),
    ("get", "/api/referrals/{id}"),
    ("get", "/api/referrals/{id}/events"),
    ("get", "/api/referrals/{id}/waits"),
    ("post", "/api/referrals/{id}/competence"),
    ("post", "/api/referrals/{id}/triage"),
    ("post", "/api/referrals/{id}/allocations"),
    ("post", "/api/referrals/{id}/contacts"),
    ("post", "/api/referrals/{id}/outcomes"),
    ("get", "/api/referrals/{id}/outcomes"),
    ("post", "/api/referrals/{id}/measure-links"),
    ("post", "/api/referrals/{id}/goals"),
    ("post", "/api/referrals/{id}/outcomes/fhir"),
    ("get", "/api/referrals/{id}/outcomes/{number}/fhir"),
    ("get", "/api/outcome-measures"),
    ("get", "/api/outcome-measures/{code}/questionnaire"),
    ("put", "/api/outcome-measures/{code}/item-text"),
    ("delete", "/api/outcome-measures/{code}/item-text"),
    ("post", "/api/referrals/{id}/contacts/{contact_id}/outcome"),
    ("post", "/api/referrals/{id}/step"),
    ("post", "/api/referrals/{id}/transition"),
    ("post", "/api/referrals/{id}/transition-plan"),
    (
        "post",
        "/api/referrals/{id}/allocations/{allocation_id}/discharge",
    ),
    ("post", "/api/referrals/{id}/decline"),
    ("post", "/api/referrals/{id}/urgency"),
    ("get", "/api/persons/{id}"),
    ("get", "/api/organisations"),
    ("post", "/api/organisations"),
    ("get", "/api/organisations/{id}"),
    ("put", "/api/organisations/{id}"),
    ("get", "/api/services"),
    ("post", "/api/services"),
    ("get", "/api/services/{id}"),
    ("put", "/api/services/{id}"),
    ("get", "/api/services/{id}/waiting-list"),
    ("get", "/api/services/{id}/waits"),
    ("get", "/api/transitions"),
    ("get", "/api/match-reviews"),
    ("get", "/api/match-reviews/{id}"),
    ("post", "/api/match-reviews/{id}/decision"),
    ("post", "/api/persons/{id}/merge"),
    ("post", "/api/persons/{id}/not-same"),
    ("get", "/api/persons/{id}/history"),
    ("post", "/api/person-merges/{id}/unmerge"),
    ("get", "/api/measures/access"),
    ("get", "/api/measures/outcomes"),
    ("post", "/api/session"),
    ("get", "/api/session"),
    ("delete", "/api/session"),
    ("post", "/api/persons/{id}/break-glass"),
    ("get", "/api/audit/persons/{id}"),
    ("get", "/api/audit/users/{id}"),
    ("get", "/api/audit/verify"),
    ("get", "/api/privacy/break-glass"),
    ("post", "/api/privacy/break-glass/{id}/review"),
    ("get", "/api/referrals/sent"),
    // Web pages (issue 6).
    ("get", "/assets/{*path}"),
    ("get", "/"),
    ("get", "/urgent-help"),
    ("get", "/privacy-notice"),
    ("get", "/accessibility"),
    ("get", "/cookies"),
    ("get", "/contact"),
    ("get", "/get-help"),
    ("post", "/get-help/q/{step}"),
    ("get", "/get-help/q/{step}"),
    ("get", "/get-help/done"),
    ("get", "/find-support"),
    ("get", "/find-support/services/{id}"),
    ("get", "/staff"),
    ("get", "/staff/sign-in"),
    ("post", "/staff/sign-in"),
    // One-click demonstration sign-in: refuses (404) unless the database was made by the
    // demo (issue 17).
    ("post", "/staff/sign-in/demo"),
    ("get", "/staff/oidc/{provider}"),
    ("get", "/staff/oidc/{provider}/callback"),
    ("post", "/staff/sign-out"),
    ("get", "/staff/triage"),
    ("get", "/staff/search"),
    ("get", "/staff/referrals/{id}"),
    ("post", "/staff/referrals/{id}/triage"),
    ("post", "/staff/referrals/{id}/allocate"),
    ("post", "/staff/referrals/{id}/contacts"),
    ("get", "/staff/referrals/{id}/outcomes/new"),
    ("post", "/staff/referrals/{id}/outcomes"),
    ("get", "/staff/referrals/{id}/measure-links/new"),
    ("get", "/staff/referrals/{id}/goals/new"),
    ("post", "/staff/referrals/{id}/goals"),
    ("post", "/staff/referrals/{id}/measure-links"),
    ("get", "/measure/{token}"),
    ("post", "/measure/{token}"),
    ("get", "/measure/done"),
    ("post", "/staff/referrals/{id}/step"),
    ("post", "/staff/referrals/{id}/discharge"),
    ("get", "/staff/referrals/{id}/about"),
    ("post", "/staff/referrals/{id}/about"),
    ("get", "/staff/services"),
    ("get", "/staff/services/{id}"),
    ("get", "/staff/transitions"),
    ("get", "/staff/crisis"),
    ("get", "/staff/risk-reviews"),
    ("post", "/staff/referrals/{id}/urgency"),
    ("get", "/staff/match-reviews"),
    ("get", "/staff/match-reviews/{id}"),
    ("post", "/staff/match-reviews/{id}/decision"),
    // Status links, the parent or carer journey, professional referrals (issue 6).
    ("get", "/api/status/{token}"),
    ("get", "/status/{token}"),
    ("get", "/get-help/parent-carer"),
    ("get", "/refer"),
    ("post", "/refer"),
    ("get", "/refer/advice"),
    ("get", "/refer/questions"),
    ("get", "/refer/q/{question}"),
    ("post", "/refer/q/{question}"),
    ("get", "/refer/done"),
    ("get", "/staff/refer"),
    ("post", "/staff/refer"),
    ("get", "/staff/referrals-sent"),
    // Commissioner pages (issues 6 and 7).
    ("get", "/commissioning"),
    ("get", "/commissioning/download"),
    ("get", "/commissioning/simulate"),
    ("post", "/commissioning/simulate"),
    ("get", "/commissioning/money"),
    ("get", "/api/commissioning"),
    ("put", "/api/commissioning"),
    ("get", "/api/commissioning/contracts/{key}/statement"),
    ("get", "/api/commissioning/reports/quarterly"),
    ("get", "/commissioning/reports/quarterly"),
    ("get", "/commissioning/reports/quarterly.csv"),
    ("get", "/commissioning/plan"),
    ("get", "/commissioning/plan.csv"),
    ("get", "/commissioning/money/edit"),
    ("post", "/commissioning/money/edit"),
    ("get", "/commissioning/money/history"),
    ("get", "/commissioning/money/history/{version}"),
    ("get", "/commissioning/money/history/{version}/restore"),
    ("post", "/commissioning/money/history/{version}/restore"),
    ("get", "/commissioning/money/agreements/{key}/vary"),
    ("post", "/commissioning/money/agreements/{key}/vary"),
    ("get", "/commissioning/plan/{year}/milestones/{number}"),
    ("post", "/commissioning/plan/{year}/milestones/{number}"),
    (
        "get",
        "/commissioning/plan/{year}/declarations/{declaration}/staff/{line}",
    ),
    (
        "post",
        "/commissioning/plan/{year}/declarations/{declaration}/staff/{line}",
    ),
    ("get", "/commissioning/contracts/{key}"),
    ("get", "/commissioning/contracts/{key}/statement.csv"),
    ("get", "/commissioning/contracts/{key}/value"),
    ("post", "/commissioning/contracts/{key}/value"),
    ("get", "/commissioning/contracts/{key}/kpis/{number}"),
    ("post", "/commissioning/contracts/{key}/kpis/{number}"),
    ("get", "/commissioning/need"),
    ("get", "/commissioning/need.csv"),
    ("get", "/commissioning/need/population"),
    ("post", "/commissioning/need/population"),
    ("get", "/api/commissioning/need"),
    ("put", "/api/commissioning/population"),
    // Young people's confidentiality and the privacy officer (issue 5).
    ("get", "/api/persons/{id}/competence-assessments"),
    ("post", "/api/persons/{id}/competence-assessments"),
    ("post", "/api/persons/{id}/carers"),
    ("post", "/api/persons/{id}/parent-access-decisions"),
    (
        "post",
        "/api/persons/{id}/parent-access-decisions/{decision}/withdraw",
    ),
    ("post", "/api/persons/{id}/safeguarding-overrides"),
    ("post", "/api/referrals/{id}/not-for-parent"),
    ("post", "/api/referrals/{id}/parent-contact-decisions"),
    ("get", "/api/referrals/{id}/parent-contact"),
    ("get", "/api/persons/{id}/parent-view"),
    ("get", "/api/audit/persons/{id}/export"),
    ("get", "/api/privacy/safeguarding-overrides"),
    ("post", "/api/privacy/safeguarding-overrides/{id}/review"),
    // The privacy officer's pages (issue 5).
    ("get", "/staff/privacy"),
    ("get", "/staff/privacy/person-access"),
    ("get", "/staff/privacy/referrals-without-consent"),
    ("get", "/staff/privacy/person-access/download"),
    ("get", "/staff/privacy/user-access"),
    ("get", "/staff/privacy/user-access/download"),
    ("get", "/staff/privacy/reviews"),
    ("post", "/staff/privacy/break-glass/{id}/review"),
    ("post", "/staff/privacy/safeguarding-overrides/{id}/review"),
    // Administration: accounts (API and pages), the service directory, the standards (issue 6).
    ("get", "/api/admin/users"),
    ("post", "/api/admin/users"),
    ("get", "/api/admin/users/{id}"),
    ("post", "/api/admin/users/{id}/disable"),
    ("post", "/api/admin/users/{id}/memberships"),
    ("post", "/api/admin/users/{id}/memberships/remove"),
    ("get", "/api/admin/teams"),
    ("post", "/api/admin/users/{id}/tokens"),
    ("post", "/api/admin/users/{id}/tokens/{token_id}/revoke"),
    ("get", "/api/admin/role-grants"),
    ("post", "/api/admin/role-grants/{id}/approve"),
    ("post", "/api/admin/role-grants/{id}/refuse"),
    ("post", "/api/account/tokens"),
    ("post", "/api/admin/teams"),
    ("get", "/api/admin/teams/{id}"),
    ("post", "/api/admin/teams/{id}/members"),
    ("post", "/api/admin/teams/{id}/members/remove"),
    ("get", "/staff/admin/users"),
    ("get", "/staff/admin/users/new"),
    ("post", "/staff/admin/users"),
    ("get", "/staff/admin/users/{id}"),
    ("get", "/staff/admin/users/{id}/oidc"),
    ("post", "/staff/admin/users/{id}/oidc"),
    ("post", "/staff/admin/users/{id}/oidc/remove"),
    ("post", "/staff/admin/users/{id}/memberships"),
    ("post", "/staff/admin/users/{id}/memberships/remove"),
    ("post", "/staff/admin/users/{id}/disable"),
    // A real install's first sign-in (issue 17).
    ("get", "/staff/admin/users/{id}/set-up"),
    // "Are you sure?" before destructive administration (issue 17).
    ("get", "/staff/admin/users/{id}/disable"),
    ("get", "/staff/admin/users/{id}/memberships/remove"),
    ("get", "/staff/admin/users/{id}/tokens/revoke"),
    ("get", "/staff/admin/users/{id}/oidc/remove"),
    ("get", "/staff/admin/role-grants/{id}/refuse"),
    ("get", "/staff/admin/teams/{id}/members/remove"),
    ("get", "/staff/admin/services/{id}/standards/reset"),
    ("get", "/staff/change-password"),
    ("post", "/staff/change-password"),
    ("post", "/api/session/password"),
    ("post", "/staff/admin/users/{id}/tokens"),
    ("post", "/staff/admin/users/{id}/tokens/revoke"),
    ("post", "/staff/admin/role-grants/{id}/approve"),
    ("post", "/staff/admin/role-grants/{id}/refuse"),
    ("get", "/staff/admin/services"),
    ("get", "/staff/admin/services/new"),
    ("post", "/staff/admin/services"),
    ("get", "/staff/admin/services/{id}"),
    ("post", "/staff/admin/services/{id}"),
    ("get", "/staff/admin/services/{id}/standards"),
    ("get", "/staff/admin/measures"),
    ("get", "/staff/admin/measures/{code}"),
    ("post", "/staff/admin/measures/{code}"),
    ("post", "/staff/admin/measures/{code}/remove"),
    ("get", "/staff/admin/measures/{code}/remove"),
    ("post", "/staff/admin/services/{id}/standards"),
    ("post", "/staff/admin/services/{id}/standards/reset"),
    // A service's local offer (issue 17).
    ("get", "/staff/admin/services/{id}/offer"),
    ("post", "/staff/admin/services/{id}/offer"),
    ("get", "/staff/admin/teams"),
    ("get", "/staff/admin/teams/new"),
    ("post", "/staff/admin/teams"),
    ("get", "/staff/admin/teams/{id}"),
    ("post", "/staff/admin/teams/{id}/members"),
    ("post", "/staff/admin/teams/{id}/members/remove"),
    ("get", "/staff/standards"),
    // Destinations from the referral page (issue 14).
    ("post", "/staff/referrals/{id}/decline"),
    ("post", "/staff/referrals/{id}/transition"),
    ("post", "/staff/referrals/{id}/transition-plan"),
    ("get", "/staff/referrals/{id}/outcome"),
];

/// The public allow-list: exactly these routes answer without sign-in.
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("post", "/api/session"),
    ("post", "/api/self-referrals"),
    ("get", "/api/organisations"),
    ("get", "/api/organisations/{id}"),
    ("get", "/api/services"),
    ("get", "/api/services/{id}"),
    // Web pages (issue 6): nothing identifiable without sign-in.
    ("get", "/assets/{*path}"),
    ("get", "/"),
    ("get", "/urgent-help"),
    ("get", "/privacy-notice"),
    ("get", "/accessibility"),
    ("get", "/cookies"),
    ("get", "/contact"),
    ("get", "/get-help"),
    ("post", "/get-help/q/{step}"),
    ("get", "/get-help/q/{step}"),
    ("get", "/get-help/done"),
    ("get", "/find-support"),
    ("get", "/find-support/services/{id}"),
    ("get", "/staff"),
    ("get", "/staff/sign-in"),
    ("post", "/staff/sign-in"),
    ("post", "/staff/sign-in/demo"),
    ("get", "/staff/oidc/{provider}"),
    ("get", "/staff/oidc/{provider}/callback"),
    // Private status links (unguessable token, rate limited), the parent or carer journey and
    // the professional referral form (issue 6).
    ("get", "/api/status/{token}"),
    ("get", "/status/{token}"),
    ("get", "/get-help/parent-carer"),
    ("get", "/refer"),
    ("post", "/refer"),
    ("get", "/refer/advice"),
    ("get", "/refer/questions"),
    ("get", "/refer/q/{question}"),
    ("post", "/refer/q/{question}"),
    ("get", "/refer/done"),
    // One-time links to complete an outcome measure (unguessable token, single-use, expiring,
    // rate limited; issue 19).
    ("get", "/measure/{token}"),
    ("post", "/measure/{token}"),
    ("get", "/measure/done"),
];

/// Deny by default: every documented operation has a policy, and the public ones are
/// exactly the allow-list; every other route refuses a caller who is not signed in.
async fn every_route_declares_a_policy_and_only_the_allow_list_is_public(app: &TestApp) {
    use nwd_domain::authz::Policy;
    let policies = nwd_web::secure_routes().into_parts().1;
    let mut with_policy: Vec<(String, String)> = policies
        .iter()
        .map(|p| (p.method.clone(), p.path.clone()))
        .collect();
    with_policy.sort();
    let mut expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(
        with_policy, expected,
        "a route without a policy, or a policy without a route"
    );
    let mut public: Vec<(String, String)> = policies
        .iter()
        .filter(|p| p.policy == Policy::Public)
        .map(|p| (p.method.clone(), p.path.clone()))
        .collect();
    public.sort();
    let mut allow: Vec<(String, String)> = PUBLIC
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    allow.sort();
    assert_eq!(public, allow, "the public allow-list changed");
    for policy in policies.iter().filter(|p| p.policy != Policy::Public) {
        let concrete = policy
            .path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{contact_id}", "x")
            .replace("{allocation_id}", "x")
            .replace("{token_id}", "x");
        let method = Method::from_bytes(policy.method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .public(method, &concrete)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        // Staff pages send a browser to the sign-in page instead (reqwest follows the 303).
        let want = if policy.method == "get"
            && (policy.path.starts_with("/staff/") || policy.path.starts_with("/commissioning"))
        {
            200
        } else {
            401
        };
        let landed = response.url().path().to_owned();
        assert_eq!(
            response.status(),
            want,
            "{} {} answered without sign-in",
            policy.method,
            policy.path
        );
        if want == 200 {
            assert_eq!(
                landed, "/staff/sign-in",
                "{} {}",
                policy.method, policy.path
            );
        }
    }
}
on_both_backends!(every_route_declares_a_policy_and_only_the_allow_list_is_public);

async fn every_route_is_documented_and_served(app: &TestApp) {
    let doc: Value = app
        .public(Method::GET, "/api/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            // OpenAPI writes axum's catch-all `{*path}` as `{path}` (openapi_responses.rs).
            documented.push((method.clone(), path.replace("{path}", "{*path}")));
            assert!(
                operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()),
                "{method} {path} documents no responses"
            );
        }
    }
    documented.sort();
    let mut expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(
        documented, expected,
        "documented operations differ from the API's operations"
    );

    // Every documented operation is routed: a request reaches a handler rather than the
    // no-route fallback (a handler may still answer 404 for an unknown id, but with a
    // different problem detail) and never 405.
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{contact_id}", "x")
            .replace("{allocation_id}", "x")
            .replace("{token_id}", "x");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .staff(method.clone(), &concrete)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), 405, "{method} {path}");
        let text = response.text().await.unwrap();
        assert!(
            !text.contains("there is no route"),
            "{method} {path} is documented but not routed: {text}"
        );
    }
    // And an undocumented path really does hit the fallback, so the check above can fail.
    let missing = app
        .staff(Method::GET, "/api/nothing-here")
        .send()
        .await
        .unwrap();
    assert!(missing.text().await.unwrap().contains("there is no route"));
}
on_both_backends!(every_route_is_documented_and_served);

async fn health_says_ok_and_nothing_about_the_engine(app: &TestApp) {
    let body: Value = app
        .public(Method::GET, "/healthz")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok"}));
    let text = body.to_string().to_lowercase();
    assert!(
        !text.contains("sqlite") && !text.contains("postgres"),
        "{text}"
    );
}
on_both_backends!(health_says_ok_and_nothing_about_the_engine);

/// The document says what the guard answers (found by `scripts/api-fuzz`): every signed-in
/// route documents 401, 403 and 503, every JSON API error is `application/problem+json`, a
/// page route's 403 (and 404 when scoped) is an HTML page, and no path template holds axum's
/// `{*catch-all}` (not valid OpenAPI). The answers themselves are what is documented, so the
/// document is right and not only complete.
async fn the_document_lists_the_guards_problem_answers(app: &TestApp) {
    use nwd_domain::authz::Policy;
    let doc: Value = app
        .public(Method::GET, "/api/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(
        paths.keys().all(|p| !p.contains("{*")),
        "catch-all in a path"
    );
    for policy in nwd_web::secure_routes().into_parts().1 {
        let path = policy.path.replace("{*", "{");
        let responses = doc["paths"][&path][&policy.method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{} {path} not documented", policy.method));
        let api = path.starts_with("/api/") || path == "/healthz";
        if policy.policy != Policy::Public {
            for status in ["401", "503"] {
                assert!(
                    responses[status]["content"]["application/problem+json"].is_object(),
                    "{} {path} does not document {status} as problem+json",
                    policy.method
                );
            }
            let (want, not) = if api {
                ("application/problem+json", "text/html")
            } else {
                ("text/html", "application/problem+json")
            };
            assert!(
                responses["403"]["content"][want].is_object()
                    && responses["403"]["content"].get(not).is_none(),
                "{} {path} does not document 403 as {want} only",
                policy.method
            );
        }
        if let Policy::Requires(_, scope) = policy.policy {
            if scope != nwd_domain::authz::Scope::None && !api {
                assert!(
                    responses["404"]["content"]["text/html"].is_object(),
                    "{} {path} does not document its 404 as a page",
                    policy.method
                );
            }
        }
        if path.starts_with("/api/") {
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"].get("application/json").is_none(),
                        "{} {path} documents {status} as application/json",
                        policy.method
                    );
                }
            }
        }
    }
    let answer = app
        .public(Method::GET, "/api/transitions")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(
        answer.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    // A page's 403 is a page; the API's is problem+json (a commissioner may open neither).
    let user = app
        .store
        .create_user(
            nwd_store::auth::NewUser {
                username: "doc.commissioner".into(),
                display_name: "Doc".into(),
                organisation_id: app.store.teams().await.unwrap()[0].organisation_id.clone(),
                password: None,
                memberships: vec![(
                    app.store.teams().await.unwrap()[0].id.clone(),
                    nwd_domain::authz::Role::Commissioner,
                )],
            },
            "test",
        )
        .await
        .unwrap();
    let token = app
        .store
        .create_api_token(&user.id, "t", &crate::support::all_scopes())
        .await
        .unwrap()
        .1;
    for (path, media) in [
        ("/staff/triage", "text/html; charset=utf-8"),
        ("/api/referrals", "application/problem+json"),
    ] {
        let answer = app
            .as_token(&token, Method::GET, path)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 403, "{path}");
        assert_eq!(
            answer.headers()["content-type"].to_str().unwrap(),
            media,
            "{path}"
        );
    }
}
on_both_backends!(the_document_lists_the_guards_problem_answers);

/// The document declares how callers authenticate (the session cookie with its CSRF header,
/// and bearer API tokens), and every signed-in operation names them; public ones name none.
async fn the_document_declares_its_security_schemes(app: &TestApp) {
    let doc: Value = app
        .public(Method::GET, "/api/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session_cookie"]["type"], "apiKey", "{schemes}");
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["session_cookie"]["name"], "__Host-nwd_session");
    assert_eq!(schemes["bearer_token"]["type"], "http");
    assert_eq!(schemes["bearer_token"]["scheme"], "bearer");
    let referrals = &doc["paths"]["/api/referrals"]["post"]["security"];
    let names: Vec<String> = referrals
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_object().unwrap().keys().cloned())
        .collect();
    assert!(names.contains(&"session_cookie".to_owned()), "{referrals}");
    assert!(names.contains(&"bearer_token".to_owned()), "{referrals}");
    assert!(
        doc["paths"]["/api/self-referrals"]["post"]["security"].is_null()
            || doc["paths"]["/api/self-referrals"]["post"]["security"] == serde_json::json!([])
    );
}
on_both_backends!(the_document_declares_its_security_schemes);
