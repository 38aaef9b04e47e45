//! The errors referral forms carry, applied to a person's true details with named tags.

use nwd_domain::nhs_number::NhsNumber;
use rand::seq::SliceRandom;
use rand::Rng;

use super::{civil_from_days, iso_date, nicknames_of, Address, Sex, World, NHS_TYPO_RATE};
use crate::record::Record;

mod typos;

use typos::{dob_typo, postcode_typo};
pub(super) use typos::{name_typo, nhs_typo};

/// How often each corruption is applied to a referral. Substantive errors (names, date of birth,
/// address, postcode) are drawn independently, then at most `max_substantive` of them are kept
/// (chosen at random); sex and formatting variations are drawn on top.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorRates {
    /// `given_typo`: one character inserted, deleted, substituted (often a neighbouring key)
    /// or two adjacent characters transposed in the given name.
    pub given_typo: f64,
    /// `family_typo`: the same, in the family name.
    pub family_typo: f64,
    /// `given_missing`: no given name (a form that names the family only).
    pub given_missing: f64,
    /// `family_missing`: no family name.
    pub family_missing: f64,
    /// `address_partial`: the house (and flat) number alone, or the street without the number.
    pub address_partial: f64,
    /// `nickname`: a short form (Elizabeth → Liz or Beth), when the name has one.
    pub nickname: f64,
    /// `name_swap`: given and family names written the wrong way round.
    pub name_swap: f64,
    /// `surname_change`: double-barrelled with a new name, one half of a double-barrelled name
    /// dropped, or a different surname altogether.
    pub surname_change: f64,
    /// `dob_day_month_swap`: day and month exchanged, when the day is 12 or less (and differs).
    pub dob_day_month_swap: f64,
    /// `dob_typo`: one digit of the year's last two, the month or the day mistyped (the result
    /// need not be a real date).
    pub dob_typo: f64,
    /// `dob_missing`: no date of birth.
    pub dob_missing: f64,
    /// `moved_house`: a new address and postcode (in the same town 60 % of the time).
    pub moved_house: f64,
    /// `address_missing`: no address.
    pub address_missing: f64,
    /// `postcode_missing`: no postcode.
    pub postcode_missing: f64,
    /// `postcode_typo`: one character of the postcode wrong, or its last two letters swapped.
    pub postcode_typo: f64,
    /// At most this many of the errors above are kept per referral.
    pub max_substantive: usize,
    /// `sex_missing`: sex not recorded.
    pub sex_missing: f64,
    /// `sex_wrong`: the other sex recorded.
    pub sex_wrong: f64,
    /// `address_format`: the same address written differently (abbreviated street kind, town
    /// dropped, county added, lower case, no commas).
    pub address_format: f64,
    /// `postcode_format`: the same postcode without its space or in lower case.
    pub postcode_format: f64,
    /// `name_case`: names in capitals.
    pub name_case: f64,
}

/// Errors on referrals of people already in the register.
pub const SAME_PERSON_ERRORS: ErrorRates = ErrorRates {
    given_missing: 0.02,
    family_missing: 0.02,
    address_partial: 0.04,
    given_typo: 0.08,
    family_typo: 0.07,
    nickname: 0.25,
    name_swap: 0.03,
    surname_change: 0.04,
    dob_day_month_swap: 0.08,
    dob_typo: 0.05,
    dob_missing: 0.03,
    moved_house: 0.12,
    address_missing: 0.08,
    postcode_missing: 0.10,
    postcode_typo: 0.03,
    max_substantive: 3,
    sex_missing: 0.20,
    sex_wrong: 0.005,
    address_format: 0.30,
    postcode_format: 0.25,
    name_case: 0.10,
};

/// Milder errors on referrals of siblings, co-twins and new people.
pub const MILD_ERRORS: ErrorRates = ErrorRates {
    given_missing: 0.02,
    family_missing: 0.02,
    address_partial: 0.03,
    given_typo: 0.03,
    family_typo: 0.03,
    nickname: 0.10,
    name_swap: 0.01,
    // Half- and step-siblings, and children who use another parent's surname.
    surname_change: 0.04,
    dob_day_month_swap: 0.02,
    dob_typo: 0.02,
    dob_missing: 0.02,
    moved_house: 0.05,
    address_missing: 0.05,
    postcode_missing: 0.08,
    postcode_typo: 0.01,
    max_substantive: 2,
    sex_missing: 0.20,
    sex_wrong: 0.005,
    address_format: 0.30,
    postcode_format: 0.25,
    name_case: 0.10,
};

