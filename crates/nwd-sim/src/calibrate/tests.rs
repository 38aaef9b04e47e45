//! Unit tests of calibration on small hand-made records.

use super::*;

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
