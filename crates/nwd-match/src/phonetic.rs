//! American Soundex, used only to build blocking keys: names that sound alike share a key, so a
//! misspelt name still meets its register entry. Soundex never contributes match weight.

/// The four-character Soundex code of a folded, lower-case ASCII name (`robert` → `R163`).
/// Non-letters are skipped; an empty or letterless input gives `None`.
pub fn soundex(name: &str) -> Option<[u8; 4]> {
    let mut letters = name.bytes().filter(u8::is_ascii_alphabetic);
    let first = letters.next()?;
    let mut code = [b'0'; 4];
    code[0] = first.to_ascii_uppercase();
    let mut len = 1;
    let mut previous = digit(first);
    for letter in letters {
        if len == 4 {
            break;
        }
        let current = digit(letter);
        match current {
            // h and w do not separate letters with the same code.
            Some(b'h') => continue,
            Some(d) if d.is_ascii_digit() => {
                if previous != Some(d) {
                    code[len] = d;
                    len += 1;
                }
                previous = Some(d);
            }
            _ => previous = None,
        }
    }
    Some(code)
}

/// Soundex digit of a letter; vowels (and y) give `None`, h and w give the marker `h`.
fn digit(letter: u8) -> Option<u8> {
    match letter.to_ascii_lowercase() {
        b'b' | b'f' | b'p' | b'v' => Some(b'1'),
        b'c' | b'g' | b'j' | b'k' | b'q' | b's' | b'x' | b'z' => Some(b'2'),
        b'd' | b't' => Some(b'3'),
        b'l' => Some(b'4'),
        b'm' | b'n' => Some(b'5'),
        b'r' => Some(b'6'),
        b'h' | b'w' => Some(b'h'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::soundex;

    fn check(name: &str, expected: &str) {
        let got = soundex(name).map(|c| String::from_utf8_lossy(&c).into_owned());
        assert_eq!(got.as_deref(), Some(expected), "{name}");
    }

    #[test]
    fn standard_codes() {
        check("robert", "R163");
        check("rupert", "R163");
        check("rubin", "R150");
        check("ashcraft", "A261");
        check("ashcroft", "A261");
        check("tymczak", "T522");
        check("pfister", "P236");
        check("honeyman", "H555");
        check("lee", "L000");
        assert_eq!(soundex(""), None);
        assert_eq!(soundex("123"), None);
    }
}
