//! The audit context a change is made under, passed explicitly to every store function that
//! changes data (issue 16): who acts (the domain's [`Actor`], and their account when they
//! signed in) and the entry that commits with the change. There is no ambient context: a
//! store function that writes takes `&AuditContext` as an argument, and the only way to
//! commit a write transaction outside test fixtures is [`crate::WriteTx::commit_audited`],
//! so no door — API, page, command line, background job — can change data unaudited.
//!
//! A door builds it once per action:
//! - the HTTP edge from the request's [`AuditScope`] — the route guard's entry (route,
//!   address, session, roles, why), which the guard puts in the request's extensions and
//!   the handler takes with an extractor (`nwd_web::secure::RequestAudit`) — as
//!   [`AuditContext::signed_in`] or [`AuditContext::request`];
//! - the command line for its operator ([`AuditContext::operator`]);
//! - a background job for itself ([`AuditContext::job`]).
//!
//! The store writes the entry in the change's own transaction and adds what only it knows
//! (the record created, the young person, the detail). One context writes one entry: the
//! first transaction that commits under it appends it, later ones under the same context (a
//! request that makes two changes) do not append another. The store never reads business
//! data from it — the organisation a referral came from, a token's holder, a role's team are
//! arguments; only who acts (for `recorded_by` columns) comes from here.

use nwd_domain::actor::Actor;

use crate::audit::{AuditEntry, AuditScope};
use crate::auth::Principal;

/// Who acts, and the audit entry their change commits with.
#[derive(Debug, Clone)]
pub struct AuditContext {
    actor: Actor,
    account: Option<String>,
    scope: AuditScope,
}

impl AuditContext {
    /// The operator at the command line (`cli:<operator>` as who, as the entry's user and
    /// username, so that "everything this user did" finds their commands), running `route`
    /// (e.g. `cli users add`) on a record of `record_type`.
    pub fn operator(operator: &str, route: &str, record_type: &str) -> AuditContext {
        let actor = Actor::Operator(operator.to_owned());
        let mut entry = AuditEntry::new(route, "change");
        entry.user_id = Some(actor.to_string());
        entry.username = entry.user_id.clone();
        entry.record_type = record_type.into();
        entry.why = "operator at the command line".into();
        AuditContext {
            actor,
            account: None,
            scope: AuditScope::new(entry),
        }
    }

    /// A background job of the system itself (`job:<name>` as who, as the entry's user and
    /// username; `job <name>` as the route), e.g. `AuditContext::job("retention")`.
    pub fn job(name: &str) -> AuditContext {
        let actor = Actor::Job(name.to_owned());
        let mut entry = AuditEntry::new(format!("job {name}"), "change");
        entry.user_id = Some(actor.to_string());
        entry.username = entry.user_id.clone();
        entry.why = "background job".into();
        AuditContext {
            actor,
            account: None,
            scope: AuditScope::new(entry),
        }
    }

    /// A request at the HTTP edge by `actor` (signed in as `account`, when they are), whose
    /// entry is `scope`: the one the route guard opened for the request.
    pub fn request(actor: Actor, account: Option<&str>, scope: AuditScope) -> AuditContext {
        AuditContext {
            actor,
            account: account.map(str::to_owned),
            scope,
        }
    }

    /// A request by a signed-in member of staff or API client, whose entry is `scope`.
    pub fn signed_in(principal: &Principal, scope: AuditScope) -> AuditContext {
        AuditContext::request(
            Actor::User(principal.username.clone()),
            Some(&principal.user_id),
            scope,
        )
    }

    /// A change by `actor` outside any door (test fixtures and tools): an entry of its own,
    /// routed `route`, naming the actor as its username and `account` as its user.
    pub fn outside_request(actor: Actor, account: Option<&str>, route: &str) -> AuditContext {
        let mut entry = AuditEntry::new(route, "change");
        entry.user_id = account.map(str::to_owned);
        entry.username = Some(actor.to_string());
        AuditContext::request(actor, account, AuditScope::new(entry))
    }

    /// Who acts.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The acting account's id, when someone signed in acts.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// Who acts as recorded on accounts, tokens and role requests: `user:<account id>` when
    /// signed in, else the actor (`cli:<operator>`, `job:<name>`).
    pub fn by(&self) -> String {
        match &self.account {
            Some(id) => format!("user:{id}"),
            None => self.actor.to_string(),
        }
    }

    /// True when `user_id` is the acting account itself.
    pub fn is_account(&self, user_id: &str) -> bool {
        self.account.as_deref() == Some(user_id)
    }

    /// The entry so far (what the change will commit with).
    pub fn entry(&self) -> AuditEntry {
        self.scope.entry()
    }

    /// Whether a change under this context already wrote its entry.
    pub fn written(&self) -> bool {
        self.scope.written()
    }

    /// Records the record the change created or changed.
    pub fn set_record(&self, record_type: &str, id: impl Into<String>) {
        self.scope.set_record(record_type, id.into());
    }

    /// Records which young person the change concerns.
    pub fn set_person(&self, person: nwd_domain::PersonId) {
        self.scope.set_person(person);
    }

    /// Records what the change was (who it was about, which team, role or scopes).
    pub fn set_detail(&self, detail: String) {
        self.scope.set_detail(detail);
    }

    /// Records who a sign-in signed in (account, roles, organisation, the new session's
    /// reference): the entry's action becomes `sign_in`.
    pub fn set_signed_in(
        &self,
        user_id: &str,
        username: &str,
        roles: &str,
        organisation_id: &str,
        session_ref: &str,
    ) {
        self.scope
            .set_signed_in(user_id, username, roles, organisation_id, session_ref);
    }

    /// Records why the change was allowed.
    pub fn set_why(&self, why: String) {
        self.scope.set_why(why);
    }

    pub(crate) fn scope(&self) -> &AuditScope {
        &self.scope
    }
}
