//! Unit tests of calibration on small hand-made records.

use super::*;
use crate::scenario::Priority;

#[test]
fn slugs_are_node_names() {
    assert_eq!(
        slug("Getting Help — North Kent (CAMHS)"),
        "getting_help_north_kent_camhs"
    );
    assert_eq!(slug("  "), "service");
}

/// A record where every referral is triaged the moment it is received and allocated to
/// one service, seen a week later and discharged a month after that.
fn instant_triage_records() -> Records {
    let mut records = Records {
        services: vec![ServiceRecord {
            id: "s1".into(),
            name: "Getting Help".into(),
            clinician_wte: 4.0,
            slots_per_week: 40,
        }],
        ..Records::default()
    };
    for i in 0..200 {
        let received = -360.0 + 1.7 * f64::from(i);
        records.referrals.push(ReferralRecord {
            id: format!("r{i}"),
            source: "gp".into(),
            need_group: Some("getting_help".into()),
            received,
            triaged: Some(received),
            urgent: false,
        });
        records.allocations.push(AllocationRecord {
            referral_id: format!("r{i}"),
            service_id: "s1".into(),
            need_group: "getting_help".into(),
            origin: "triage".into(),
            allocated: received,
            first_attended: Some(received + 7.0),
            ended: Some(received + 37.0),
            end_reason: Some("completed".into()),
        });
    }
    records
}

#[test]
fn instant_triage_gets_the_one_minute_floor_and_validates() {
    let options = CalibrationOptions {
        from: -365.0,
        to: 0.0,
        standard_days: 28.0,
    };
    let calibration = calibrate(&instant_triage_records(), &options);
    let triage = &calibration.baseline.nodes["triage"];
    match triage.service {
        DistSpec::Fixed { mean } => {
            assert!((mean / MIN_TRIAGE_DAYS - 1.0).abs() < 1e-3, "{mean}")
        }
        ref other => panic!("triage delay {other:?}"),
    }
    assert!(
        calibration
            .notes
            .iter()
            .any(|n| n.contains("within a minute")),
        "{:?}",
        calibration.notes
    );
    crate::Model::new(&calibration.baseline).unwrap();
    crate::Model::new(&calibration.backtest).unwrap();
}

#[test]
fn short_triage_delays_keep_their_size() {
    // Five minutes is under a hundredth of a day: it must not round to 0.
    let mut records = instant_triage_records();
    for r in &mut records.referrals {
        r.triaged = Some(r.received + 5.0 / 1440.0);
    }
    let options = CalibrationOptions {
        from: -365.0,
        to: 0.0,
        standard_days: 28.0,
    };
    let calibration = calibrate(&records, &options);
    match calibration.baseline.nodes["triage"].service {
        DistSpec::Fixed { mean } => assert!((mean * 1440.0 - 5.0).abs() < 1e-3, "{mean}"),
        ref other => panic!("triage delay {other:?}"),
    }
    assert!(!calibration
        .notes
        .iter()
        .any(|n| n.contains("within a minute")));
}

#[test]
fn quantiles_interpolate() {
    assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
    assert!(quantile(&[], 0.5).is_nan());
}

fn options() -> CalibrationOptions {
    CalibrationOptions {
        from: -365.0,
        to: 0.0,
        standard_days: 28.0,
    }
}

/// A booking-led team (issue 20): its caseload swings well below its peak, so most first
/// appointments find a place free, and still each waits 20 to 26 days for a date. A capacity
/// queue alone would start them at once; calibration gives the team a booking lead of those
/// waits, names it in the notes and keeps the service's name as the node's label.
#[test]
fn a_team_with_places_free_and_weeks_to_a_date_gets_a_booking_lead() {
    let mut records = instant_triage_records();
    for (i, a) in records.allocations.iter_mut().enumerate() {
        let lead = 20.0 + (i % 7) as f64;
        a.first_attended = Some(a.allocated + lead);
        // Episodes of 5 to 60 days: a caseload that swings.
        a.ended = Some(a.allocated + lead + 5.0 + ((i * 37) % 56) as f64);
    }
    let calibration = calibrate(&records, &options());
    let node = &calibration.baseline.nodes["getting_help"];
    assert_eq!(node.label.as_deref(), Some("Getting Help"));
    let Some(DistSpec::Empirical { values, .. }) = &node.booking_lead else {
        panic!(
            "no booking lead: {:?} {:?}",
            node.booking_lead, calibration.notes
        );
    };
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    assert!((20.0..=26.0).contains(&mean), "{values:?}");
    assert!(calibration
        .notes
        .iter()
        .any(|n| n.contains("Getting Help: booking-led")));
    crate::Model::new(&calibration.baseline).unwrap();
}

/// A full team (a capacity queue): people start only when a place frees, so the caseload
/// sits at its peak whenever someone starts, and no lead is estimated.
#[test]
fn a_full_team_gets_no_booking_lead() {
    let mut records = instant_triage_records();
    // One place: each starts when the one before ends (10-day episodes, arrivals every 1.7
    // days): a queue that grows.
    let mut free_at = -365.0f64;
    for a in &mut records.allocations {
        let start = free_at.max(a.allocated);
        a.first_attended = Some(start);
        a.ended = Some(start + 10.0);
        free_at = start + 10.0;
    }
    let calibration = calibrate(&records, &options());
    assert_eq!(
        calibration.baseline.nodes["getting_help"].booking_lead,
        None
    );
}

