//! The search key of a name (lower-case ASCII letters only, accents folded) and the checked
//! terms built on keys and references: a name prefix matched as a range, a reference prefix in
//! any spelling, and a date of birth that is real and in the past.

use jiff::civil::Date;

use crate::ReferralId;

/// A person's name as stored for search: see the module documentation.
pub fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for ch in name.chars().flat_map(char::to_lowercase) {
        match ch {
            'a'..='z' => key.push(ch),
            'ß' => key.push_str("ss"),
            'æ' => key.push_str("ae"),
            'œ' => key.push_str("oe"),
            _ => {
                if let Some(folded) = fold(ch) {
                    key.push(folded);
                }
            }
        }
    }
    key
}

/// The unaccented letter of a common accented Latin letter.
fn fold(ch: char) -> Option<char> {
    let folded = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' | 'ģ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ķ' => 'k',
        'ł' | 'ľ' | 'ļ' | 'ĺ' => 'l',
        'ñ' | 'ń' | 'ň' | 'ņ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' | 'ŕ' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        _ => return None,
    };
    Some(folded)
}

/// The start of a name's search key: at least one letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePrefix(String);

impl NamePrefix {
    /// A prefix from what was typed, or why not (`field` names the input).
    pub fn parse(text: &str) -> Result<NamePrefix, String> {
        let key = name_key(text);
        if key.is_empty() {
            Err("enter at least one letter of the name".into())
        } else {
            Ok(NamePrefix(key))
        }
    }

    /// The key prefix (lower-case `a`–`z`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The smallest key after every key starting with this prefix (`smi` → `smj`, `saz` →
    /// `sb`), or `None` when there is none (`zz…`).
    pub fn upper(&self) -> Option<String> {
        let mut bytes = self.0.clone().into_bytes();
        while let Some(last) = bytes.pop() {
            if last < b'z' {
                bytes.push(last + 1);
                return String::from_utf8(bytes).ok();
            }
        }
        None
    }
}

/// The start of a referral's reference (`NWD-1A2B-3C4D`): the first eight hexadecimal digits
/// of its id, lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePrefix(String);

impl ReferencePrefix {
    /// Accepts `NWD-1A2B-3C4D`, `nwd1a2b3c4d` or `1A2B-3C4D`, in any case.
    pub fn parse(text: &str) -> Result<ReferencePrefix, String> {
        let compact: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect::<String>()
            .to_ascii_lowercase();
        let hex = compact.strip_prefix("nwd").unwrap_or(&compact);
        if hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(ReferencePrefix(hex.to_owned()))
        } else {
            Err("a reference looks like NWD-1A2B-3C4D: NWD then eight letters A–F or digits".into())
        }
    }

    /// The eight lower-case hexadecimal digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The reference as shown to people, e.g. `NWD-1A2B-3C4D`.
    pub fn shown(&self) -> String {
        let upper = self.0.to_ascii_uppercase();
        format!("NWD-{}-{}", &upper[0..4], &upper[4..8])
    }

    /// A referral's reference prefix.
    pub fn of(id: ReferralId) -> ReferencePrefix {
        let simple = id.as_uuid().simple().to_string();
        ReferencePrefix(simple[0..8].to_owned())
    }

    /// The smallest id text after every id that starts with this prefix: ids continue with
    /// `-` and hexadecimal digits, all before `g` in any collation.
    pub fn upper(&self) -> String {
        format!("{}g", self.0)
    }
}

/// A date of birth typed as `27/3/2012`, `27-03-2012`, `27.3.2012` or `2012-03-27`: a real
/// date, not after `today`.
pub fn parse_date_of_birth(text: &str, today: Date) -> Result<Date, String> {
    const HOW: &str = "enter a date of birth like 27/3/2012";
    let text = text.trim();
    let parts: Vec<&str> = text
        .split(['/', '-', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let numbers: Vec<i64> = parts
        .iter()
        .map(|p| p.parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| HOW.to_owned())?;
    let (year, month, day) = match (parts.as_slice(), numbers.as_slice()) {
        ([y, _, _], [year, month, day]) if y.len() == 4 => (*year, *month, *day),
        ([_, _, y], [day, month, year]) if y.len() == 4 => (*year, *month, *day),
        _ => return Err(HOW.into()),
    };
    let date = i16::try_from(year)
        .ok()
        .zip(i8::try_from(month).ok())
        .zip(i8::try_from(day).ok())
        .and_then(|((y, m), d)| Date::new(y, m, d).ok())
        .ok_or_else(|| format!("{text} is not a real date: {HOW}"))?;
    if date > today {
        return Err(format!("{text} is in the future: {HOW}"));
    }
    if year < 1900 {
        return Err(format!("{text} is too long ago: {HOW}"));
    }
    Ok(date)
}
