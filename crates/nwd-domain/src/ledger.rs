//! The no-wrong-door ledger (issue 20): for every request, where it ended up — whether the
//! young person reached a service that saw them, is still waiting, or was passed between
//! services without help — and whether they came back within six months. "Shunted between
//! services" (`003_…` paragraph 3 in the seeds) becomes a counted figure, by referrer, need
//! group and service. The **one definition**, used by the store's dashboard figures and the
//! commissioner pages.
//!
//! A request's journey ([`Journey::of`]) from its allocations and triage:
//! * **Reached help**: at least one allocated service saw them (a first attended contact).
//! * **Waiting**: none has seen them yet, and an allocation is still open.
//! * **Passed on without help**: two or more allocations, every one ended, none seen.
//! * **Ended without help**: one allocation, ended, not seen (for example discharged after
//!   not attending).
//! * **Signposted**: no allocation; signposted to a service outside the area's directory
//!   (whether they got there is not recorded: the figure says so).
//! * **Advice or other destination**: no allocation and not signposted, but triaged or closed
//!   (advice given, an advice request answered, another named destination).
//! * **Not yet triaged**: none of the above yet.
//!
//! **Came back within six months**: the young person had an earlier request closed in the
//! [`RETURN_WINDOW_DAYS`] before this one was received.

mod publish;

pub use publish::{publish, PublishedLedger, PublishedLedgerRow};

/// Days before a request in which an earlier request's closure counts it as a return: six
/// months as the issue asks ("re-referrals within 6 months"), 183 days (half of 365¼,
/// rounded up). A project choice of how to count six months; configurable later if an area
/// reports it differently.
pub const RETURN_WINDOW_DAYS: i64 = 183;

/// What the ledger knows of one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JourneyFacts {
    /// Allocations made (at triage, stepping or adding a service).
    pub allocations: u32,
    /// Allocations with a first attended contact.
    pub seen: u32,
    /// Allocations neither seen nor ended.
    pub open_unseen: u32,
    /// Signposted at triage.
    pub signposted: bool,
    /// Triaged or closed: a decision was made.
    pub decided: bool,
}

/// Where a request ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Journey {
    /// Seen by at least one allocated service.
    ReachedHelp,
    /// Not seen yet, an allocation open.
    Waiting,
    /// Two or more allocations, all ended unseen.
    PassedOnWithoutHelp,
    /// One allocation, ended unseen.
    EndedWithoutHelp,
    /// Signposted outside the directory, never allocated.
    Signposted,
    /// Advice given, or another named destination without an allocation.
    AdviceOrOther,
    /// No decision yet.
    NotYetTriaged,
}

impl Journey {
    /// Every journey, in the order shown.
    pub const ALL: [Journey; 7] = [
        Journey::ReachedHelp,
        Journey::Waiting,
        Journey::PassedOnWithoutHelp,
        Journey::EndedWithoutHelp,
        Journey::Signposted,
        Journey::AdviceOrOther,
        Journey::NotYetTriaged,
    ];

    /// The journey of a request with these facts (see the module documentation).
    pub fn of(facts: &JourneyFacts) -> Journey {
        if facts.seen > 0 {
            Journey::ReachedHelp
        } else if facts.open_unseen > 0 {
            Journey::Waiting
        } else if facts.allocations >= 2 {
            Journey::PassedOnWithoutHelp
        } else if facts.allocations == 1 {
            Journey::EndedWithoutHelp
        } else if facts.signposted {
            Journey::Signposted
        } else if facts.decided {
            Journey::AdviceOrOther
        } else {
            Journey::NotYetTriaged
        }
    }

    /// Its place in [`Journey::ALL`].
    pub fn index(self) -> usize {
        match self {
            Journey::ReachedHelp => 0,
            Journey::Waiting => 1,
            Journey::PassedOnWithoutHelp => 2,
            Journey::EndedWithoutHelp => 3,
            Journey::Signposted => 4,
            Journey::AdviceOrOther => 5,
            Journey::NotYetTriaged => 6,
        }
    }

