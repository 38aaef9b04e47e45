//! Typed identifiers. Each wraps a UUID so a `ServiceId` can never be passed where a
//! `ReferralId` is expected. The domain never generates ids itself: callers pass a generator.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The underlying UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }
    };
}

id_type!(
    /// A person (child or young person) in the register.
    PersonId
);
id_type!(
    /// A referral or advice request through the single point of access.
    ReferralId
);
id_type!(
    /// An organisation in the service directory.
    OrganisationId
);
id_type!(
    /// A service offered by an organisation.
    ServiceId
);
id_type!(
    /// An allocation of a referral to a service (one episode of care at that service).
    AllocationId
);
id_type!(
    /// A care contact or indirect activity.
    ContactId
);
