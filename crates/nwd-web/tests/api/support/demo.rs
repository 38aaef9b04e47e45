//! The demo county and its staff for tests, and a coordinator's token on it.

use nwd_store::Store;

use super::all_scopes;

/// Loads a small demo county (a year at 100 referrals) and the demo's staff as the command
/// line's `demo` does (`nwd_demo::staff` through `Store::create_demo_staff`), making the
/// database a demonstration one.
pub async fn load_demo(store: &Store) {
    let data = import_demo_county(store).await;
    create_demo_staff(store, &data).await;
}

/// Imports the small demo county alone (no staff), through `Store::import` as the command
/// line's `demo` does; the generated data.
pub async fn import_demo_county(store: &Store) -> nwd_demo::DemoData {
    let config = nwd_demo::DemoConfig {
        seed: 2026,
        years: 1,
        referrals_per_year: 100,
        end: store.now(),
        tz: store.tz().clone(),
        standards: store.standards().clone(),
    };
    let data = nwd_demo::generate(&config, &mut |_, _| {});
    let histories: Vec<_> = data
        .referrals
        .iter()
        .map(|r| (r.events.as_slice(), &r.state))
        .collect();
    let loader = || nwd_store::audit::AuditContext::operator("tester", "cli demo", "demo");
    store
        .import(
            &loader(),
            nwd_store::DemoImport {
                organisations: &data.organisations,
                services: &data.services,
                persons: &data.persons,
                referrals: &histories,
                abouts: &nwd_demo::about::abouts(&data.persons),
            },
            &mut |_, _| {},
        )
        .await
        .expect("import the demo county");
    data
}

async fn create_demo_staff(store: &Store, data: &nwd_demo::DemoData) {
    let loader = || nwd_store::audit::AuditContext::operator("tester", "cli demo", "demo");
    let teams: Vec<nwd_store::demo::DemoTeam> =
        nwd_demo::staff::staff(&data.organisations, &data.services)
            .into_iter()
            .map(|team| {
                let (kind, service_id) = match team.kind {
                    nwd_demo::staff::StaffTeamKind::SinglePointOfAccess => {
                        (nwd_store::auth::TeamKind::SinglePointOfAccess, None)
                    }
                    nwd_demo::staff::StaffTeamKind::Service(id) => {
                        (nwd_store::auth::TeamKind::Service, Some(id.to_string()))
                    }
                    nwd_demo::staff::StaffTeamKind::Other => {
                        (nwd_store::auth::TeamKind::Other, None)
                    }
                };
                nwd_store::demo::DemoTeam {
                    organisation_id: team.organisation.to_string(),
                    name: team.name.to_owned(),
                    kind,
                    service_id,
                    members: team
                        .members
                        .iter()
                        .map(|m| nwd_store::demo::DemoMember {
                            username: m.username.to_owned(),
                            display_name: m.display_name.to_owned(),
                            role: m.role,
                        })
                        .collect(),
                }
            })
            .collect();
    store
        .create_demo_staff(&loader(), &teams)
        .await
        .expect("create the demo's staff");
}

/// A synthetic single point of access coordinator with triage and administrator roles;
/// returns an API token.
pub(super) async fn coordinator(store: &Store) -> String {
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
    let user = store
        .create_user(
            nwd_store::auth::NewUser {
                username: "test.coordinator".into(),
                display_name: "Test Coordinator".into(),
                organisation_id: org,
                password: None,
                memberships: vec![
                    (team.clone(), nwd_domain::authz::Role::Triage),
                    (team, nwd_domain::authz::Role::Administrator),
                ],
            },
            "test",
        )
        .await
        .unwrap();
    store
        .create_api_token(&user.id, "tests", &all_scopes())
        .await
        .unwrap()
        .1
}
