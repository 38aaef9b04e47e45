//! "Seen within the standard" counts referrals that gave up waiting as **not** seen within it
//! (issue 20): otherwise the share looks better exactly when people give up.

use crate::support::{model, reps};

/// A team with room for about 36 young people a year (one place, 10-day episodes) receives
/// 365; whoever cannot start at once gives up after a day. Those seen are all seen at once,
/// so counting only them would give 100 % within 4 weeks; counting those who gave up gives
/// about one in ten. A DNA discharge before any help is giving up too.
#[test]
fn those_who_give_up_count_as_outside_the_standard() {
    let m = model(
        r#"
name = "gives_up"
groups = ["a"]
arrivals = [ { source = "gp", group = "a", per_year = 365, to = "team" } ]
[run]
warmup_days = 30
observe_days = 730
standard_days = 28
[nodes.team]
servers = 1
service = { dist = "fixed", mean = 10 }
reneging = [ { reason = "withdrew", patience = { dist = "fixed", mean = 1 } } ]
"#,
    );
    let runs = reps(&m, 4, 7, 1);
    for r in &runs {
        let t = &r.referrals_total;
        assert!(t.gave_up_per_year > 250.0, "{t:?}");
        assert!(t.within_standard < 0.2, "{t:?}");
        // Exactly: those seen (all within 4 weeks) over all received but the few unseen at
        // the end, who are outside it too.
        let seen = t.referrals_per_year - t.gave_up_per_year - t.unseen_at_end / 2.0;
        let expected = seen / t.referrals_per_year;
        assert!(
            (t.within_standard - expected).abs() < 0.01,
            "{} vs {expected}: {t:?}",
            t.within_standard
        );
    }
    let dna = model(
        r#"
name = "dna"
groups = ["a"]
arrivals = [ { source = "gp", group = "a", per_year = 50, to = "team" } ]
[run]
warmup_days = 0
observe_days = 730
[nodes.team]
servers = 10
service = { dist = "fixed", mean = 1 }
dna = { rate = 0.5, then = "discharge" }
"#,
    );
    for r in reps(&dna, 4, 7, 1) {
        let t = &r.referrals_total;
        assert!((t.within_standard - 0.5).abs() < 0.15, "{t:?}");
        assert!((t.gave_up_per_year - 25.0).abs() < 10.0, "{t:?}");
    }
}
