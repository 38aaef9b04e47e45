//! Hand-checked need figures for a two-district table.

use super::*;
use crate::about::{AboutYoungPerson, SexAtBirth};
use crate::codes::EthnicCategory;
use crate::population::{read_csv, BandRate};

fn population() -> Population {
    read_csv(
        "area,age_band,sex,ethnicity,deprivation_decile,people
ME14,8-16,female,white,3,1000
ME14,8-16,male,asian,3,1000
CT1,0-4,female,white,8,500
CT1,20-25,male,white,8,500
"
        .as_bytes(),
    )
    .unwrap()
}

fn prevalence() -> Prevalence {
    let band = |b: AgeBand, rate: f64| BandRate {
        age_band: b,
        rate,
        source: format!("test {}", b.key()),
    };
    Prevalence {
        band: vec![
            band(AgeBand::Under5, 0.055),
            band(AgeBand::From5To7, 0.095),
            band(AgeBand::From8To16, 0.203),
            band(AgeBand::From17To19, 0.233),
            band(AgeBand::From20To25, 0.217),
        ],
        group: vec![crate::population::GroupShare {
            group: "looked_after".into(),
            share: 0.01,
            source: "test".into(),
        }],
    }
}

/// ME14 at 10: 20 White girls and 20 Asian boys (22 seen, 10 of them looked after); ME14 at
/// 18: 3 (1 seen); CT1 at 2: 3; no postcode at 12: 7 (6 seen).
fn counts(p: &Population) -> NeedCounts {
    let me14 = Area::parse("ME14").unwrap();
    let ct1 = Area::parse("CT1").unwrap();
    let white_girl = AboutYoungPerson {
        ethnicity: Some(EthnicCategory::WhiteBritish),
        sex_at_birth: Some(SexAtBirth::Female),
        ..Default::default()
    };
    let asian_boy = AboutYoungPerson {
        ethnicity: Some(EthnicCategory::AsianIndian),
        sex_at_birth: Some(SexAtBirth::Male),
        looked_after: Some(crate::about::Answer::Yes),
        ..Default::default()
    };
    let nothing = AboutYoungPerson::default();
    let mut c = NeedCounts::new();
    let known = |a: &Area| p.decile(a).is_some();
    for i in 0..40 {
        let about = if i < 20 { &white_girl } else { &asian_boy };
        let seen = i < 12 || (20..30).contains(&i);
        c.count(
            ReferralFacts {
                area: Some(&me14),
                age: Some(10),
                about: AboutFacts::of(about),
                seen,
            },
            known,
        );
    }
    for i in 0..3 {
        c.count(
            ReferralFacts {
                area: Some(&me14),
                age: Some(18),
                about: AboutFacts::of(&nothing),
                seen: i == 0,
            },
            known,
        );
        c.count(
            ReferralFacts {
                area: Some(&ct1),
                age: Some(2),
                about: AboutFacts::of(&nothing),
                seen: false,
            },
            known,
        );
    }
    for i in 0..7 {
        c.count(
            ReferralFacts {
                area: None,
                age: Some(12),
                about: AboutFacts::of(&nothing),
                seen: i < 6,
            },
            known,
        );
    }
    c
}

fn report() -> NeedReport {
    let p = population();
    NeedReport::build(&counts(&p), &p, &prevalence(), Suppression::default())
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-3, "{a} is not {b}");
}

#[test]
fn expected_need_is_population_times_prevalence_by_band() {
    let r = report();
    assert_eq!(r.population, 3000);
    // ME14: 2,000 × 20.3 % = 406 → 405; CT1: 500 × 5.5 % + 500 × 21.7 % = 136 → 135.
    assert_eq!(r.areas[0].area, "CT1");
    assert_eq!(r.areas[0].expected_need, Some(135));
    assert_eq!(r.areas[1].area, "ME14");
    assert_eq!(r.areas[1].expected_need, Some(405));
    // 542 → 540.
    assert_eq!(r.expected_need, Some(540));
    assert_eq!(r.bands[2].source, "test 8-16");
    assert_eq!(r.bands[1].population, 0);
    assert_eq!(r.bands[1].expected_need, Some(0));
    assert_eq!(r.bands[1].referral_rate, None, "no population, no rate");
}