    /// Its name in CSV downloads.
    pub fn code(self) -> &'static str {
        match self {
            Journey::ReachedHelp => "reached_help",
            Journey::Waiting => "waiting",
            Journey::PassedOnWithoutHelp => "passed_on_without_help",
            Journey::EndedWithoutHelp => "ended_without_help",
            Journey::Signposted => "signposted",
            Journey::AdviceOrOther => "advice_or_other",
            Journey::NotYetTriaged => "not_yet_triaged",
        }
    }

    /// Its column heading.
    pub fn label(self) -> &'static str {
        match self {
            Journey::ReachedHelp => "Reached help",
            Journey::Waiting => "Waiting",
            Journey::PassedOnWithoutHelp => "Passed on without help",
            Journey::EndedWithoutHelp => "Ended without help",
            Journey::Signposted => "Signposted (arrival not recorded)",
            Journey::AdviceOrOther => "Advice or other destination",
            Journey::NotYetTriaged => "Not yet triaged",
        }
    }
}

/// Whether a request received at `received_ms` is a return: an earlier request of the same
/// young person closed at one of `closed_ms` within [`RETURN_WINDOW_DAYS`] before it (instants
/// in milliseconds since the epoch).
pub fn is_return(received_ms: i64, closed_ms: impl IntoIterator<Item = i64>) -> bool {
    const DAY_MS: i64 = 86_400_000;
    closed_ms
        .into_iter()
        .any(|closed| closed <= received_ms && received_ms - closed <= RETURN_WINDOW_DAYS * DAY_MS)
}

/// Exact counts for one ledger row. Never shown as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedgerCounts {
    /// Requests received.
    pub received: u64,
    /// By journey, in [`Journey::ALL`] order.
    pub journeys: [u64; 7],
    /// Requests that came back within six months of an earlier one closing.
    pub returned: u64,
}

impl LedgerCounts {
    /// Counts one request.
    pub fn add(&mut self, journey: Journey, returned: bool) {
        self.received += 1;
        self.journeys[journey.index()] += 1;
        self.returned += u64::from(returned);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(allocations: u32, seen: u32, open_unseen: u32, signposted: bool) -> JourneyFacts {
        JourneyFacts {
            allocations,
            seen,
            open_unseen,
            signposted,
            decided: true,
        }
    }

    #[test]
    fn each_journey_from_its_facts() {
        assert_eq!(Journey::of(&facts(1, 1, 0, false)), Journey::ReachedHelp);
        // Seen at one, passed on from another: still reached help.
        assert_eq!(Journey::of(&facts(3, 1, 1, false)), Journey::ReachedHelp);
        assert_eq!(Journey::of(&facts(2, 0, 1, false)), Journey::Waiting);
        assert_eq!(
            Journey::of(&facts(2, 0, 0, false)),
            Journey::PassedOnWithoutHelp
        );
        assert_eq!(
            Journey::of(&facts(1, 0, 0, true)),
            Journey::EndedWithoutHelp
        );
        assert_eq!(Journey::of(&facts(0, 0, 0, true)), Journey::Signposted);
        assert_eq!(Journey::of(&facts(0, 0, 0, false)), Journey::AdviceOrOther);
        assert_eq!(
            Journey::of(&JourneyFacts::default()),
            Journey::NotYetTriaged
        );
        for (i, journey) in Journey::ALL.iter().enumerate() {
            assert_eq!(journey.index(), i);
        }
    }

    #[test]
    fn a_return_is_within_183_days_of_an_earlier_closure() {
        let day = 86_400_000;
        let received = 1_000 * day;
        assert!(is_return(received, [received - 183 * day]));
        assert!(!is_return(received, [received - 183 * day - 1]));
        assert!(is_return(received, [received]), "closed the same instant");
        assert!(
            !is_return(received, [received + 1]),
            "closed after: not earlier"
        );
        assert!(!is_return(received, []));
    }
}
