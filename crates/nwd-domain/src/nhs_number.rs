//! The NHS number: ten digits whose last is a modulus-11 check digit.
//!
//! Source: NHS Data Dictionary, "NHS Number" — weights 10..2 on digits 1–9, r = sum mod 11,
//! check = 11 − r; 11 becomes 0; 10 means the number is invalid (domain guide §3).
//! Fixtures use the 999 000 0000–999 999 9999 range reserved for test data.

use serde::{Deserialize, Serialize};

/// A ten-digit NHS number whose check digit is correct. Construct with [`NhsNumber::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "9990000018"))]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber([u8; 10]);

/// Why a string is not an NHS number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    /// Not exactly ten digits once spaces and hyphens are removed.
    #[error("an NHS number has exactly 10 digits (spaces or hyphens allowed, e.g. 999 000 0018); got {0} digits")]
    WrongLength(usize),
    /// Contains something other than digits, spaces and hyphens.
    #[error("an NHS number may contain only digits, spaces and hyphens")]
    NotDigits,
    /// The modulus-11 check digit does not match.
    #[error(
        "this NHS number's check digit is wrong (modulus 11): check the number for a typing error"
    )]
    CheckDigit,
}

impl NhsNumber {
    /// Parses `999 000 0018`, `999-000-0018` or `9990000018`, checking the check digit.
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let mut digits = [0u8; 10];
        let mut count = 0usize;
        for ch in input.trim().chars() {
            match ch {
                '0'..='9' => {
                    if count < 10 {
                        digits[count] = ch as u8 - b'0';
                    }
                    count += 1;
                }
                ' ' | '-' => {}
                _ => return Err(NhsNumberError::NotDigits),
            }
        }
        if count != 10 {
            return Err(NhsNumberError::WrongLength(count));
        }
        match check_digit(&digits) {
            Some(check) if check == digits[9] => Ok(NhsNumber(digits)),
            _ => Err(NhsNumberError::CheckDigit),
        }
    }

    /// The ten digits without separators, e.g. `9990000018`.
    pub fn as_digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The number shown 3-3-4, e.g. `999 000 0018`.
    pub fn formatted(&self) -> String {
        let d = self.as_digits();
        format!("{} {} {}", &d[0..3], &d[3..6], &d[6..10])
    }

    /// True for numbers in the range reserved for test data (999 000 0000 – 999 999 9999).
    pub fn is_test_range(&self) -> bool {
        self.0[0..3] == [9, 9, 9]
    }

    /// Completes a nine-digit stem with its check digit, if the stem has one (10 means none).
    /// Used by synthetic-data generators to mint valid test-range numbers.
    pub fn from_stem(stem: [u8; 9]) -> Option<Self> {
        let mut digits = [0u8; 10];
        digits[..9].copy_from_slice(&stem);
        let check = check_digit(&digits)?;
        digits[9] = check;
        Some(NhsNumber(digits))
    }
}

/// The modulus-11 check digit for the first nine digits, or `None` when it would be 10.
fn check_digit(digits: &[u8; 10]) -> Option<u8> {
    let sum: u32 = digits[..9]
        .iter()
        .zip((2..=10u32).rev())
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        check => Some(check as u8),
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = NhsNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        NhsNumber::parse(&value)
    }
}

impl From<NhsNumber> for String {
    fn from(value: NhsNumber) -> Self {
        value.as_digits()
    }
}

impl std::fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.formatted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, NhsNumberError>) {
        let got = NhsNumber::parse(input).map(|n| n.as_digits());
        assert_eq!(
            got.as_deref().map_err(Clone::clone),
            expected,
            "input {input:?}"
        );
    }

    #[test]
    fn valid_numbers_from_the_test_range_parse() {
        check("9990000018", Ok("9990000018"));
        check("999 000 0018", Ok("9990000018"));
        check("999-000-0018", Ok("9990000018"));
        check(" 999 000 0026 ", Ok("9990000026"));
    }

    #[test]
    fn wrong_check_digits_are_rejected_with_a_message_that_says_so() {
        // Both of these are called out in the domain guide as failing the check.
        check("999 123 4560", Err(NhsNumberError::CheckDigit));
        check("987 654 4321", Err(NhsNumberError::CheckDigit));
        check("9990000019", Err(NhsNumberError::CheckDigit));
        let message = NhsNumber::parse("9990000019").unwrap_err().to_string();
        assert!(message.contains("check digit"), "{message}");
    }

    #[test]
    fn remainder_ten_is_never_valid() {
        // 999000003?: sum = 9*10+9*9+9*8+3*2 = 249, 249 mod 11 = 7 -> check 4; find a stem with r = 1.
        let mut found = false;
        for n in 0..1000u32 {
            let stem = format!("999000{n:03}");
            let digits: Vec<u8> = stem.bytes().map(|b| b - b'0').collect();
            let sum: u32 = digits
                .iter()
                .zip((2..=10u32).rev())
                .map(|(d, w)| u32::from(*d) * w)
                .sum();
            if sum % 11 == 1 {
                for last in 0..10 {
                    assert!(
                        NhsNumber::parse(&format!("{stem}{last}")).is_err(),
                        "{stem}{last}"
                    );
                }
                found = true;
                break;
            }
        }
        assert!(found);
    }

    #[test]
    fn wrong_lengths_and_characters_are_rejected() {
        check("999000001", Err(NhsNumberError::WrongLength(9)));
        check("99900000188", Err(NhsNumberError::WrongLength(11)));
        check("999000001A", Err(NhsNumberError::NotDigits));
        check("", Err(NhsNumberError::WrongLength(0)));
    }

    #[test]
    fn formatting_and_test_range() {
        let n = NhsNumber::parse("9990000018").unwrap();
        assert_eq!(n.formatted(), "999 000 0018");
        assert!(n.is_test_range());
        assert_eq!(NhsNumber::from_stem([9, 9, 9, 0, 0, 0, 0, 0, 1]), Some(n));
    }
}
