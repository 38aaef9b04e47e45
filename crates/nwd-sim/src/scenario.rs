//! The scenario file: what a person reads and writes (TOML or JSON). These types only describe
//! the file; nothing here is checked beyond its shape. [`crate::Model::new`] validates a
//! [`Scenario`] (collecting every error, each naming its field) and compiles it for the engine.
//!
//! Time is in days throughout; rates are per year (365.25 days). `config/scenarios/county.toml`
//! is the commented example and `docs/simulator.md` the reference.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, ScenarioErrors};

/// A whole scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name shown in reports.
    pub name: String,
    /// What the scenario represents (free text, optional).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Need groups (e.g. the THRIVE groupings), in report order.
    pub groups: Vec<String>,
    /// Run length, observation window and statistics settings.
    #[serde(default)]
    pub run: RunSpec,
    /// Named rate profiles that arrival streams may refer to.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub profiles: BTreeMap<String, ProfileSpec>,
    /// External arrival streams (Poisson), one per source and need group.
    #[serde(default)]
    pub arrivals: Vec<ArrivalSpec>,
    /// The nodes of the network, keyed by name.
    pub nodes: BTreeMap<String, NodeSpec>,
}

/// Run length and statistics settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunSpec {
    /// Warm-up before the observation window starts (days).
    pub warmup_days: f64,
    /// Length of the observation window (days); the run ends with it.
    pub observe_days: f64,
    /// Waiting-list snapshots every so many days from time zero.
    pub snapshot_every_days: f64,
    /// The referral-to-first-service standard (days) whose share is reported.
    pub standard_days: f64,
    /// Width of the wait histogram's bins (days): quantiles are exact to within one bin.
    pub bin_days: f64,
    /// Longest wait the histograms resolve (default: the observation window, which no wait
    /// of a visit arriving in it can exceed); a quantile beyond it is reported as null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_wait_days: Option<f64>,
}

impl Default for RunSpec {
    fn default() -> Self {
        RunSpec {
            warmup_days: 365.0,
            observe_days: 3.0 * 365.0,
            snapshot_every_days: 30.0,
            standard_days: 28.0,
            bin_days: 0.1,
            max_wait_days: None,
        }
    }
}

/// A rate profile: multipliers by day of week and by season, each normalised so that its time
/// average is 1 (so an arrival stream's `per_year` stays its yearly total).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// Seven multipliers, day 0 of the run first (the run starts on a Monday by convention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly: Option<Vec<f64>>,
    /// Piecewise-constant multipliers over a year of `year_days`, e.g. school terms and
    /// holidays; the first period must start at day 0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seasonal: Vec<SeasonSpec>,
    /// Length of the seasonal cycle (default 365.25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_days: Option<f64>,
}

/// One period of a seasonal profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeasonSpec {
    /// Day of the cycle the period starts on.
    pub from_day: f64,
    /// Multiplier until the next period starts.
    pub factor: f64,
}

/// One external arrival stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrivalSpec {
    /// Referral source (free label, e.g. `gp`, `school`, `self`).
    pub source: String,
    /// Need group of the referrals.
    pub group: String,
    /// Referrals per year (time average).
    pub per_year: f64,
    /// Node the referrals arrive at (default: the triage node).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Name of a rate profile (default: constant rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The referrals' priority (default routine): urgent ones are queued before routine ones
    /// at every node they reach.
    #[serde(default, skip_serializing_if = "Priority::is_routine")]
    pub priority: Priority,
}

/// A referral's priority in the queues: at every node an urgent referral is started before
/// any routine one (non-preemptive: nobody's service is interrupted), first come first served
/// within each priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Started before any routine referral.
    Urgent,
    /// The usual case.
    #[default]
    Routine,
}

impl Priority {
    /// Whether it is routine (the default, left out when written).
    pub fn is_routine(&self) -> bool {
        *self == Priority::Routine
    }
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// The single point of access: its start is not the start of help.
    Triage,
    /// A service: the first start at any service stops the referral-to-first-service clock.
    #[default]
    Service,
}

/// One node: a FIFO queue in front of `servers` parallel servers (clinicians' caseload slots
/// or appointment slots).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Triage or service.
    #[serde(default)]
    pub kind: NodeKind,
    /// The name people know the service by (default: the node's key), for reports and pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Servers at day 0 (before any `capacity` change).
    pub servers: u32,
    /// Service-time distribution (days a server is occupied by one visit).
    pub service: DistSpec,
    /// Booking lead: days from arriving at the node until a first appointment can be had at
    /// all (the earliest bookable date), whatever the capacity. The visit is on the list (and
    /// its wait counts) meanwhile, then joins the queue; patience clocks start when it joins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_lead: Option<DistSpec>,
    /// Where a visit goes after service; what is left of probability 1 leaves the network.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routing: Vec<RouteSpec>,
    /// Did-not-attend rate and what follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dna: Option<DnaSpec>,
    /// Competing patience clocks: a waiting visit leaves at the first that runs out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reneging: Vec<RenegeSpec>,
    /// Capacity changes: from `day`, `servers` servers (vacancies, new posts, term time).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity: Vec<CapacitySpec>,
    /// If set, the capacity schedule repeats with this period (days), restarting from
    /// `servers` at each cycle's day 0 unless an entry is at day 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_repeat_days: Option<f64>,
    /// The waiting list at day 0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub initial: Vec<InitialSpec>,
    /// Visits in service at day 0 (their remaining service is a fresh draw).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub initial_in_service: Vec<InServiceSpec>,
}

