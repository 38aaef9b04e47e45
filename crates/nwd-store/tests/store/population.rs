//! The population table (migration 0031) and the need page's counts, on both databases: a
//! load replaces the whole table with its audit entry, and the counts classify each referral
//! by its young person's district, age band and groups — the same groups, received and seen,
//! as the dashboard's uptake table (`need_agrees_with_the_dashboard`, called after the
//! dashboard's random writes) — and those counted from the dashboard's kept inputs equal
//! those read by SQL after every random write (`need_agrees_with_the_sql`).

use jiff::civil::date;
use jiff::ToSpan;
use nwd_domain::about::{AboutYoungPerson, SexAtBirth, UptakeGroup};
use nwd_domain::codes::{EthnicCategory, Priority, ReferralSource};
use nwd_domain::population::report::NeedCounts;
use nwd_domain::population::{read_csv, AgeBand, Area};
use nwd_domain::Postcode;
use nwd_store::audit::AuditContext;
use nwd_store::dashboard::{Dashboard, DashboardQuery};
use nwd_store::Intake;

use crate::backend::{for_each_backend, TestStore};
use crate::synthetic::{person, referral};

fn operator() -> AuditContext {
    AuditContext::operator("ops", "cli population load", "population")
}

const TABLE: &str = "area,age_band,sex,ethnicity,deprivation_decile,people
ME14,8-16,female,white,4,1200
ME14,8-16,male,asian,4,900
CT1,0-4,female,black,2,300
";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_load_replaces_the_whole_table_with_its_audit_entry() {
    for_each_backend(|t| async move {
        assert!(t.store.population().await.unwrap().is_none());
        let first = read_csv(TABLE.as_bytes()).unwrap();
        let audits = t.count("audit_log").await;
        let id = t
            .store
            .replace_population(&operator(), &first, "# rates\n", "Ops", "kent.csv")
            .await
            .unwrap();
        assert_eq!(id, 1);
        assert_eq!(
            t.count("audit_log").await,
            audits + 1,
            "the load is audited"
        );
        assert_eq!(t.count("population").await, 3);
        let stored = t.store.population().await.unwrap().unwrap();
        assert_eq!(stored.population, first);
        assert_eq!(
            (
                stored.load.source.as_str(),
                stored.load.rows,
                stored.load.people
            ),
            ("kent.csv", 3, 2400)
        );
        assert_eq!(stored.load.prevalence, "# rates\n");

        let second = read_csv(
            "area,age_band,sex,ethnicity,deprivation_decile,people\nTN1,20-25,male,mixed,9,50\n"
                .as_bytes(),
        )
        .unwrap();
        let id = t
            .store
            .replace_population(&operator(), &second, "# other\n", "Ops", "again.csv")
            .await
            .unwrap();
        assert_eq!(id, 2);
        assert_eq!(
            t.count("population").await,
            1,
            "replaced whole, not added to"
        );
        assert_eq!(t.count("population_loads").await, 2, "every load is kept");
        let stored = t.store.population().await.unwrap().unwrap();
        assert_eq!(stored.population, second);
        assert_eq!(stored.load.load_id, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn referrals_are_counted_by_district_age_band_and_group() {
    for_each_backend(|t| async move {
        let population = read_csv(TABLE.as_bytes()).unwrap();
        let now = t.clock.now();
        let receive =
            |given: &'static str, born, postcode: Option<&'static str>, about: AboutYoungPerson| {
                let t = &t;
                async move {
                    let mut p = person(given, born, None);
                    p.postcode = postcode.map(|c| Postcode::parse(c).unwrap());
                    t.store
                        .receive_referral(
                            &nwd_store::testing::acting("spa-coordinator"),
                            Intake {
                                person: p,
                                referral: referral(ReferralSource::Gp, Priority::Routine, now),
                                about,
                            },
                            None,
                            None,
                        )
                        .await
                        .unwrap();
                }
            };
        let white_girl = AboutYoungPerson {
            ethnicity: Some(EthnicCategory::WhiteBritish),
            sex_at_birth: Some(SexAtBirth::Female),
            ..Default::default()
        };
        // Received 3 March 2025: 12 in ME14, 17 with no postcode, 1 in CT1, 24 in TN1 (a
        // district outside the table).
        receive(
            "Ada",
            date(2012, 6, 1),
            Some("ME14 1XX"),
            white_girl.clone(),
        )
        .await;
        receive("Bea", date(2007, 6, 1), None, AboutYoungPerson::default()).await;
        receive(
            "Cal",
            date(2023, 6, 1),
            Some("CT1 2AB"),
            AboutYoungPerson::default(),
        )
        .await;
        receive(
            "Dee",
            date(2000, 6, 1),
            Some("TN1 1AA"),
            AboutYoungPerson::default(),
        )
        .await;
        let from = now.checked_sub(24.hours()).unwrap();
        let to = now.checked_add(24.hours()).unwrap();
        let known = |a: &Area| population.decile(a).is_some();
        let counts = t.store.need_counts(from, to, known).await.unwrap();
        let me14 = Area::parse("ME14").unwrap();
        let at = |area: Option<&str>, band: Option<AgeBand>| {
            counts
                .by_area_band
                .get(&(area.map(|a| Area::parse(a).unwrap()), band))
                .map_or(0, |c| c.received)
        };
        assert_eq!(at(Some(me14.as_str()), Some(AgeBand::From8To16)), 1);
        assert_eq!(at(None, Some(AgeBand::From17To19)), 1);
        assert_eq!(at(Some("CT1"), Some(AgeBand::Under5)), 1);
        assert_eq!(at(Some("TN1"), Some(AgeBand::From20To25)), 1);
        let c = counts.completeness;
        assert_eq!(
            (
                c.referrals,
                c.postcode,
                c.area_known,
                c.age,
                c.ethnicity,
                c.sex
            ),
            (4, 3, 2, 4, 1, 1)
        );
        let white = UptakeGroup::Ethnicity(nwd_domain::about::EthnicityGroup::White);
        assert_eq!(counts.by_group[white.index()].received, 1);
        // Outside the period: nothing.
        let later = t
            .store
            .need_counts(to, to.checked_add(24.hours()).unwrap(), known)
            .await
            .unwrap();
        assert_eq!(later.completeness.referrals, 0);
    })
    .await;
}

/// The need page's group counts equal the dashboard's uptake table for the same months.
pub async fn need_agrees_with_the_dashboard(
    t: &TestStore,
    query: &DashboardQuery,
    dashboard: &Dashboard,
) {
    let start = |d: jiff::civil::Date| d.to_zoned(t.store.tz().clone()).unwrap().timestamp();
    let from = start(query.from.first_of_month());
    let to = start(
        query
            .from
            .first_of_month()
            .checked_add(i64::from(query.months).months())
            .unwrap(),
    );
    let counts = t.store.need_counts(from, to, |_| true).await.unwrap();
    for group in UptakeGroup::ALL {
        let need = counts.by_group[group.index()];
        let uptake = dashboard.uptake[group.index()];
        assert_eq!(
            (need.received, need.seen),
            (uptake.received, uptake.seen),
            "{}",
            group.key()
        );
    }
    assert_eq!(
        counts.completeness.referrals,
        dashboard.referrals.iter().sum::<u64>()
    );
}

/// The need page's counts from the kept inputs (`Store::need_counts`) equal those read by
/// the SQL they replaced (`Store::need_counts_by_sql`) for a year, a month, a period from
/// mid-March to April (across the clock change) and an empty one, with one district outside
/// the population table.
pub async fn need_agrees_with_the_sql(t: &TestStore, when: &str) -> NeedCounts {
    let start = |d: jiff::civil::Date| d.to_zoned(t.store.tz().clone()).unwrap().timestamp();
    let mid_march: jiff::Timestamp = "2025-03-15T13:30:00Z".parse().unwrap();
    let periods = [
        (start(date(2024, 9, 1)), start(date(2025, 9, 1))),
        (start(date(2025, 2, 1)), start(date(2025, 3, 1))),
        (mid_march, start(date(2025, 4, 2))),
        (mid_march, mid_march),
    ];
    let tn1 = Area::parse("TN1").unwrap();
    let in_population = |a: &Area| *a != tn1;
    let mut year = None;
    for (from, to) in periods {
        let kept = t.store.need_counts(from, to, in_population).await.unwrap();
        let by_sql = t
            .store
            .need_counts_by_sql(from, to, in_population)
            .await
            .unwrap();
        assert_eq!(kept, by_sql, "need counts {from}..{to} {when}");
        year.get_or_insert(kept);
    }
    year.unwrap()
}
