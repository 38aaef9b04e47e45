//! The audit entry and its scope: what one entry records, the entry as stored in the chain,
//! and the scope a door opens for one action and the write transaction commits.

use super::*;

/// One audit record, before it is chained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// When (set at append).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    /// The user, when signed in.
    pub user_id: Option<String>,
    /// The username, when signed in.
    pub username: Option<String>,
    /// The user's roles, comma-separated (empty when anonymous).
    pub roles: String,
    /// The user's organisation.
    pub organisation_id: Option<String>,
    /// An opaque session reference (never the session id itself).
    pub session_id: Option<String>,
    /// The client address.
    pub address: Option<String>,
    /// `read`, `search`, `export`, `change`, `sign_in`, `break_glass`, …
    pub action: String,
    /// The route pattern, e.g. `GET /api/referrals/{id}`.
    pub route: String,
    /// What kind of record: `referral`, `person`, `waiting_list`, `audit`, …
    pub record_type: String,
    /// The record's id.
    pub record_id: Option<String>,
    /// The young person the record is about.
    pub person_id: Option<String>,
    /// Why access was allowed: `relationship:<team>`, `break_glass:<grant>`, `role:<role>`,
    /// `public`, or the reason for a denial.
    pub why: String,
    /// `allowed`, `denied`, `failed`.
    pub outcome: String,
    /// HTTP status (0 when recorded inside a committing transaction).
    pub status: u16,
    /// Extra detail (search filters, the sections returned).
    pub detail: Option<String>,
}

impl AuditEntry {
    /// An entry with the given route and action, everything else empty.
    pub fn new(route: impl Into<String>, action: impl Into<String>) -> AuditEntry {
        AuditEntry {
            at: Timestamp::UNIX_EPOCH,
            user_id: None,
            username: None,
            roles: String::new(),
            organisation_id: None,
            session_id: None,
            address: None,
            action: action.into(),
            route: route.into(),
            record_type: "none".into(),
            record_id: None,
            person_id: None,
            why: "public".into(),
            outcome: "allowed".into(),
            status: 0,
            detail: None,
        }
    }
}

/// An entry as stored, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
    /// HMAC-SHA-256 of (position, hash) under the server's key (`secrets.rs`); `None` for
    /// entries written without a key.
    #[serde(skip)]
    pub mac: Option<String>,
}

/// What a request's audit scope holds: the entry so far, and whether a write transaction
/// already appended it.
#[derive(Debug)]
struct ScopeState {
    entry: AuditEntry,
    written: bool,
}

/// The audit entry of one action (a request, a command), shared by the door that opened it
/// and the store's write transactions that commit it (through an [`AuditContext`]). Cloning
/// shares it: every clone sees the same entry and whether it was written.
#[derive(Debug, Clone)]
pub struct AuditScope(Arc<Mutex<ScopeState>>);

impl AuditScope {
    /// A scope for one request.
    pub fn new(entry: AuditEntry) -> AuditScope {
        AuditScope(Arc::new(Mutex::new(ScopeState {
            entry,
            written: false,
        })))
    }

    fn with<T>(&self, f: impl FnOnce(&mut ScopeState) -> T) -> T {
        // A poisoned lock only means another thread panicked mid-update: the state is still
        // a plain value, so carry on with it.
        let mut guard = match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Records which young person the request concerns (known to the store only, e.g. at
    /// intake when the person is matched or registered).
    pub fn set_person(&self, person: PersonId) {
        self.with(|s| s.entry.person_id = Some(person.to_string()));
    }

    /// Records the record the request created or changed.
    pub fn set_record(&self, record_type: &str, id: String) {
        self.with(|s| {
            s.entry.record_type = record_type.to_owned();
            s.entry.record_id = Some(id);
        });
    }

    /// Records why access or a change was allowed (e.g. `safeguarding override:<id>`).
    pub fn set_why(&self, why: String) {
        self.with(|s| s.entry.why = why);
    }

    /// Records who signed in with this action (a sign-in's entry: the account, its roles and
    /// organisation, and the new session's reference), and makes the action `sign_in`.
    pub fn set_signed_in(
        &self,
        user_id: &str,
        username: &str,
        roles: &str,
        organisation_id: &str,
        session_ref: &str,
    ) {
        self.with(|s| {
            s.entry.action = "sign_in".into();
            s.entry.user_id = Some(user_id.to_owned());
            s.entry.username = Some(username.to_owned());
            s.entry.roles = roles.to_owned();
            s.entry.organisation_id = Some(organisation_id.to_owned());
            s.entry.session_id = Some(session_ref.to_owned());
        });
    }

    /// Adds detail.
    pub fn set_detail(&self, detail: String) {
        self.with(|s| s.entry.detail = Some(detail));
    }

    /// The entry so far.
    pub fn entry(&self) -> AuditEntry {
        self.with(|s| s.entry.clone())
    }

    /// Whether a write transaction already appended this request's entry.
    pub fn written(&self) -> bool {
        self.with(|s| s.written)
    }

    pub(super) fn mark_written(&self) {
        self.with(|s| s.written = true);
    }
}