/// A distribution of days (service times, patience, waited times).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum DistSpec {
    /// Exponential with the given mean.
    Exponential {
        /// Mean (days).
        mean: f64,
    },
    /// Gamma with the given mean and coefficient of variation.
    Gamma {
        /// Mean (days).
        mean: f64,
        /// Coefficient of variation (standard deviation / mean).
        cv: f64,
    },
    /// Lognormal with the given mean and coefficient of variation.
    Lognormal {
        /// Mean (days).
        mean: f64,
        /// Coefficient of variation.
        cv: f64,
    },
    /// Always the same value.
    Fixed {
        /// The value (days).
        mean: f64,
    },
    /// One of the values, drawn with equal probability (or by `weights`).
    Empirical {
        /// Observed values (days).
        values: Vec<f64>,
        /// Optional weights, one per value.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        weights: Vec<f64>,
    },
}

/// One routing rule out of a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// The need group this rule applies to (default: every group). For a group, the rules
    /// naming it and the rules naming no group both apply, and must sum to at most 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Destination node.
    pub to: String,
    /// Probability.
    pub p: f64,
    /// Need group the visit has at the destination (a step up or down; default: unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub becomes: Option<String>,
    /// The priority this rule applies to (default: both). For a visit, the rules naming its
    /// priority and the rules naming none both apply, and must sum to at most 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
}

/// Did-not-attend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnaSpec {
    /// Share of booked starts not attended.
    pub rate: f64,
    /// What happens to the visit after a did-not-attend.
    pub then: DnaAction,
    /// How long the wasted slot occupies the server (default: a service-time draw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<DistSpec>,
}

/// What follows a did-not-attend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnaAction {
    /// Back to the end of the queue; the wait keeps counting from the original arrival.
    Requeue,
    /// Discharged: the visit leaves the network.
    Discharge,
}

/// One patience clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenegeSpec {
    /// Why the visit leaves (reported), e.g. `withdrew`, `moved_away`, `went_private`.
    pub reason: String,
    /// Patience distribution (days from joining the queue).
    pub patience: DistSpec,
}

/// One capacity change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacitySpec {
    /// Day the change takes effect.
    pub day: f64,
    /// Servers from that day (a reduction never interrupts a visit in service).
    pub servers: u32,
}

/// Part of the initial waiting list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitialSpec {
    /// Need group.
    pub group: String,
    /// Days each person on the list has already waited (exact list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waited_days: Vec<f64>,
    /// Or: this many people …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// … whose waited days are drawn from this distribution in every replication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waited: Option<DistSpec>,
}

/// Visits in service at day 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InServiceSpec {
    /// Need group.
    pub group: String,
    /// How many.
    pub count: u32,
    /// Days each has already been in service (optional; one per person when given): the rest
    /// of each one's service is then drawn given that it lasts longer than that, instead of
    /// afresh, so that a caseload of people part-way through does not all start again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub served_days: Vec<f64>,
}

impl Scenario {
    /// Reads a scenario from TOML. A syntax or type error is reported with the path of its
    /// field (`nodes.camhs.servers`, `arrivals[2].per_year`) and its line.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioErrors> {
        let deserializer = toml::Deserializer::new(text);
        serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let path = e.path().to_string();
            parse_error(&path, e.into_inner().to_string())
        })
    }

    /// Reads a scenario from JSON (same fields), errors named by path as for TOML.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioErrors> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let path = e.path().to_string();
            parse_error(&path, e.into_inner().to_string())
        })
    }

    /// Writes the scenario as TOML.
    pub fn to_toml(&self) -> Result<String, ScenarioErrors> {
        toml::to_string_pretty(self).map_err(|e| parse_error("", e.to_string()))
    }
}

/// A file that cannot be read as a scenario, named by the path of the field where reading
/// stopped. `serde_path_to_error` gives the path of the table a missing field belongs in (and
/// `.` for the top level); the field's own name is then taken from serde's message, so that
/// every error names a whole path such as `nodes.camhs.servers`.
fn parse_error(path: &str, message: String) -> ScenarioErrors {
    let message = message.trim_end().to_string();
    let parent = if path == "." { "" } else { path };
    let field = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| {
            let at = message.find(prefix)? + prefix.len();
            let rest = &message[at..];
            Some(&rest[..rest.find('`')?])
        });
    let path = match (parent, field) {
        ("", Some(field)) => field.to_string(),
        (parent, Some(field)) if !parent.ends_with(field) => format!("{parent}.{field}"),
        ("", None) => "(file)".to_string(),
        (parent, _) => parent.to_string(),
    };
    ScenarioErrors(vec![FieldError { path, message }])
}
