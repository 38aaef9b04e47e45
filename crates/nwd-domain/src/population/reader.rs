//! The population CSV, read row by row: `area,age_band,sex,ethnicity,deprivation_decile,people`.
//!
//! A line is read into a buffer of at most [`MAX_LINE_BYTES`], so a file of any length (or
//! one enormous line) never holds more than one line and the table it builds — and the table
//! is bounded by the combinations it can hold ([`MAX_AREAS`] districts × 5 bands × 2 sexes ×
//! 5 groups). The first fault stops the read and names the row (1 is the header), the column
//! and what is allowed; nothing is returned, so nothing can be written.

use std::io::BufRead;

use super::{parse_ethnicity, AgeBand, Area, Population, Sex};

/// The longest line accepted, in bytes.
pub const MAX_LINE_BYTES: usize = 1024;
/// The most districts a table may hold (England has about 2,300 postcode districts).
pub const MAX_AREAS: usize = 5_000;
/// The most people one row may count (far above any district's 0–25s).
pub const MAX_PEOPLE_PER_ROW: u64 = 10_000_000;

/// The columns, in order.
const COLUMNS: [&str; 6] = [
    "area",
    "age_band",
    "sex",
    "ethnicity",
    "deprivation_decile",
    "people",
];

/// A fault in the CSV: where, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}, column {column}: {message}")]
pub struct CsvError {
    /// The line number (1 is the header).
    pub row: u64,
    /// The column's name (`file` for the file as a whole).
    pub column: &'static str,
    /// What is wrong and what is allowed.
    pub message: String,
}

fn fault(row: u64, column: &'static str, message: impl Into<String>) -> CsvError {
    CsvError {
        row,
        column,
        message: message.into(),
    }
}

