//! String similarity used by the comparisons: Jaro–Winkler for names, "within one edit"
//! (optimal string alignment distance ≤ 1) for dates, identifiers, postcodes and address tokens.
//! Both work on bytes: every string reaching them has been folded to lower-case ASCII by
//! `normalise`, so bytes and characters coincide.

/// Longest string a comparison looks at, in bytes: longer inputs are compared on their first
/// `MAX_COMPARED_BYTES`. Jaro's cost grows with the product of the lengths, so this bounds
/// one comparison's work (64 × 64 steps) whatever reaches the matcher. Names are at most 35
/// characters (`nwd_domain::person_text`), so real records are never cut.
pub const MAX_COMPARED_BYTES: usize = 64;

fn bounded(s: &[u8]) -> &[u8] {
    &s[..s.len().min(MAX_COMPARED_BYTES)]
}

/// Jaro–Winkler similarity in `[0, 1]` (Winkler's prefix scale 0.1 on up to four common leading
/// characters, applied when the Jaro similarity exceeds 0.7, as in Winkler 1990). Compares at
/// most [`MAX_COMPARED_BYTES`] of each string.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (a, b) = (bounded(a.as_bytes()), bounded(b.as_bytes()));
    let jaro = jaro(a, b);
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = a
        .iter()
        .zip(b.iter())
        .take(4)
        .take_while(|(x, y)| x == y)
        .count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

/// Jaro similarity: matching characters within a window, less half the transpositions.
fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let total = a.len() + b.len();
    let mut stack = [false; 128];
    let mut heap;
    let flags: &mut [bool] = if total <= stack.len() {
        &mut stack[..total]
    } else {
        heap = vec![false; total];
        &mut heap[..]
    };
    let (a_matched, b_matched) = flags.split_at_mut(a.len());
    let mut matches = 0usize;
    for (i, &ch) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        for j in start..end {
            if !b_matched[j] && b[j] == ch {
                a_matched[i] = true;
                b_matched[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut half_transpositions = 0usize;
    let mut j = 0usize;
    for (i, &ch) in a.iter().enumerate() {
        if !a_matched[i] {
            continue;
        }
        while !b_matched[j] {
            j += 1;
        }
        if ch != b[j] {
            half_transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    let t = (half_transpositions / 2) as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
}

/// True when `a` and `b` differ by at most one substitution, insertion, deletion or swap of
/// two adjacent characters (optimal string alignment distance ≤ 1). Linear time.
pub fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let first = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len());
            let rest = first + 1;
            // One substitution.
            if a[rest..] == b[rest..] {
                return true;
            }
            // One adjacent transposition.
            rest < a.len()
                && a[first] == b[rest]
                && a[rest] == b[first]
                && a[rest + 1..] == b[rest + 1..]
        }
        1 => {
            let first = short
                .iter()
                .zip(long)
                .position(|(x, y)| x != y)
                .unwrap_or(short.len());
            short[first..] == long[first + 1..]
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_jw(a: &str, b: &str, expected: f64) {
        let got = jaro_winkler(a, b);
        assert!(
            (got - expected).abs() < 5e-4,
            "jw({a}, {b}) = {got}, expected {expected}"
        );
        let back = jaro_winkler(b, a);
        assert!((got - back).abs() < 1e-12, "symmetric: {a} {b}");
    }

    #[test]
    fn jaro_winkler_known_values() {
        // The textbook values (Winkler 1990; Wikipedia's worked examples).
        check_jw("martha", "marhta", 0.9611);
        check_jw("dwayne", "duane", 0.84);
        check_jw("dixon", "dicksonx", 0.8133);
        check_jw("jellyfish", "smellyfish", 0.8963);
        check_jw("abc", "abc", 1.0);
        check_jw("abc", "xyz", 0.0);
        check_jw("", "abc", 0.0);
        check_jw("", "", 1.0);
    }

    #[test]
    fn one_comparison_is_bounded_whatever_the_length() {
        // 150 KB against 150 KB: only the first MAX_COMPARED_BYTES of each are compared, so
        // this is as quick as comparing two ordinary names (it took minutes unbounded).
        let a = "ab".repeat(75_000);
        let b = "ba".repeat(75_000);
        let long = jaro_winkler(&a, &b);
        let short = jaro_winkler(&a[..MAX_COMPARED_BYTES], &b[..MAX_COMPARED_BYTES]);
        assert!((long - short).abs() < 1e-12);
    }

    #[test]
    fn jaro_winkler_handles_long_strings() {
        let a = "a".repeat(100) + "b";
        let b = "a".repeat(100) + "c";
        assert!(jaro_winkler(&a, &b) > 0.98);
    }

    #[test]
    fn one_edit_cases() {
        let check = |a: &str, b: &str, expected: bool| {
            assert_eq!(
                within_one_edit(a.as_bytes(), b.as_bytes()),
                expected,
                "{a} {b}"
            );
            assert_eq!(
                within_one_edit(b.as_bytes(), a.as_bytes()),
                expected,
                "{b} {a}"
            );
        };
        check("20100315", "20100315", true);
        check("20100315", "20100316", true);
        check("20100315", "20100351", true);
        check("20100315", "21000315", true);
        check("20100315", "20100361", false);
        check("street", "setreet", true);
        check("street", "stret", true);
        check("street", "streets", true);
        check("street", "road", false);
        check("ab", "ba", true);
        check("abc", "cba", false);
        check("", "a", true);
        check("", "ab", false);
    }
}