#[test]
fn referrals_and_rates_by_district_are_published_and_suppressed() {
    let r = report();
    let me14 = &r.areas[1];
    // 43 referrals → 45; 23 seen → 25; 45 per 2,000 = 225 per 10,000 (Byar 164.1 to 301.1).
    assert_eq!(me14.referrals, Shown::Count(45));
    assert_eq!(me14.seen, Shown::Count(25));
    let rate = me14.referral_rate.unwrap();
    close(rate.value, 225.0);
    close(
        rate.lower,
        10_000.0 / 2_000.0 * crate::population::stats::byar(45).lower,
    );
    // 25 of an expected 405 = 6 %.
    assert_eq!(me14.seen_of_expected, Some(6));
    let ct1 = &r.areas[0];
    assert_eq!(ct1.referrals, Shown::Suppressed, "3 referrals");
    assert_eq!(
        ct1.referral_rate, None,
        "a rate on a suppressed count is suppressed"
    );
    let other = r.areas.last().unwrap();
    assert_eq!(other.area, OTHER_AREA);
    assert_eq!(other.referrals, Shown::Count(5), "7 with no postcode");
    // 8-16: 47 → 45 referrals; the rate counts the 40 in the table's districts: 200.
    assert_eq!(r.bands[2].referrals, Shown::Count(45));
    close(r.bands[2].referral_rate.unwrap().value, 200.0);
    assert_eq!(r.referrals_by_area_band.total, Shown::Count(55));
}

#[test]
fn uptake_ratios_compare_shares_of_referrals_with_the_population() {
    let r = report();
    let row = |key: &str| r.equality.iter().find(|e| e.key == key).unwrap();
    // White: 20 of the 40 with ethnicity recorded = 50 % over 2,000 of 3,000 → 0.75.
    let white = row("white");
    close(white.share_of_population.unwrap(), 2.0 / 3.0);
    let ratio = white.ratio.unwrap();
    close(ratio.value, 0.75);
    close(
        ratio.lower,
        crate::population::stats::wilson(20, 40).unwrap().lower * 1.5,
    );
    close(row("asian").ratio.unwrap().value, 1.5);
    assert_eq!(row("black").referrals, Shown::Suppressed);
    assert_eq!(row("black").ratio, None);
    // Decile 3 (ME14): 43 of the 46 in the table's districts → 45 of 45, over 2/3 → 1.5.
    close(row("decile_3").ratio.unwrap().value, 1.5);
    assert_eq!(row("decile_8").referrals, Shown::Suppressed);
    // Looked after: 20 → 20 of 53 → 55 referrals, over the configured 1 %.
    close(row("looked_after").ratio.unwrap().value, 20.0 / 55.0 / 0.01);
    assert_eq!(row("care_leaver").ratio, None, "no configured share");
}

#[test]
fn completeness_counts_each_field_recorded() {
    let r = report();
    let row = |field: &str| r.completeness.iter().find(|c| c.field == field).unwrap();
    assert_eq!(row("ethnicity").recorded, Shown::Count(40));
    assert_eq!(row("ethnicity").referrals, Shown::Count(55));
    assert_eq!(row("ethnicity").percent, Some(73));
    // 46 with a postcode → 45 of 55 = 82 %.
    assert_eq!(row("postcode").percent, Some(82));
    assert_eq!(row("age").recorded, Shown::Count(55));
    assert_eq!(row("disability").recorded, Shown::Suppressed);
    assert_eq!(
        row("groups").recorded,
        Shown::Count(20),
        "the 20 asked if looked after"
    );
}

#[test]
fn an_empty_record_and_an_empty_population_publish_nothing_misleading() {
    let p = population();
    let r = NeedReport::build(
        &NeedCounts::new(),
        &p,
        &prevalence(),
        Suppression::default(),
    );
    assert!(r
        .areas
        .iter()
        .all(|a| a.referrals == Shown::Suppressed && a.referral_rate.is_none()));
    assert!(r.completeness.iter().all(|c| c.percent.is_none()));
    let none = NeedReport::build(
        &counts(&p),
        &Population::default(),
        &prevalence(),
        Suppression::default(),
    );
    assert_eq!(none.population, 0);
    assert_eq!(none.areas.len(), 1, "only the other-or-not-known row");
    assert!(none
        .equality
        .iter()
        .filter(|e| e.kind != "group")
        .all(|e| e.ratio.is_none()));
}

