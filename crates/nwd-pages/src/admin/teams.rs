//! The administrator's team pages (permission `manage_users`; no clinical content): every team
//! by organisation with its kind, the service it runs and how many people are in it; adding a
//! team (organisation, name, kind, and the service a service team runs); one team's members
//! with their roles, giving someone a role in it and taking a role away.
//!
//! The checks are the ones the JSON API uses too (`usecase::accounts`: [`TeamForm`],
//! [`add_member`], [`remove_member`]) and the store's, so a page and an API call accept and refuse the same
//! input; a refused form comes back with an NHS error summary linked to its fields and
//! nothing written. Every change is audited in its own transaction, as the user pages' are.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_domain::authz::Role;
use nwd_domain::FieldError;
use nwd_store::admin::{team_kind_name, TeamMember, TeamSummary};
use nwd_store::auth::{Principal, TeamKind};
use nwd_store::ServiceFilter;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::accounts::{add_member, add_team, remove_member, TeamForm};

/// A team kind in words.
pub fn kind_words(kind: TeamKind) -> &'static str {
    match kind {
        TeamKind::SinglePointOfAccess => "Single point of access",
        TeamKind::Service => "Service team",
        TeamKind::Other => "Other (commissioning, administration, referrers)",
    }
}

/// The kinds offered on the form: (API name, words, hint).
fn kind_options() -> Vec<(&'static str, &'static str, &'static str)> {
    [
        (
            TeamKind::SinglePointOfAccess,
            "Sees every referral until it is closed (triage)",
        ),
        (
            TeamKind::Service,
            "Sees the young people allocated to the service it runs",
        ),
        (
            TeamKind::Other,
            "Sees no young person's record: commissioners, administrators, privacy officers, referrers",
        ),
    ]
    .into_iter()
    .map(|(kind, hint)| (team_kind_name(kind), kind_words(kind), hint))
    .collect()
}

/// A team as a row of the list.
#[derive(Debug, Clone)]
pub struct TeamRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind, in words.
    pub kind: &'static str,
    /// The service it runs, or "".
    pub service: String,
    /// Members.
    pub members: i64,
}

/// An organisation's teams.
#[derive(Debug, Clone)]
pub struct OrganisationTeams {
    /// Organisation name.
    pub organisation: String,
    /// Its teams, by name.
    pub teams: Vec<TeamRow>,
}

fn by_organisation(teams: &[TeamSummary]) -> Vec<OrganisationTeams> {
    let mut groups: Vec<OrganisationTeams> = Vec::new();
    let mut last_id = None;
    for team in teams {
        let row = TeamRow {
            id: team.id.clone(),
            name: team.name.clone(),
            kind: kind_words(team.kind),
            service: team.service_name.clone().unwrap_or_default(),
            members: team.members,
        };
        match groups.last_mut() {
            Some(group) if last_id == Some(&team.organisation_id) => group.teams.push(row),
            _ => groups.push(OrganisationTeams {
                organisation: team.organisation_name.clone(),
                teams: vec![row],
            }),
        }
        last_id = Some(&team.organisation_id);
    }
    groups
}

#[derive(Template)]
#[template(path = "admin_teams.html")]
struct TeamsPage {
    layout: Layout,
    total: usize,
    groups: Vec<OrganisationTeams>,
}

/// Every team, by organisation.
#[utoipa::path(get, path = "/staff/admin/teams", tag = "pages",
    responses((status = 200, description = "Teams by organisation", content_type = "text/html")))]