/// Substantive error tags in the order they are applied and reported.
const SUBSTANTIVE: [&str; 15] = [
    "nickname",
    "given_typo",
    "surname_change",
    "family_typo",
    "name_swap",
    "dob_missing",
    "dob_day_month_swap",
    "dob_typo",
    "moved_house",
    "address_missing",
    "postcode_missing",
    "postcode_typo",
    "given_missing",
    "family_missing",
    "address_partial",
];

/// A person's true details, before corruption.
pub(super) struct Draft {
    pub given: String,
    pub family: String,
    pub dob: i64,
    pub address: Address,
    pub sex: Sex,
    pub nhs: Option<NhsNumber>,
    /// The form asked for a number the child does not have: a placeholder is written.
    pub placeholder: bool,
}

/// How an address is written.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct AddressStyle {
    pub abbreviate: bool,
    pub drop_town: bool,
    pub add_county: bool,
    pub lower_case: bool,
    pub no_commas: bool,
    /// The house (and flat) number alone.
    pub number_only: bool,
    /// The street and town without the number.
    pub no_number: bool,
}

impl AddressStyle {
    pub const PLAIN: AddressStyle = AddressStyle {
        abbreviate: false,
        drop_town: false,
        add_county: false,
        lower_case: false,
        no_commas: false,
        number_only: false,
        no_number: false,
    };
}

