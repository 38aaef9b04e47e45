//! Who did something, as the audit trail and a referral's events record it. One type instead
//! of strings built by hand at each door, so that the same person acting through the API and
//! through a page is recorded the same way: a signed-in user by their username
//! (`user:{username}`), an anonymous member of the public by the door they used
//! (`public:young-person`, `public:parent-carer`, `public:professional`), and an operator at
//! the command line by their login name (`cli:{name}`), and a background job of the system by
//! its name (`job:{name}`).
//!
//! The text form is what records hold; it never changes for an existing variant.

use crate::self_referral::Asker;

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in user (staff, an external referrer, an API client), by username.
    User(String),
    /// A young person referring themselves, not signed in.
    YoungPerson,
    /// A parent or carer referring their child, not signed in.
    ParentCarer,
    /// A professional using the public referral form, not signed in.
    Professional,
    /// An operator running `nowrongdoor` at the command line (who can reach the database
    /// anyway), by their login name (`NWD_OPERATOR` or `USER`).
    Operator(String),
    /// A background job of the system itself (e.g. retention run on a schedule), by name.
    Job(String),
}

impl Actor {
    /// The anonymous actor for someone asking for help.
    pub fn asking(asker: Asker) -> Actor {
        match asker {
            Asker::YoungPerson => Actor::YoungPerson,
            Asker::ParentCarer => Actor::ParentCarer,
        }
    }

    /// True for a member of the public who did not sign in.
    pub fn is_public(&self) -> bool {
        !matches!(self, Actor::User(_) | Actor::Operator(_) | Actor::Job(_))
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::User(username) => write!(f, "user:{username}"),
            Actor::YoungPerson => f.write_str("public:young-person"),
            Actor::ParentCarer => f.write_str("public:parent-carer"),
            Actor::Professional => f.write_str("public:professional"),
            Actor::Operator(name) => write!(f, "cli:{name}"),
            Actor::Job(name) => write!(f, "job:{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_forms_never_change() {
        assert_eq!(Actor::User("ana".into()).to_string(), "user:ana");
        assert_eq!(
            Actor::asking(Asker::YoungPerson).to_string(),
            "public:young-person"
        );
        assert_eq!(
            Actor::asking(Asker::ParentCarer).to_string(),
            "public:parent-carer"
        );
        assert_eq!(Actor::Professional.to_string(), "public:professional");
        assert!(Actor::Professional.is_public() && !Actor::User("ana".into()).is_public());
        assert_eq!(Actor::Operator("ops".into()).to_string(), "cli:ops");
        assert!(!Actor::Operator("ops".into()).is_public());
        assert_eq!(Actor::Job("retention".into()).to_string(), "job:retention");
        assert!(!Actor::Job("retention".into()).is_public());
    }
}
