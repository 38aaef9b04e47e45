//! Starting from the lists as they are (issue 20: the calibrated baseline rose 35 % in its
//! first month): someone already waiting at a booking-led service waits out only the rest of
//! their lead, and someone part-way through a service finishes only the rest of it.

use crate::support::{model, reps};

#[test]
fn the_rest_of_a_lead_and_of_a_service_carry_on_from_day_0() {
    let m = model(
        r#"
name = "warm"
groups = ["a"]
[run]
warmup_days = 0
observe_days = 40
snapshot_every_days = 1
[nodes.booked]
servers = 100
service = { dist = "fixed", mean = 1 }
booking_lead = { dist = "fixed", mean = 20 }
initial = [ { group = "a", waited_days = [5, 5, 5, 5] } ]
[nodes.full]
servers = 1
service = { dist = "fixed", mean = 30 }
initial_in_service = [ { group = "a", count = 1, served_days = [25] } ]
initial = [ { group = "a", waited_days = [0] } ]
"#,
    );
    let run = &reps(&m, 1, 1, 1)[0];
    // Node order is alphabetical: booked, full.
    let (booked, full) = (&run.snapshots[0], &run.snapshots[1]);
    // Waited 5 of a 20-day lead: on the list until day 15, not started at once.
    assert_eq!(booked[14], 4.0, "{booked:?}");
    assert_eq!(booked[16], 0.0, "{booked:?}");
    // 25 days into a 30-day service: the place frees at day 5, not day 30.
    assert_eq!(full[4], 1.0, "{full:?}");
    assert_eq!(full[6], 0.0, "{full:?}");
}