/// `AboutFacts` keeps, for every answer the counts read, what the record says: each
/// question answered or not, and each answer, one at a time.
#[test]
fn about_facts_keep_what_the_counts_read_of_the_record() {
    use crate::about::{Answer, Neurodivergence};
    let check = |about: AboutYoungPerson| {
        let facts = AboutFacts::of(&about);
        let groups = about.uptake_groups();
        for group in UptakeGroup::ALL {
            assert_eq!(
                facts.in_group(group),
                groups.contains(&group),
                "{about:?} {group:?}"
            );
            assert_eq!(
                facts.uptake_mask() & (1 << group.index()) != 0,
                groups.contains(&group)
            );
        }
        let sex = match about.sex_at_birth {
            Some(SexAtBirth::Female) => Some(Sex::Female),
            Some(SexAtBirth::Male) => Some(Sex::Male),
            _ => None,
        };
        assert_eq!(facts.sex(), sex, "{about:?}");
        let mut c = NeedCounts::new();
        c.count(
            ReferralFacts {
                area: None,
                age: None,
                about: facts,
                seen: false,
            },
            |_| true,
        );
        let c = c.completeness;
        let groups_answered = crate::about::GROUP_QUESTIONS
            .iter()
            .any(|(name, _)| about.group(name).is_some())
            || about.autistic.is_some()
            || about.adhd.is_some();
        assert_eq!(
            (c.ethnicity, c.sex, c.gender, c.disability, c.groups),
            (
                u64::from(
                    about
                        .ethnicity
                        .is_some_and(|e| e != EthnicCategory::NotKnown)
                ),
                u64::from(about.sex_at_birth.is_some()),
                u64::from(about.gender_same_as_sex_at_birth.is_some()),
                u64::from(about.disability.is_some()),
                u64::from(groups_answered),
            ),
            "{about:?}"
        );
    };
    check(AboutYoungPerson::default());
    for sex in [
        SexAtBirth::Female,
        SexAtBirth::Male,
        SexAtBirth::PreferNotToSay,
    ] {
        check(AboutYoungPerson {
            sex_at_birth: Some(sex),
            ..Default::default()
        });
    }
    for ethnicity in [
        EthnicCategory::WhiteBritish,
        EthnicCategory::NotStated,
        EthnicCategory::NotKnown,
    ] {
        check(AboutYoungPerson {
            ethnicity: Some(ethnicity),
            ..Default::default()
        });
    }
    for answer in [Answer::Yes, Answer::No, Answer::PreferNotToSay] {
        check(AboutYoungPerson {
            gender_same_as_sex_at_birth: Some(answer),
            ..Default::default()
        });
        check(AboutYoungPerson {
            disability: Some(answer),
            ..Default::default()
        });
        for (name, _) in crate::about::GROUP_QUESTIONS {
            let mut about = AboutYoungPerson::default();
            about.set_group(name, Some(answer));
            check(about);
        }
    }
    for n in [Neurodivergence::Diagnosed, Neurodivergence::No] {
        check(AboutYoungPerson {
            autistic: Some(n),
            ..Default::default()
        });
        check(AboutYoungPerson {
            adhd: Some(n),
            ..Default::default()
        });
    }
}

/// Counting three alike at once counts what three single counts do.
#[test]
fn referrals_alike_counted_at_once_count_as_one_by_one() {
    let me14 = Area::parse("ME14").unwrap();
    let about = AboutFacts::of(&AboutYoungPerson {
        ethnicity: Some(EthnicCategory::AsianIndian),
        sex_at_birth: Some(SexAtBirth::Male),
        looked_after: Some(crate::about::Answer::Yes),
        ..Default::default()
    });
    for seen in [false, true] {
        let facts = ReferralFacts {
            area: Some(&me14),
            age: Some(10),
            about,
            seen,
        };
        let (mut one_by_one, mut at_once) = (NeedCounts::new(), NeedCounts::new());
        for _ in 0..3 {
            one_by_one.count(facts, |_| true);
        }
        at_once.count_alike(facts, 3, |_| true);
        assert_eq!(at_once, one_by_one);
        assert_eq!(at_once.completeness.referrals, 3);
        assert_eq!(
            at_once.by_sex[&Some(Sex::Male)].seen,
            if seen { 3 } else { 0 }
        );
    }
}

#[test]
fn ages_fall_in_one_band_each_and_outside_0_to_25_in_none() {
    assert_eq!(AgeBand::of(-1), None);
    assert_eq!(AgeBand::of(0), Some(AgeBand::Under5));
    assert_eq!(AgeBand::of(4), Some(AgeBand::Under5));
    assert_eq!(AgeBand::of(5), Some(AgeBand::From5To7));
    assert_eq!(AgeBand::of(8), Some(AgeBand::From8To16));
    assert_eq!(AgeBand::of(16), Some(AgeBand::From8To16));
    assert_eq!(AgeBand::of(17), Some(AgeBand::From17To19));
    assert_eq!(AgeBand::of(25), Some(AgeBand::From20To25));
    assert_eq!(AgeBand::of(26), None);
}

#[test]
fn the_shipped_prevalence_rates_check() {
    let text = include_str!("../../../../../config/prevalence.toml");
    let shipped: Prevalence = toml::from_str(text).unwrap();
    assert!(shipped.validate().is_empty(), "{:?}", shipped.validate());
    close(shipped.rate(AgeBand::From8To16).unwrap().rate, 0.203);
    close(shipped.rate(AgeBand::From17To19).unwrap().rate, 0.233);
    close(shipped.rate(AgeBand::From20To25).unwrap().rate, 0.217);
    let mut bad = shipped.clone();
    bad.band[0].rate = 1.5;
    bad.band.pop();
    let errors = bad.validate();
    assert!(errors.0.iter().any(|e| e.field == "band[0].rate"));
    assert!(errors
        .0
        .iter()
        .any(|e| e.field == "band" && e.message.contains("20-25")));
}
