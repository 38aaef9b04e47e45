//! The starting states of the table ([`Start`]): each reached through the desk by real
//! commands, never built by hand.

use nwd_domain::codes::{ContactStatus, ReferralSource};
use nwd_domain::referral::{Command, Referral, ReferralKind};

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    AwaitingTriage,
    /// Triaged to the community service; a contact is booked but not yet attended.
    OpenWaiting,
    /// Triaged to the community service and seen once; a further contact is booked.
    OpenSeen,
    ClosedSignposted,
    /// Seen, then discharged from its only allocation.
    ClosedDischarged,
    ClosedDeclined,
    /// A professional's advice request, awaiting triage.
    AdviceRequest,
}

impl Start {
    pub(super) const ALL: [Start; 7] = [
        Start::AwaitingTriage,
        Start::OpenWaiting,
        Start::OpenSeen,
        Start::ClosedSignposted,
        Start::ClosedDischarged,
        Start::ClosedDeclined,
        Start::AdviceRequest,
    ];

    pub(super) fn build(self, desk: &mut Desk) -> Referral {
        if self == Start::AdviceRequest {
            return desk.receive(ReferralKind::AdviceRequest, ReferralSource::School);
        }
        let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::School);
        let r = &mut referral;
        match self {
            Start::AwaitingTriage | Start::AdviceRequest => {}
            Start::ClosedSignposted => {
                desk.given(r, TRIAGED, Command::Triage(triage(vec![signpost()])));
            }
            Start::ClosedDeclined => {
                let declined = Cmd::TriageDeclined.build(r);
                desk.given(r, TRIAGED, declined);
            }
            Start::OpenWaiting | Start::OpenSeen | Start::ClosedDischarged => {
                let triaged = Cmd::TriageAllocate.build(r);
                desk.given(r, TRIAGED, triaged);
                let allocation = r.allocations[0].id;
                let booked = "2025-01-20T16:00:00Z";
                desk.given(
                    r,
                    "2025-01-10T12:00:00Z",
                    contact(allocation, booked, ContactStatus::Scheduled),
                );
                if self != Start::OpenWaiting {
                    let first = r.contacts[0].id;
                    let seen = Command::RecordContactOutcome {
                        contact_id: first,
                        status: ContactStatus::Attended,
                    };
                    desk.given(r, "2025-01-20T17:00:00Z", seen);
                    let next = "2025-01-27T16:00:00Z";
                    desk.given(
                        r,
                        "2025-01-20T17:05:00Z",
                        contact(allocation, next, ContactStatus::Scheduled),
                    );
                }
                if self == Start::ClosedDischarged {
                    desk.given(r, "2025-01-28T09:00:00Z", discharge(allocation));
                }
            }
        }
        referral
    }
}
