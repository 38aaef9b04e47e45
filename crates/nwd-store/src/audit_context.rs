//! The audit context a change is made under, passed explicitly to every store function that
//! changes accounts, teams, tokens, roles, links or the record from the command line, and to
//! intake (issue 16): who acts (the domain's [`Actor`], and their account when they signed
//! in) and the entry that commits with the change.
//!
//! A door builds it once: the HTTP edge from the request's [`AuditScope`] (the route guard's
//! entry: route, address, session, roles, why), the command line for its operator
//! ([`AuditContext::operator`]). The store writes the entry in the change's own transaction
//! ([`crate::WriteTx::commit_audited`]) and adds what only it knows (the record created, the
//! young person, the detail); it never reads business data from it — the organisation a
//! referral came from, a token's holder, a role's team are arguments. A change cannot be made
//! without a context, so no door can change data unaudited.

use nwd_domain::actor::Actor;

use crate::audit::{current, AuditEntry, AuditScope};
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

    /// A request at the HTTP edge by `actor` (signed in as `account`, when they are): the
    /// request's scope opened by the route guard, whose entry the change commits. Outside a
    /// request (which the guard never lets happen) a scope of its own naming the actor, so the
    /// change is still audited.
    pub fn request(actor: Actor, account: Option<&str>) -> AuditContext {
        let scope = current().unwrap_or_else(|| {
            let mut entry = AuditEntry::new("outside a request", "change");
            entry.user_id = account.map(str::to_owned);
            entry.username = Some(actor.to_string());
            AuditScope::new(entry)
        });
        AuditContext {
            actor,
            account: account.map(str::to_owned),
            scope,
        }
    }

    /// A request by a signed-in member of staff or API client.
    pub fn signed_in(principal: &Principal) -> AuditContext {
        AuditContext::request(
            Actor::User(principal.username.clone()),
            Some(&principal.user_id),
        )
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
    /// signed in, else the actor (`cli:<operator>`).
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

    /// Records why the change was allowed.
    pub fn set_why(&self, why: String) {
        self.scope.set_why(why);
    }

    pub(crate) fn scope(&self) -> &AuditScope {
        &self.scope
    }
}
