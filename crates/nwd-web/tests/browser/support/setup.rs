//! Setting up through the API and the store: services, clinicians, signing in; the single
//! point of access team every app starts with.

use nwd_store::Store;
use serde_json::{json, Value};

use super::{BrowserApp, StaffUser};

impl BrowserApp {
    /// A request to the JSON API as the coordinator.
    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    /// Adds a service to the directory; returns its id.
    pub async fn service(
        &self,
        name: &str,
        kind: &str,
        need_groups: &[&str],
        ages: (i64, i64),
        self_referral: bool,
    ) -> String {
        let org: Value = self
            .api(reqwest::Method::POST, "/api/organisations")
            .json(&json!({"name": format!("{name} provider"), "kind": kind}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let response = self
            .api(reqwest::Method::POST, "/api/services")
            .json(&json!({
                "organisation_id": org["id"],
                "name": name,
                "description": format!("{name}: synthetic test service for young people."),
                "need_groups": need_groups,
                "age_from": ages.0,
                "age_to": ages.1,
                "team_type": "community",
                "delivery_modes": ["face_to_face", "online"],
                "areas": ["ME", "CT1"],
                "self_referral": self_referral,
                "capacity": {"clinician_wte": 3.5, "slots_per_week": 40}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }

    /// A clinician in a team of `service` (in the service's own organisation): related only to
    /// the young people allocated to that service.
    pub async fn service_clinician(&self, service: &str, username: &str) -> StaffUser {
        let body: Value = self
            .api(reqwest::Method::GET, &format!("/api/services/{service}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let organisation = body["organisation_id"].as_str().unwrap().to_owned();
        let team = self
            .store
            .create_team(
                &organisation,
                &format!("{} team", body["name"].as_str().unwrap()),
                nwd_store::auth::TeamKind::Service,
                Some(service),
            )
            .await
            .unwrap();
        let password = format!("Synthetic-{}-pass", uuid::Uuid::new_v4().simple());
        let user = self
            .store
            .create_user(
                nwd_store::auth::NewUser {
                    username: username.into(),
                    display_name: "Test Service Clinician".into(),
                    organisation_id: organisation,
                    password: Some(password.clone()),
                    memberships: vec![(team, nwd_domain::authz::Role::Clinician)],
                },
                "test",
            )
            .await
            .unwrap();
        StaffUser {
            id: user.id.clone(),
            username: username.into(),
            password,
            totp_secret: user.totp_secret.unwrap(),
            clock: self.clock(),
        }
    }

    /// Signs in on the sign-in page as `user` (password and authenticator code).
    pub async fn sign_in_as(&self, user: &StaffUser) {
        self.goto("/staff/sign-in").await;
        self.type_into("username", &user.username).await;
        self.type_into("password", &user.password).await;
        self.type_into("code", &user.code()).await;
        self.enter_in("code").await;
    }
}

impl BrowserApp {
    /// Another single point of access clinician, in a team of their own, who can sign in.
    pub async fn another_triage_user(&self, username: &str, display_name: &str) -> StaffUser {
        self.another_user(username, display_name, nwd_domain::authz::Role::Triage)
            .await
    }

    /// Someone with `role`, in a team of their own, who can sign in.
    pub async fn another_user(
        &self,
        username: &str,
        display_name: &str,
        role: nwd_domain::authz::Role,
    ) -> StaffUser {
        let (org, team) = self
            .store
            .bootstrap_team(&nwd_store::auth::Bootstrap {
                organisation: format!("{display_name}'s Synthetic Trust"),
                organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
                team: format!("{display_name}'s access team"),
                team_kind: nwd_store::auth::TeamKind::SinglePointOfAccess,
                service_id: None,
            })
            .await
            .unwrap();
        let password = format!("Synthetic-{}-pass", uuid::Uuid::new_v4().simple());
        let user = self
            .store
            .create_user(
                nwd_store::auth::NewUser {
                    username: username.into(),
                    display_name: display_name.into(),
                    organisation_id: org,
                    password: Some(password.clone()),
                    memberships: vec![(team, role)],
                },
                "test",
            )
            .await
            .unwrap();
        StaffUser {
            id: user.id.clone(),
            username: username.into(),
            password,
            totp_secret: user.totp_secret.unwrap(),
            clock: self.clock(),
        }
    }
}

/// A single point of access team with a triage clinician (also administrator, for the
/// directory set-up through the API): returns an API token and the clinician's sign-in.
pub(super) async fn staff(store: &Store, clock: nwd_store::Clock) -> (String, StaffUser) {
    let (org, team) = store
        .bootstrap_team(&nwd_store::auth::Bootstrap {
            organisation: "Synthetic Children's Trust".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Single point of access".into(),
            team_kind: nwd_store::auth::TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    let password = format!("Synthetic-{}-pass", uuid::Uuid::new_v4().simple());
    let user = store
        .create_user(
            nwd_store::auth::NewUser {
                username: "test.triage".into(),
                display_name: "Test Triage Clinician".into(),
                organisation_id: org,
                password: Some(password.clone()),
                memberships: vec![
                    (team.clone(), nwd_domain::authz::Role::Triage),
                    (team, nwd_domain::authz::Role::Administrator),
                ],
            },
            "test",
        )
        .await
        .unwrap();
    let scopes = nwd_domain::authz::Permission::ALL.into_iter().collect();
    let token = store
        .create_api_token(&user.id, "tests", &scopes)
        .await
        .unwrap()
        .1;
    (
        token,
        StaffUser {
            id: user.id.clone(),
            username: "test.triage".into(),
            password,
            totp_secret: user.totp_secret.unwrap(),
            clock,
        },
    )
}
