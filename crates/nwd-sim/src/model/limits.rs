//! The largest scenario and run the simulator accepts. Each limit is a local, configurable
//! choice (change the constant), set far above any county's or nation's pathway but low enough
//! that a mistyped number is refused with its field named instead of exhausting memory or
//! running for ever: a rate of `1e300` a year would never move the clock (the gap between
//! arrivals rounds to nothing), `snapshot_every_days = 1e-9` would keep 10^12 snapshots, and
//! `--reps 4294967295` would ask for terabytes of results before the first replication.
//! `docs/simulator.md` (Limits) lists them.

/// Longest run, warm-up plus observation window (days): a thousand years. A local choice: no
/// commissioning question looks further ahead than a few years, but checks of the engine
/// against steady-state formulas run for centuries (`tests/sim/mmc.rs` runs 300 years at
/// ρ = 0.95); and it keeps time's resolution (the gap between two representable days at day
/// 365,250 is about 6 × 10⁻¹¹ days) far below any wait.
pub const MAX_RUN_DAYS: f64 = 365_250.0;

/// Most waiting-list snapshots per node over the run (run length ÷ `snapshot_every_days`):
/// a daily snapshot for 27 years, or a monthly one for 800. A local choice bounding the memory of every replication.
pub const MAX_SNAPSHOTS: f64 = 10_000.0;

/// Most referrals a year in one arrival stream, and over all streams together: ten million,
/// a local choice several times England's yearly referrals to children and young people's
/// mental health services (about 1.2 million in 2022–23, NHS Digital's Mental Health Services
/// Data Set). Beyond it a run is hours long, and at 1e300 the clock cannot advance at all.
pub const MAX_PER_YEAR: f64 = 10_000_000.0;

/// Most people one node may start with, waiting and in service together: ten million, a
/// local choice (each is kept in memory from day 0).
pub const MAX_INITIAL: u64 = 10_000_000;

/// Shortest repeat of a capacity schedule or seasonal cycle (days): one day, a local choice.
/// A term-time schedule repeats yearly and a rota weekly; a cycle shorter than a day would
/// mean more capacity changes than visits.
pub const MIN_CYCLE_DAYS: f64 = 1.0;

/// Most replications one run may ask for: ten thousand, a local choice (the confidence
/// interval narrows with √n: at 10,000 it is a hundredth of one replication's spread).
pub const MAX_REPLICATIONS: u32 = 10_000;

/// Most memory the kept results of a run may take (every replication's statistics and
/// snapshots, 8 bytes each): 1 GiB, a local choice below a small server's memory.
pub const MAX_RESULT_BYTES: u64 = 1 << 30;
