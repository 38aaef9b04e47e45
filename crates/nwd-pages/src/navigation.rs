//! Role-aware navigation: where each member of staff lands after signing in, and which pages
//! the staff menu offers. Both are derived from the route table itself (the policy each page
//! route was registered with in [`crate::router`]) and the permissions the principal's roles
//! grant under the role table the guard checks (`Principal::granted`), so the menu never
//! links to a page that would answer 403, and no second list of permissions exists.
//!
//! It does **not** decide access: the guard (`nwd_http::secure`) does, on every request.

use std::sync::LazyLock;

use nwd_domain::authz::{Policy, Role, Scope};
use nwd_store::auth::{Principal, TeamKind};

/// A link in the staff menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuLink {
    /// Where it goes.
    pub href: String,
    /// Its words.
    pub label: &'static str,
}

/// The pages the menu may offer, in menu order. Which of them a person sees is decided by
/// the policy each path's GET route was registered with.
const MENU: &[(&str, &str)] = &[
    ("/staff/triage", "Triage queue"),
    ("/staff/search", "Find a referral"),
    ("/staff/crisis", "Crisis list"),
    ("/staff/risk-reviews", "Risk reviews"),
    ("/staff/services", "Services"),
    ("/staff/transitions", "Transition list"),
    ("/staff/match-reviews", "Record matching"),
    ("/staff/refer", "Make a referral"),
    ("/staff/referrals-sent", "Referrals sent"),
    ("/commissioning", "Dashboard"),
    ("/commissioning/money", "Money and contracts"),
    ("/commissioning/reports/quarterly", "Quarterly report"),
    ("/commissioning/need", "Need and equality"),
    ("/commissioning/plan", "Transformation Plan"),
    ("/commissioning/simulate", "What-if simulator"),
    ("/staff/privacy", "Privacy and audit"),
    ("/staff/privacy/reviews", "Break-glass reviews"),
    ("/staff/admin/users", "Users"),
    ("/staff/admin/teams", "Teams"),
    ("/staff/admin/services", "Manage services"),
    ("/staff/admin/measures", "Outcome measures"),
    ("/staff/standards", "Standards"),
];

/// The GET page routes and their policies, read once from the page router.
static PAGE_POLICIES: LazyLock<Vec<(String, Policy)>> = LazyLock::new(|| {
    crate::router()
        .policies()
        .iter()
        .filter(|r| r.method == "get")
        .map(|r| (r.path.clone(), r.policy))
        .collect()
});

/// The policy of the GET page route at `path` (a pattern such as `/staff/services/{id}`).
fn policy_of(path: &str) -> Option<Policy> {
    PAGE_POLICIES
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, policy)| *policy)
}

/// Whether `principal` may open the page whose route pattern is `path` (for a service page,
/// the guard also needs a membership of that service or the single point of access).
pub fn may_open(principal: &Principal, path: &str) -> bool {
    match policy_of(path) {
        Some(Policy::Public | Policy::SignedIn) => true,
        Some(Policy::Requires(permission, scope)) => {
            principal.granted.contains(&permission)
                && matches!(scope, Scope::None | Scope::Service(_))
        }
        None => false,
    }
}

/// The menu for `principal`: every page of [`MENU`] its roles may open.
pub fn menu(principal: &Principal) -> Vec<MenuLink> {
    MENU.iter()
        .filter(|(href, _)| may_open(principal, href))
        .map(|(href, label)| MenuLink {
            href: (*href).to_owned(),
            label,
        })
        .collect()
}

/// Where `principal` starts after signing in: the triage queue for the single point of
/// access; their own service's page (waiting list and caseload) for a clinician or team
/// manager; the dashboard for a commissioner; the users page for an administrator; the
/// privacy home for a privacy officer; the referrals they sent for an external referrer; the
/// standards page (open to anyone signed in) otherwise. Someone with several roles starts
/// from the first of these their memberships hold, and never from a page they cannot open.
pub fn home(principal: &Principal) -> String {
    let holds = |role: Role| principal.memberships.iter().any(|m| m.role == role);
    let service_team = principal.memberships.iter().find(|m| {
        matches!(m.role, Role::Clinician | Role::TeamManager)
            && m.kind == TeamKind::Service
            && m.service_id.is_some()
    });
    let candidates: [(bool, &str, Option<String>); 6] = [
        (holds(Role::Triage), "/staff/triage", None),
        (
            service_team.is_some(),
            "/staff/services/{id}",
            service_team
                .and_then(|m| m.service_id.as_ref())
                .map(|id| format!("/staff/services/{id}")),
        ),
        (holds(Role::Commissioner), "/commissioning", None),
        (holds(Role::Administrator), "/staff/admin/users", None),
        (holds(Role::PrivacyOfficer), "/staff/privacy", None),
        (holds(Role::ExternalReferrer), "/staff/referrals-sent", None),
    ];
    candidates
        .into_iter()
        .find(|(held, pattern, _)| *held && may_open(principal, pattern))
        .map(|(_, pattern, concrete)| concrete.unwrap_or_else(|| pattern.to_owned()))
        .unwrap_or_else(|| "/staff/standards".to_owned())
}

#[cfg(test)]
mod tests {
    use super::{policy_of, MENU};

    #[test]
    fn every_menu_page_and_home_pattern_is_a_registered_get_route() {
        for (href, _) in MENU {
            assert!(policy_of(href).is_some(), "{href} is not a page route");
        }
        for pattern in [
            "/staff/services/{id}",
            "/staff/triage",
            "/commissioning",
            "/staff/admin/users",
            "/staff/privacy",
            "/staff/referrals-sent",
            "/staff/standards",
        ] {
            assert!(
                policy_of(pattern).is_some(),
                "{pattern} is not a page route"
            );
        }
    }
}
