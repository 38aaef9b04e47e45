//! Typos as forms carry them: a name mistyped (neighbouring keys on a QWERTY keyboard's row),
//! one digit of a date of birth, one character of a postcode, and a one-digit NHS-number typo
//! (a substituted digit or two adjacent digits transposed) after the `999` prefix.

use rand::Rng;

use crate::synthetic::names::INWARD_LETTERS;

/// Keys next to each letter on a QWERTY keyboard (same row).
fn neighbour(rng: &mut impl Rng, c: char) -> char {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    for row in ROWS {
        if let Some(i) = row.find(c) {
            let bytes = row.as_bytes();
            let left = i.checked_sub(1).map(|j| bytes[j]);
            let right = bytes.get(i + 1).copied();
            let pick = match (left, right) {
                (Some(l), Some(r)) => {
                    if rng.gen_bool(0.5) {
                        l
                    } else {
                        r
                    }
                }
                (Some(l), None) => l,
                (None, Some(r)) => r,
                (None, None) => b'e',
            };
            return char::from(pick);
        }
    }
    random_letter(rng)
}

fn random_letter(rng: &mut impl Rng) -> char {
    char::from(b'a' + rng.gen_range(0..26u8))
}

/// One keystroke error in a name: insert, delete, substitute or transpose (never the same name).
pub(in crate::synthetic) fn name_typo(rng: &mut impl Rng, name: &str) -> String {
    let lower: Vec<char> = name.to_lowercase().chars().collect();
    for _ in 0..20 {
        let mut c = lower.clone();
        let n = c.len();
        match rng.gen_range(0..4) {
            0 => {
                let pos = rng.gen_range(1..=n.max(1));
                let letter = if n > 0 && rng.gen_bool(0.7) {
                    neighbour(rng, c[pos - 1])
                } else {
                    random_letter(rng)
                };
                c.insert(pos.min(c.len()), letter);
            }
            1 if n > 3 => {
                c.remove(rng.gen_range(1..n));
            }
            2 if n > 1 => {
                let pos = rng.gen_range(1..n);
                c[pos] = if rng.gen_bool(0.7) {
                    neighbour(rng, c[pos])
                } else {
                    random_letter(rng)
                };
            }
            3 if n > 1 => {
                let i = rng.gen_range(0..n - 1);
                c.swap(i, i + 1);
            }
            _ => continue,
        }
        if c != lower && c.iter().any(|ch| ch.is_alphabetic()) {
            return capitalise(&c);
        }
    }
    format!("{name}e")
}

/// Capital first letter, and after a hyphen, space or apostrophe.
fn capitalise(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut start = true;
    for &ch in chars {
        if start {
            out.extend(ch.to_uppercase());
        } else {
            out.push(ch);
        }
        start = matches!(ch, '-' | ' ' | '\'');
    }
    out
}

/// One digit of a `YYYY-MM-DD` date mistyped (year's last two digits, month or day).
pub(super) fn dob_typo(rng: &mut impl Rng, date: &str) -> String {
    let mut bytes = date.as_bytes().to_vec();
    if bytes.len() != 10 {
        return date.to_owned();
    }
    const POSITIONS: [usize; 6] = [2, 3, 5, 6, 8, 9];
    let pos = POSITIONS[rng.gen_range(0..POSITIONS.len())];
    let old = bytes[pos];
    let mut new = old;
    while new == old {
        new = b'0' + rng.gen_range(0..10u8);
    }
    bytes[pos] = new;
    String::from_utf8(bytes).unwrap_or_else(|_| date.to_owned())
}

/// One character of a postcode wrong: an inward letter, the sector digit, or the last two
/// letters swapped.
pub(super) fn postcode_typo(rng: &mut impl Rng, postcode: &str) -> String {
    let mut chars: Vec<char> = postcode.chars().collect();
    let n = chars.len();
    if n < 5 {
        return postcode.to_owned();
    }
    let choice = rng.gen_range(0..4);
    if choice == 0 && chars[n - 1] != chars[n - 2] {
        chars.swap(n - 1, n - 2);
    } else if choice == 1 {
        let old = chars[n - 3];
        let mut new = old;
        while new == old {
            new = char::from(b'1' + rng.gen_range(0..9u8));
        }
        chars[n - 3] = new;
    } else {
        let pos = n - 1 - rng.gen_range(0..2);
        let old = chars[pos];
        let mut new = old;
        while new == old {
            new = char::from(INWARD_LETTERS[rng.gen_range(0..INWARD_LETTERS.len())]);
        }
        chars[pos] = new;
    }
    chars.into_iter().collect()
}

/// A one-digit NHS-number typo after the `999` prefix: a substituted digit (always fails the
/// check digit) or two adjacent digits transposed (fails it unless the check digit is involved
/// and happens to agree).
pub(in crate::synthetic) fn nhs_typo(rng: &mut impl Rng, digits: &str) -> String {
    let mut bytes = digits.as_bytes().to_vec();
    if bytes.len() != 10 {
        return digits.to_owned();
    }
    if rng.gen_bool(0.25) {
        for _ in 0..10 {
            let i = rng.gen_range(3..9);
            if bytes[i] != bytes[i + 1] {
                bytes.swap(i, i + 1);
                return String::from_utf8(bytes).unwrap_or_else(|_| digits.to_owned());
            }
        }
    }
    let pos = rng.gen_range(3..10);
    let old = bytes[pos];
    let mut new = old;
    while new == old {
        new = b'0' + rng.gen_range(0..10u8);
    }
    bytes[pos] = new;
    String::from_utf8(bytes).unwrap_or_else(|_| digits.to_owned())
}
