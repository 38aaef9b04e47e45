//! The demo county's population table: a synthetic, Kent-like table of 0–25s for every
//! postcode district the demo's people live in (`people::lists::DISTRICTS`), so that the need
//! page has expected need for every district it counts referrals in. Made deterministically,
//! without randomness: each district's size (about 5,000 to 12,000 young people, about
//! 560,000 in all, near Kent's 0–25s in the 2021 census) and deprivation decile come from a
//! hash of its name; age bands split by their years, sex 51 % male, and broad ethnic groups in
//! Kent-like shares (census 2021 for Kent: mostly White, with Asian, Black, Mixed and other
//! groups). Not real figures: for demonstration only.

use nwd_domain::about::EthnicityGroup;
use nwd_domain::population::{AgeBand, Area, Population, Sex};

use crate::people::lists::DISTRICTS;

/// Shares of the broad ethnic groups, per thousand.
const ETHNICITY: [(EthnicityGroup, u64); 5] = [
    (EthnicityGroup::White, 860),
    (EthnicityGroup::Asian, 50),
    (EthnicityGroup::Black, 35),
    (EthnicityGroup::Mixed, 40),
    (EthnicityGroup::Other, 15),
];

/// Years in each band.
fn years(band: AgeBand) -> u64 {
    match band {
        AgeBand::Under5 => 5,
        AgeBand::From5To7 => 3,
        AgeBand::From8To16 => 9,
        AgeBand::From17To19 => 3,
        AgeBand::From20To25 => 6,
    }
}

/// FNV-1a of a district's name: a stable number per district.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The demo's population table.
pub fn population() -> Population {
    let mut population = Population::default();
    for district in DISTRICTS {
        let Ok(area) = Area::parse(district) else {
            continue;
        };
        let h = hash(district);
        let people = 5_000 + h % 7_000;
        let decile = u8::try_from(1 + (h >> 20) % 10).unwrap_or(5);
        for band in AgeBand::ALL {
            let in_band = people * years(band) / 26;
            for sex in Sex::ALL {
                let of_sex = if sex == Sex::Male {
                    in_band * 51 / 100
                } else {
                    in_band * 49 / 100
                };
                for (group, per_thousand) in ETHNICITY {
                    // Rows are distinct by construction; an error cannot arise.
                    let _ = population.add(
                        area.clone(),
                        band,
                        sex,
                        group,
                        decile,
                        of_sex * per_thousand / 1000,
                    );
                }
            }
        }
    }
    population
}

/// The demo's table as CSV (for `nowrongdoor population show` and the documentation).
pub fn population_csv() -> String {
    let p = population();
    let mut out = String::from("area,age_band,sex,ethnicity,deprivation_decile,people\n");
    for c in p.cells() {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            c.area,
            c.band.key(),
            c.sex.key(),
            nwd_domain::population::ethnicity_key(c.ethnicity),
            p.decile(c.area).unwrap_or(0),
            c.people
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_district_has_a_kent_like_population_and_the_csv_reads_back() {
        let p = population();
        assert_eq!(p.areas().len(), DISTRICTS.len());
        assert_eq!(p.rows(), DISTRICTS.len() * 5 * 2 * 5);
        let people = p.people();
        assert!((450_000..650_000).contains(&people), "{people}");
        assert!(p.areas().values().all(|d| (1..=10).contains(d)));
        let deciles: std::collections::BTreeSet<u8> = p.areas().values().copied().collect();
        assert!(
            deciles.len() >= 8,
            "districts spread over the deciles: {deciles:?}"
        );
        let again = nwd_domain::population::read_csv(population_csv().as_bytes()).unwrap();
        assert_eq!(again, p);
        assert_eq!(population(), p, "deterministic");
    }
}