/// Reads one line into `line` (without its ending); `Ok(false)` at the end of the input.
fn next_line(input: &mut impl BufRead, line: &mut Vec<u8>, row: u64) -> Result<bool, CsvError> {
    line.clear();
    loop {
        let available = input
            .fill_buf()
            .map_err(|e| fault(row, "file", format!("could not be read: {e}")))?;
        if available.is_empty() {
            return Ok(!line.is_empty());
        }
        let (take, done) = match available.iter().position(|b| *b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if line.len() + take > MAX_LINE_BYTES + 2 {
            return Err(fault(
                row,
                "file",
                format!(
                    "the line is longer than {MAX_LINE_BYTES} bytes; is this the population CSV?"
                ),
            ));
        }
        line.extend_from_slice(&available[..take]);
        input.consume(take);
        if done {
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            return Ok(true);
        }
    }
}

/// Splits a line on commas; a field may be wrapped in double quotes (no comma inside).
fn fields(line: &str) -> Vec<&str> {
    line.split(',')
        .map(|f| {
            let f = f.trim();
            f.strip_prefix('"')
                .and_then(|f| f.strip_suffix('"'))
                .unwrap_or(f)
        })
        .collect()
}

/// Reads a whole population table. Blank lines are skipped; a byte-order mark is allowed.
pub fn read_csv(mut input: impl BufRead) -> Result<Population, CsvError> {
    let mut line = Vec::with_capacity(MAX_LINE_BYTES);
    let mut row: u64 = 1;
    if !next_line(&mut input, &mut line, row)? {
        return Err(fault(1, "file", "the file is empty; the first line names the columns: area,age_band,sex,ethnicity,deprivation_decile,people"));
    }
    let header =
        std::str::from_utf8(&line).map_err(|_| fault(1, "file", "the file is not UTF-8 text"))?;
    let header = header.trim_start_matches('\u{feff}');
    let names: Vec<String> = fields(header)
        .iter()
        .map(|f| f.to_ascii_lowercase())
        .collect();
    if names != COLUMNS {
        return Err(fault(
            1,
            "file",
            format!(
                "the first line must name the columns {}; found {header:?}",
                COLUMNS.join(",")
            ),
        ));
    }
    let mut population = Population::default();
    loop {
        row += 1;
        if !next_line(&mut input, &mut line, row)? {
            break;
        }
        let text = std::str::from_utf8(&line)
            .map_err(|_| fault(row, "file", "the line is not UTF-8 text"))?;
        if text.trim().is_empty() {
            continue;
        }
        let f = fields(text);
        if f.len() != COLUMNS.len() {
            return Err(fault(
                row,
                "file",
                format!(
                    "found {} values; each row has 6: {}",
                    f.len(),
                    COLUMNS.join(",")
                ),
            ));
        }
        let area = Area::parse(f[0]).map_err(|m| fault(row, "area", m))?;
        let band = AgeBand::parse(f[1]).map_err(|m| fault(row, "age_band", m))?;
        let sex = Sex::parse(f[2]).map_err(|m| fault(row, "sex", m))?;
        let ethnicity = parse_ethnicity(f[3]).map_err(|m| fault(row, "ethnicity", m))?;
        let decile = f[4]
            .parse::<u8>()
            .ok()
            .filter(|d| (1..=10).contains(d))
            .ok_or_else(|| {
                fault(
                    row,
                    "deprivation_decile",
                    format!(
                        "{:?} is not a decile; use a whole number from 1 (most deprived) to 10",
                        f[4]
                    ),
                )
            })?;
        let people = f[5]
            .parse::<u64>()
            .ok()
            .filter(|p| *p <= MAX_PEOPLE_PER_ROW)
            .ok_or_else(|| {
                fault(
                    row,
                    "people",
                    format!(
                        "{:?} is not a count; use a whole number from 0 to {MAX_PEOPLE_PER_ROW}",
                        f[5]
                    ),
                )
            })?;
        if population.decile(&area).is_none() && population.areas().len() >= MAX_AREAS {
            return Err(fault(
                row,
                "area",
                format!("more than {MAX_AREAS} districts; a table covers one area's districts"),
            ));
        }
        population
            .add(area, band, sex, ethnicity, decile, people)
            .map_err(|(column, message)| fault(row, column, message))?;
    }
    if population.is_empty() {
        return Err(fault(
            row,
            "file",
            "the file has no rows after the column names",
        ));
    }
    Ok(population)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::about::EthnicityGroup;

    const HEADER: &str = "area,age_band,sex,ethnicity,deprivation_decile,people\n";

    fn read(body: &str) -> Result<Population, CsvError> {
        read_csv(format!("{HEADER}{body}").as_bytes())
    }

    fn check_error(body: &str, row: u64, column: &str, contains: &str) {
        let e = read(body).expect_err("should be refused");
        assert_eq!((e.row, e.column), (row, column), "{e}");
        assert!(e.message.contains(contains), "{e}");
    }

    #[test]
    fn a_good_table_is_read_with_its_totals() {
        let p = read(
            "ME14,8-16,female,white,6,1200\r\nme14,8-16,male,white,6,1250\n\n\"CT1\",0-4,female,asian,2,80\n",
        )
        .unwrap();
        assert_eq!(p.rows(), 3);
        assert_eq!(p.people(), 2530);
        assert_eq!(p.decile(&Area::parse("ME14").unwrap()), Some(6));
        assert_eq!(p.people_where(|c| c.ethnicity == EthnicityGroup::Asian), 80);
    }

    #[test]
    fn each_fault_names_its_row_column_and_what_is_allowed() {
        check_error(
            "ME14,8-16,female,white,6,12\nME14X1,8-16,male,white,6,1\n",
            3,
            "area",
            "outward code",
        );
        check_error(
            "ME14,8-17,female,white,6,12\n",
            2,
            "age_band",
            "0-4, 5-7, 8-16, 17-19 or 20-25",
        );
        check_error("ME14,8-16,f,white,6,12\n", 2, "sex", "female or male");
        check_error(
            "ME14,8-16,female,not_recorded,6,12\n",
            2,
            "ethnicity",
            "white, mixed, asian, black or other",
        );
        check_error(
            "ME14,8-16,female,white,11,12\n",
            2,
            "deprivation_decile",
            "1 (most deprived) to 10",
        );
        check_error(
            "ME14,8-16,female,white,0,12\n",
            2,
            "deprivation_decile",
            "1 (most deprived)",
        );
        check_error("ME14,8-16,female,white,6,-3\n", 2, "people", "whole number");
        check_error(
            "ME14,8-16,female,white,6,10000001\n",
            2,
            "people",
            "0 to 10000000",
        );
        check_error("ME14,8-16,female,white,6\n", 2, "file", "each row has 6");
        check_error(
            "ME14,8-16,female,white,6,1\nME14,8-16,female,white,6,2\n",
            3,
            "people",
            "given twice",
        );
        check_error(
            "ME14,8-16,female,white,6,1\nME14,0-4,female,white,5,2\n",
            3,
            "deprivation_decile",
            "one decile",
        );
        check_error("", 2, "file", "no rows");
    }

    #[test]
    fn the_header_and_the_encoding_are_checked() {
        let e = read_csv("area,band,sex\nME14,8-16,female\n".as_bytes()).unwrap_err();
        assert_eq!((e.row, e.column), (1, "file"));
        assert!(e
            .message
            .contains("area,age_band,sex,ethnicity,deprivation_decile,people"));
        assert_eq!(read_csv("".as_bytes()).unwrap_err().row, 1);
        let bom = format!("\u{feff}{HEADER}ME14,8-16,female,white,6,3\n");
        assert_eq!(read_csv(bom.as_bytes()).unwrap().people(), 3);
        let e =
            read_csv(&b"area,age_band,sex,ethnicity,deprivation_decile,people\n\xff\xfe,1\n"[..])
                .unwrap_err();
        assert_eq!((e.row, e.column), (2, "file"));
    }

    /// An endless line is refused after one buffer, without reading it all.
    #[test]
    fn an_enormous_line_is_refused_without_holding_it() {
        struct Endless(usize);
        impl std::io::Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.0 += buf.len();
                buf.fill(b'7');
                Ok(buf.len())
            }
        }
        let mut source = std::io::BufReader::with_capacity(256, Endless(0));
        let e = read_csv(&mut source).unwrap_err();
        assert_eq!((e.row, e.column), (1, "file"));
        assert!(e.message.contains("longer than 1024 bytes"));
        assert!(
            source.get_ref().0 <= 2 * MAX_LINE_BYTES,
            "read {} bytes",
            source.get_ref().0
        );
    }

    /// A long file is read a line at a time: a million rows over few districts build a table
    /// of their distinct combinations only (the repeats are refused at the first one).
    #[test]
    fn too_many_districts_are_refused_at_the_first_one_over() {
        let mut body = String::new();
        let mut n = 0;
        'outer: for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                for d in 0..=99u32 {
                    body.push_str(&format!(
                        "{}{}{d},8-16,female,white,5,1\n",
                        a as char, b as char
                    ));
                    n += 1;
                    if n > MAX_AREAS {
                        break 'outer;
                    }
                }
            }
        }
        let e = read(&body).unwrap_err();
        assert_eq!((e.row, e.column), (MAX_AREAS as u64 + 2, "area"), "{e}");
    }
}