/// Applies `rates` to `draft`: the referral record (empty id) and the tags of what was applied.
pub(super) fn apply(
    world: &mut World,
    draft: Draft,
    rates: &ErrorRates,
) -> (Record, Vec<&'static str>) {
    let (_, month, day) = civil_from_days(draft.dob);
    let nicknames = nicknames_of(&draft.given);

    // Which substantive errors.
    let mut chosen: Vec<&'static str> = Vec::new();
    {
        let rng = &mut world.rng;
        let mut draw = |tag: &'static str, p: f64, applicable: bool| {
            let hit = applicable && p > 0.0 && rng.gen_bool(p.min(1.0));
            if hit {
                chosen.push(tag);
            }
            hit
        };
        draw("nickname", rates.nickname, !nicknames.is_empty());
        draw("given_typo", rates.given_typo, true);
        draw("surname_change", rates.surname_change, true);
        draw("family_typo", rates.family_typo, true);
        draw("name_swap", rates.name_swap, true);
        let dob_missing = draw("dob_missing", rates.dob_missing, true);
        draw(
            "dob_day_month_swap",
            rates.dob_day_month_swap,
            !dob_missing && day <= 12 && day != month,
        );
        draw("dob_typo", rates.dob_typo, !dob_missing);
        draw("moved_house", rates.moved_house, true);
        draw("address_missing", rates.address_missing, true);
        let postcode_missing = draw("postcode_missing", rates.postcode_missing, true);
        draw("postcode_typo", rates.postcode_typo, !postcode_missing);
        draw("given_missing", rates.given_missing, true);
        draw("family_missing", rates.family_missing, true);
        draw("address_partial", rates.address_partial, true);
    }
    if chosen.len() > rates.max_substantive {
        chosen.shuffle(&mut world.rng);
        chosen.truncate(rates.max_substantive);
        chosen.sort_by_key(|tag| SUBSTANTIVE.iter().position(|t| t == tag));
    }
    let has = |tag: &str| chosen.contains(&tag);

    let mut given = draft.given;
    let mut family = draft.family;
    if has("nickname") {
        given = nicknames[world.rng.gen_range(0..nicknames.len())].to_owned();
    }
    if has("given_typo") {
        given = name_typo(&mut world.rng, &given);
    }
    if has("surname_change") {
        family = changed_surname(world, &family);
    }
    if has("family_typo") {
        family = name_typo(&mut world.rng, &family);
    }
    if has("name_swap") {
        std::mem::swap(&mut given, &mut family);
    }
    let given = (!has("given_missing")).then_some(given);
    let family = (!has("family_missing")).then_some(family);

    let mut dob = Some(iso_date(draft.dob));
    if has("dob_day_month_swap") {
        let (year, month, day) = civil_from_days(draft.dob);
        dob = Some(format!("{year:04}-{day:02}-{month:02}"));
    }
    if has("dob_typo") {
        dob = dob.map(|d| dob_typo(&mut world.rng, &d));
    }
    if has("dob_missing") {
        dob = None;
    }

    let mut address = draft.address;
    if has("moved_house") {
        let town = world.streets[address.street].town;
        let same_town = world.rng.gen_bool(0.6);
        let old_postcode = world.postcode(&address).to_owned();
        for _ in 0..20 {
            address = world.address(same_town.then_some(town));
            if world.postcode(&address) != old_postcode {
                break;
            }
        }
    }
    let mut postcode = (!has("postcode_missing")).then(|| world.postcode(&address).to_owned());
    if has("postcode_typo") {
        postcode = postcode.map(|p| postcode_typo(&mut world.rng, &p));
    }

    // Sex and formatting, on top.
    let mut errors = chosen.clone();
    let rng = &mut world.rng;
    let sex = if rng.gen_bool(rates.sex_missing) {
        errors.push("sex_missing");
        None
    } else {
        let sex = if rng.gen_bool(rates.sex_wrong) {
            errors.push("sex_wrong");
            match draft.sex {
                Sex::Female => Sex::Male,
                Sex::Male => Sex::Female,
            }
        } else {
            draft.sex
        };
        // Forms often record sex as a letter: a spelling, not an error.
        Some(if rng.gen_bool(0.15) {
            sex.word()[..1].to_uppercase()
        } else {
            sex.word().to_owned()
        })
    };
    let mut style = AddressStyle::PLAIN;
    if has("address_partial") {
        if rng.gen_bool(0.5) {
            style.number_only = true;
        } else {
            style.no_number = true;
        }
    }
    let address_line = if has("address_missing") {
        None
    } else {
        if rng.gen_bool(rates.address_format) {
            errors.push("address_format");
            style = AddressStyle {
                abbreviate: rng.gen_bool(0.5),
                drop_town: rng.gen_bool(0.3),
                add_county: rng.gen_bool(0.2),
                lower_case: rng.gen_bool(0.15),
                no_commas: rng.gen_bool(0.2),
                ..style
            };
            if !(style.drop_town || style.add_county || style.lower_case || style.no_commas) {
                style.abbreviate = true;
                style.no_commas = rng.gen_bool(0.5);
            }
        }
        Some(world.address_line(&address, &style))
    };
    let rng = &mut world.rng;
    if let Some(p) = postcode.as_mut() {
        if rng.gen_bool(rates.postcode_format) {
            errors.push("postcode_format");
            *p = if rng.gen_bool(0.5) {
                p.replace(' ', "")
            } else {
                p.to_lowercase()
            };
        }
    }
    let (mut given, mut family) = (given, family);
    if rng.gen_bool(rates.name_case) {
        errors.push("name_case");
        given = given.map(|g| g.to_uppercase());
        family = family.map(|f| f.to_uppercase());
    }
    let placeholder = draft.placeholder.then(|| {
        errors.push("nhs_placeholder");
        super::PLACEHOLDER_NUMBERS[rng.gen_range(0..super::PLACEHOLDER_NUMBERS.len())].to_owned()
    });
    let nhs_number = draft.nhs.map(|number| {
        let mut digits = number.as_digits();
        if rng.gen_bool(NHS_TYPO_RATE) {
            errors.push("nhs_typo");
            digits = nhs_typo(rng, &digits);
        }
        if rng.gen_bool(0.4) {
            format!("{} {} {}", &digits[0..3], &digits[3..6], &digits[6..10])
        } else {
            digits
        }
    });

    let record = Record {
        id: String::new(),
        nhs_number: nhs_number.or(placeholder),
        given_name: given,
        family_name: family,
        date_of_birth: dob,
        address: address_line,
        postcode,
        sex,
    };
    (record, errors)
}

/// A different surname for the same child.
fn changed_surname(world: &mut World, family: &str) -> String {
    if let Some((first, second)) = family.split_once('-') {
        if world.rng.gen_bool(0.5) {
            return if world.rng.gen_bool(0.5) {
                first
            } else {
                second
            }
            .to_owned();
        }
    }
    let mut other = world.surname();
    for _ in 0..10 {
        if other != family {
            break;
        }
        other = world.surname();
    }
    match world.rng.gen_range(0..3) {
        0 => format!("{family}-{other}"),
        1 => format!("{other}-{family}"),
        _ => other,
    }
}
