//! Issue 18's facts about a pair beyond the household: a move counted once (address and
//! postcode are one fact about one home), how many of the child's own details agree (given
//! name, family name, date of birth — the home says nothing about which child), whether the
//! dates of birth are years apart, and whether names and date of birth agree exactly.

use crate::comparison::{
    self, dob, family, given, Gamma, ADDRESS, DOB, FAMILY, GIVEN, MISSING, POSTCODE,
};

/// Address and postcode both compared and both disagreeing: the family has moved (or it is
/// another family) — one fact about one home, and the postcode differs because the address
/// does, so the move is counted once: the adjustment gives back the smaller of the two
/// penalties. Returns 0 otherwise. When they both agree, the shared home is the household's
/// evidence, and the household rule (`score.rs`) discounts all of it for any pair whose given
/// names differ, whatever the family name; for a pair whose given names agree, a home that
/// agrees in both fields is the same child's home and is left as the weights say.
pub(super) fn home_counted_once(gamma: &Gamma, weight: &[f64]) -> f64 {
    if gamma[ADDRESS] == MISSING || gamma[POSTCODE] == MISSING {
        return 0.0;
    }
    let (a, p) = (weight[ADDRESS], weight[POSTCODE]);
    if a < 0.0 && p < 0.0 {
        -a.max(p)
    } else {
        0.0
    }
}

/// How many of the child's own details agree: given name (exact, Jaro–Winkler ≥ 0.92 or a
/// nickname; written the wrong way round counts for both names), family name (exact or
/// Jaro–Winkler ≥ 0.92) and date of birth (exact, or one keystroke or a day/month swap away).
/// Address and postcode do not count: they are the household's.
pub(super) fn identity_agreements(gamma: &Gamma) -> u8 {
    let given_agrees = matches!(gamma[GIVEN], given::EXACT | given::JW_92 | given::NICKNAME);
    let swapped = gamma[GIVEN] == given::SWAPPED;
    let family_agrees = matches!(gamma[FAMILY], family::EXACT | family::JW_92);
    let dob_agrees = matches!(gamma[DOB], dob::EXACT | dob::ONE_EDIT_OR_SWAP);
    u8::from(given_agrees) + 2 * u8::from(swapped) + u8::from(family_agrees) + u8::from(dob_agrees)
}

/// Dates of birth neither equal, nor one keystroke, nor a day/month swap apart (the
/// comparison's `within a year` and `different` levels): in a children's service, a different
/// child — the same given name in one household years apart is an older and a younger child,
/// or a parent; the same names born months apart are two children (cousins, namesakes), and a
/// form's date of birth is rarely wrong in two places at once. Decisive against an auto-link.
pub(super) fn dates_of_birth_apart(gamma: &Gamma) -> bool {
    matches!(gamma[DOB], dob::CLOSE | dob::DIFFERENT)
}

/// The home disagrees — the address is different or missing and the postcode is different
/// (or only the same district) or missing, one of them compared: the family has moved, or it
/// is another family.
pub(super) fn home_differs(gamma: &Gamma) -> bool {
    let address_against = matches!(gamma[ADDRESS], MISSING | comparison::address::DIFFERENT);
    let postcode_against = matches!(
        gamma[POSTCODE],
        MISSING | comparison::postcode::DIFFERENT | comparison::postcode::DISTRICT_OR_ONE_EDIT
    );
    address_against
        && postcode_against
        && !(gamma[ADDRESS] == MISSING && gamma[POSTCODE] == MISSING)
}

/// Given name, family name and date of birth all agree exactly (the given name also as a known
/// nickname): the same child unless a namesake born the same day exists, which at any register
/// size is rare enough for a person to look rather than register someone new.
pub(super) fn names_and_birth_agree(gamma: &Gamma) -> bool {
    matches!(gamma[GIVEN], given::EXACT | given::NICKNAME)
        && gamma[FAMILY] == family::EXACT
        && gamma[DOB] == comparison::dob::EXACT
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comparison::N_COMPARISONS;

    fn gamma(levels: [(usize, u8); 3]) -> Gamma {
        let mut g = [MISSING; N_COMPARISONS];
        for (c, level) in levels {
            g[c] = level;
        }
        g
    }

    #[test]
    fn a_move_counts_once() {
        let g = gamma([(ADDRESS, 1), (POSTCODE, 1), (GIVEN, MISSING)]);
        let mut w = [0.0; N_COMPARISONS];
        (w[ADDRESS], w[POSTCODE]) = (13.8, 12.0);
        assert_eq!(home_counted_once(&g, &w), 0.0);
        (w[ADDRESS], w[POSTCODE]) = (-3.8, -3.5);
        assert_eq!(home_counted_once(&g, &w), 3.5);
        (w[ADDRESS], w[POSTCODE]) = (13.8, -3.5);
        assert_eq!(home_counted_once(&g, &w), 0.0);
        let missing = gamma([(ADDRESS, 1), (POSTCODE, MISSING), (GIVEN, MISSING)]);
        assert_eq!(home_counted_once(&missing, &w), 0.0);
    }

    #[test]
    fn identity_agreements_count_the_childs_own_details() {
        let all = gamma([
            (GIVEN, given::EXACT),
            (FAMILY, family::JW_92),
            (DOB, dob::ONE_EDIT_OR_SWAP),
        ]);
        assert_eq!(identity_agreements(&all), 3);
        let home_only = gamma([(GIVEN, given::EXACT), (FAMILY, MISSING), (DOB, MISSING)]);
        assert_eq!(identity_agreements(&home_only), 1);
        let swapped = gamma([
            (GIVEN, given::SWAPPED),
            (FAMILY, MISSING),
            (DOB, dob::DIFFERENT),
        ]);
        assert_eq!(identity_agreements(&swapped), 2);
        let twin_like = gamma([
            (GIVEN, given::JW_88),
            (FAMILY, family::EXACT),
            (DOB, dob::EXACT),
        ]);
        assert_eq!(identity_agreements(&twin_like), 2);
    }
}