pub async fn teams(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let teams = state.store.teams().await.map_err(PageError::staff)?;
    let page = TeamsPage {
        layout: Layout::staff("Teams", &principal),
        total: teams.len(),
        groups: by_organisation(&teams),
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

#[derive(Template)]
#[template(path = "admin_team_new.html")]
struct NewTeamPage {
    layout: Layout,
    organisations: Vec<(String, String)>,
    services: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str, &'static str)>,
    typed: TeamForm,
    csrf: String,
}

impl NewTeamPage {
    /// The typed service, or "".
    fn service_typed(&self) -> &str {
        self.typed.service_id.as_deref().unwrap_or_default()
    }
}

async fn new_team_page(
    state: &AppState,
    principal: &Principal,
    typed: TeamForm,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> PageResult {
    let organisations = state
        .store
        .organisations()
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .map(|(o, _)| (o.id.to_string(), o.details.name))
        .collect();
    let services = state
        .store
        .search_services(&ServiceFilter {
            include_inactive: true,
            ..ServiceFilter::default()
        })
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .map(|(s, _)| (s.id.to_string(), s.details.name))
        .collect();
    let page = NewTeamPage {
        layout: Layout::staff("Add a team", principal).with_errors(errors),
        organisations,
        services,
        kinds: kind_options(),
        typed,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// The form for a new team.
#[utoipa::path(get, path = "/staff/admin/teams/new", tag = "pages",
    responses((status = 200, description = "New team form", content_type = "text/html")))]
pub async fn new_team(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    new_team_page(
        &state,
        &principal,
        TeamForm::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn messages(fields: Vec<FieldError>, field_id: impl Fn(&str) -> &'static str) -> Vec<FieldMessage> {
    fields
        .into_iter()
        .map(|f| FieldMessage::new(field_id(&f.field), capitalised(&f.message)))
        .collect()
}

/// Adds a team, then shows it; else the form again with what is wrong.
#[utoipa::path(post, path = "/staff/admin/teams", tag = "pages",
    params(("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Added: to the team's page"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn create_team(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let typed = TeamForm {
        organisation_id: form.first("organisation_id").to_owned(),
        name: form.first("name").to_owned(),
        kind: form.first("kind").to_owned(),
        service_id: Some(form.first("service_id").to_owned()),
    };
    match add_team(&state.store, &trail.signed_in(&principal), &typed).await {
        Ok(id) => Ok(see_other(&format!("/staff/admin/teams/{id}"))),
        Err(nwd_usecase::UseCaseError::Invalid(fields)) => {
            let errors = messages(fields, |f| match f {
                "organisation_id" => "organisation_id",
                "kind" => "kind",
                "service_id" => "service_id",
                _ => "name",
            });
            new_team_page(
                &state,
                &principal,
                typed,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(PageError::staff(other)),
    }
}

/// A membership as a row of the team page.
#[derive(Debug, Clone)]
pub struct MemberRow {
    /// User id.
    pub user_id: String,
    /// Shown name.
    pub display_name: String,
    /// Username.
    pub username: String,
    /// Role (API name).
    pub role: &'static str,
    /// Role in words.
    pub role_words: String,
    /// Disabled account.
    pub disabled: bool,
}

fn role_words(role: Role) -> String {
    role.as_str().replace('_', " ")
}

impl MemberRow {
    fn of(m: &TeamMember) -> MemberRow {
        MemberRow {
            user_id: m.user_id.clone(),
            display_name: m.display_name.clone(),
            username: m.username.clone(),
            role: m.role.as_str(),
            role_words: role_words(m.role),
            disabled: m.disabled,
        }
    }
}

/// What was typed into the add-a-member form.
#[derive(Debug, Clone, Default)]
pub struct TypedMember {
    /// The account chosen.
    pub user_id: String,
    /// The role chosen.
    pub role: String,
}

#[derive(Template)]
#[template(path = "admin_team.html")]
struct TeamPage {
    layout: Layout,
    team: TeamSummary,
    kind: &'static str,
    members: Vec<MemberRow>,
    people: Vec<(String, String)>,
    roles: Vec<(&'static str, String)>,
    typed: TypedMember,
    csrf: String,
}

async fn team_page(
    trail: &RequestAudit,
    state: &AppState,
    principal: &Principal,
    id: &str,
    typed: TypedMember,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> PageResult {
    trail.set_record("team", id.to_owned());
    let team = state.store.team(id).await.map_err(PageError::staff)?;
    let members = state
        .store
        .team_members(id)
        .await
        .map_err(PageError::staff)?;
    let people = state
        .store
        .users()
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .filter(|u| u.disabled_at.is_none())
        .map(|u| (u.id, format!("{} ({})", u.display_name, u.username)))
        .collect();
    let page = TeamPage {
        layout: Layout::staff(&team.name, principal).with_errors(errors),
        kind: kind_words(team.kind),
        team,
        members: members.iter().map(MemberRow::of).collect(),
        people,
        roles: Role::ALL
            .into_iter()
            .filter(|r| *r != Role::ParentCarer)
            .map(|r| (r.as_str(), role_words(r)))
            .collect(),
        typed,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// One team: its members with their roles and the forms that change them.
#[utoipa::path(get, path = "/staff/admin/teams/{id}", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "A team", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn team(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    team_page(
        &trail,
        &state,
        &principal,
        &id,
        TypedMember::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// A refused change: the team page again with the messages, or the failure page.
async fn refused(
    trail: &RequestAudit,
    state: &AppState,
    principal: &Principal,
    id: &str,
    typed: TypedMember,
    error: ApiError,
    field_id: impl Fn(&str) -> &'static str,
) -> PageResult {
    match error {
        ApiError::Invalid(fields) => {
            team_page(
                trail,
                state,
                principal,
                id,
                typed,
                messages(fields, field_id),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        other => Err(PageError::staff(other)),
    }
}

/// Gives someone a role in the team.
#[utoipa::path(post, path = "/staff/admin/teams/{id}/members", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Added: back to the team"), (status = 404, description = "Not found", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn add_team_member(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let typed = TypedMember {
        user_id: form.first("user_id").to_owned(),
        role: form.first("role").to_owned(),
    };
    let audit = trail.signed_in(&principal);
    match add_member(&state.store, &audit, &id, &typed.user_id, &typed.role).await {
        Ok(nwd_store::admin::MembershipGrant::Granted) => {
            Ok(see_other(&format!("/staff/admin/teams/{id}#members")))
        }
        // A clinical role waits for a second administrator: show it on the account's page.
        Ok(nwd_store::admin::MembershipGrant::Pending { .. }) => Ok(see_other(&format!(
            "/staff/admin/users/{}#pending-roles",
            typed.user_id.trim()
        ))),
        Err(error) => {
            refused(
                &trail,
                &state,
                &principal,
                &id,
                typed,
                error.into(),
                |f| match f {
                    "user_id" => "user_id",
                    _ => "role",
                },
            )
            .await
        }
    }
}

/// Takes a role in the team away from someone (not their last: disable the account instead).
#[utoipa::path(post, path = "/staff/admin/teams/{id}/members/remove", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Removed: back to the team"), (status = 404, description = "Not found", content_type = "text/html"), (status = 422, description = "Refused", content_type = "text/html")))]
pub async fn remove_team_member(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    if !crate::admin::confirm::confirmed(&form) {
        return Ok(crate::admin::confirm::to_question(
            &format!("/staff/admin/teams/{id}/members/remove"),
            &form,
        ));
    }
    let audit = trail.signed_in(&principal);
    match remove_member(
        &state.store,
        &audit,
        &id,
        form.first("user_id"),
        form.first("role"),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/staff/admin/teams/{id}#members"))),
        Err(error) => {
            refused(
                &trail,
                &state,
                &principal,
                &id,
                TypedMember::default(),
                error.into(),
                |_| "members",
            )
            .await
        }
    }
}

/// "Are you sure?" before removing a team member (`admin::confirm`): the question the button's post redirects
/// to; only its "Yes" changes anything.
#[utoipa::path(get, path = "/staff/admin/teams/{id}/members/remove", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "The confirmation page", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn remove_team_member_question(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> PageResult {
    let form = crate::form::FormData::parse(query.unwrap_or_default().as_bytes());
    let team = state.store.team(&id).await.map_err(PageError::staff)?;
    let who = state
        .store
        .user(form.first("user_id"))
        .await
        .map(|u| u.display_name)
        .unwrap_or_else(|_| "this person".to_owned());
    crate::admin::confirm::ask(
        &principal,
        &form,
        crate::admin::confirm::Question {
            title: format!("Remove {who} from {}?", team.name),
            consequence: format!(
                "{who} loses the {} role in {} at once, and with it what the role lets them see and do.",
                form.first("role").replace('_', " "),
                team.name
            ),
            button: "Yes, remove them".into(),
            action: format!("/staff/admin/teams/{id}/members/remove"),
            back: format!("/staff/admin/teams/{id}#members"),
        },
    )
}
