//! Cells of the CSV files the system writes, made safe to open in a spreadsheet.
//!
//! A spreadsheet treats a cell that begins with `=`, `+`, `-` or `@` (and, in some, a tab or a
//! carriage return) as a formula, so text that a user controls — a request path in an audit
//! report, a name, an identifier read from a file — could run a formula on the reader's
//! machine ("CSV injection"). Following OWASP's guidance (*CSV Injection*,
//! <https://owasp.org/www-community/attacks/CSV_Injection>), such a cell is prefixed with a
//! single quote, which spreadsheets show as text. A plain number (`-3`, `-0.25`) is left as it
//! is: it is not a formula, and quoting it would turn the figure into text.
//!
//! Every CSV writer in the workspace passes each cell through [`safe_cell`]; it owns nothing
//! else (the CSV quoting itself is the `csv` crate's).

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell`, prefixed with `'` when it would otherwise begin a formula.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(first) if FORMULA_STARTS.contains(&first) && !is_plain_number(cell) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// Every cell of a row through [`safe_cell`], ready for a CSV writer.
pub fn safe_row<I, S>(row: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    row.into_iter()
        .map(|cell| safe_cell(cell.as_ref()).into_owned())
        .collect()
}

/// A decimal number such as `-3`, `+4.5` or `-0.25`: a sign, digits, at most one point.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::safe_cell;

    fn check(cell: &str, expected: &str) {
        assert_eq!(safe_cell(cell), expected, "cell {cell:?}");
    }

    #[test]
    fn formulas_are_made_text_and_everything_else_is_untouched() {
        check("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")");
        check("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0");
        check("-2+3", "'-2+3");
        check("@SUM(A1:A2)", "'@SUM(A1:A2)");
        check("\t=1", "'\t=1");
        check("\r=1", "'\r=1");
        check("-", "'-");
        check("-inf", "'-inf");
        check("GET /api/referrals/{id}", "GET /api/referrals/{id}");
        check("", "");
        check("a=b", "a=b");
        check("-3", "-3");
        check("-0.25", "-0.25");
        check("+4", "+4");
        check("12", "12");
    }
}