/// Capacity in clinicians and sessions: 4 WTE and 40 sessions a week in the directory are
/// 10 sessions per WTE; the caseload places calibration found per weekly session convert any
/// number of clinicians back to places, and the baseline's own figures give its own places.
#[test]
fn clinicians_convert_to_sessions_and_caseload_places() {
    let calibration = calibrate(&instant_triage_records(), &options());
    let staffing = &calibration.staffing["getting_help"];
    assert_eq!(staffing.service, "Getting Help");
    assert_eq!(staffing.sessions_per_wte(), Some(10.0));
    let places = calibration.baseline.nodes["getting_help"].servers;
    assert_eq!(staffing.places, places);
    assert_eq!(staffing.places_for(4.0, 10.0), Some(places));
    let per_session = f64::from(places) / 40.0;
    assert_eq!(
        staffing.places_for(6.0, 10.0),
        Some((60.0 * per_session).round() as u32)
    );
    let undeclared = Staffing {
        sessions_per_week: 0,
        clinician_wte: 0.0,
        ..staffing.clone()
    };
    assert_eq!(undeclared.sessions_per_wte(), None);
    assert_eq!(undeclared.places_for(4.0, 10.0), None);
}

/// The observed share within the standard counts referrals whose allocation ended unseen
/// (they gave up) as outside it, as the simulator does.
#[test]
fn observed_share_counts_those_who_gave_up_as_outside_the_standard() {
    let mut records = instant_triage_records();
    let before = calibrate(&records, &options())
        .observed
        .referrals_within_standard;
    assert!((before - 1.0).abs() < 1e-9, "{before}");
    for a in records.allocations.iter_mut().step_by(4) {
        a.first_attended = None;
        a.end_reason = Some("withdrew".into());
    }
    let after = calibrate(&records, &options())
        .observed
        .referrals_within_standard;
    assert!((after - 0.75).abs() < 0.01, "{after}");
}

/// Referrals with a clinical priority above routine arrive as urgent (issue 20: "queue by
/// priority"): the baseline has an urgent stream per source and need group with their share
/// of the arrivals, a second service at the same time keeps its referral's priority, and the
/// notes say how many and that the day-0 list is routine.
#[test]
fn urgent_referrals_arrive_as_urgent_streams() {
    let mut records = instant_triage_records();
    // Every fourth referral urgent: 50 of the 200, all in the window.
    for (i, r) in records.referrals.iter_mut().enumerate() {
        r.urgent = i % 4 == 0;
    }
    // One urgent and one routine referral also get a second service at the same time.
    for (referral, day) in [("r0", -360.0), ("r1", -358.3)] {
        records.allocations.push(AllocationRecord {
            referral_id: referral.into(),
            service_id: "s1".into(),
            need_group: "getting_help".into(),
            origin: "additional".into(),
            allocated: day,
            first_attended: Some(day + 7.0),
            ended: Some(day + 37.0),
            end_reason: Some("completed".into()),
        });
    }
    let calibration = calibrate(&records, &options());
    let from_gp = |priority: Priority| -> f64 {
        calibration
            .baseline
            .arrivals
            .iter()
            .filter(|a| a.source == "gp" && a.priority == priority)
            .map(|a| a.per_year)
            .sum()
    };
    let years = 365.0 / crate::model::DAYS_PER_YEAR;
    assert!(
        (from_gp(Priority::Urgent) - 50.0 / years).abs() < 0.01,
        "{}",
        from_gp(Priority::Urgent)
    );
    assert!(
        (from_gp(Priority::Routine) - 150.0 / years).abs() < 0.01,
        "{}",
        from_gp(Priority::Routine)
    );
    let additional: Vec<Priority> = calibration
        .baseline
        .arrivals
        .iter()
        .filter(|a| a.source == "additional_allocation")
        .map(|a| a.priority)
        .collect();
    assert_eq!(additional.len(), 2, "{additional:?}");
    assert!(additional.contains(&Priority::Urgent));
    assert!(additional.contains(&Priority::Routine));
    assert!(
        calibration.notes.iter().any(|n| n
            .starts_with("50 of the window's 200 referrals (25.0 %)")
            && n.contains("queued as routine")),
        "{:?}",
        calibration.notes
    );
    crate::Model::new(&calibration.baseline).unwrap();
    crate::Model::new(&calibration.backtest).unwrap();
}

#[test]
fn without_urgent_referrals_every_stream_is_routine() {
    let calibration = calibrate(&instant_triage_records(), &options());
    assert!(calibration
        .baseline
        .arrivals
        .iter()
        .all(|a| a.priority == Priority::Routine));
    assert!(!calibration
        .notes
        .iter()
        .any(|n| n.contains("above routine")));
}
