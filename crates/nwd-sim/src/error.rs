//! The simulator's errors: a scenario that does not validate ([`ScenarioErrors`], every problem
//! with the path of its field) and a run that cannot start ([`SimError`]).

use std::fmt;

/// One problem in a scenario, with the path of the field, e.g.
/// `nodes.getting_help.routing: probabilities for group getting_help sum to 1.07, must be ≤ 1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field (`(file)` for a syntax error).
    pub path: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found in a scenario (never just the first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioErrors(pub Vec<FieldError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "the scenario has {n} problem{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl ScenarioErrors {
    /// True if some error's path starts with `path` and its message contains `fragment`.
    pub fn mentions(&self, path: &str, fragment: &str) -> bool {
        self.0
            .iter()
            .any(|e| e.path.starts_with(path) && e.message.contains(fragment))
    }
}

/// A run that cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The thread pool could not be built.
    #[error("could not start {threads} worker threads: {reason}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// The system's reason.
        reason: String,
    },
    /// Zero replications were asked for.
    #[error("at least one replication is needed")]
    NoReplications,
    /// More replications than [`crate::limits::MAX_REPLICATIONS`].
    #[error("replications: {asked} asked for, at most {max}")]
    TooManyReplications {
        /// Replications asked for.
        asked: u32,
        /// The limit.
        max: u32,
    },
    /// The results kept would take more memory than [`crate::limits::MAX_RESULT_BYTES`].
    #[error(
        "replications: {replications} replications of {per_replication} figures each would keep {bytes} bytes of results, at most {max} (ask for fewer replications, or snapshots less often)"
    )]
    ResultsTooLarge {
        /// Replications asked for.
        replications: u32,
        /// Figures one replication keeps.
        per_replication: u64,
        /// Bytes all of them would take.
        bytes: u64,
        /// The limit.
        max: u64,
    },
}
