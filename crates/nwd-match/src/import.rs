//! Person files: CSV with a header row, as `nowrongdoor persons match-file` and `dedupe` read
//! them. Columns may come in any order and any case; `id` is required, the others
//! ([`COLUMNS`]) optional; empty cells are missing values. Everything that would silently
//! change a match is refused with the line and column named (issue 18: a misspelt header once
//! produced auto-links on date of birth and address alone): an empty file, a header with an
//! unknown or repeated column (the closest known name suggested), a row with the wrong number
//! of cells or a cell that is not UTF-8, an empty or repeated id. Parsing only: the caller
//! opens the file and names it.

use std::collections::HashMap;
use std::io::Read;

use crate::record::Record;

/// Why a person file could not be read. Lines are numbered from 1 as an editor shows them (the
/// header is line 1).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// No bytes, or only blank lines.
    #[error("the file is empty; expected a header like {EXPECTED_HEADER}")]
    Empty,
    /// The header row is unreadable.
    #[error("line 1 (the header) could not be read: {0}")]
    Header(String),
    /// No `id` column.
    #[error("there is no `id` column; expected a header like {EXPECTED_HEADER}")]
    NoIdColumn,
    /// A column the reader does not know: it would be ignored and its values never compared.
    #[error("line 1: unknown column `{column}`{}; the columns are {}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(), KNOWN.join(", "))]
    UnknownColumn {
        /// The header cell as written.
        column: String,
        /// The closest known column, when one is close.
        suggestion: Option<&'static str>,
    },
    /// A column named twice.
    #[error("line 1: column `{column}` appears twice")]
    RepeatedColumn {
        /// The column.
        column: &'static str,
    },
    /// A row with more or fewer cells than the header.
    #[error("line {line}: {found} cells where the header has {expected}")]
    CellCount {
        /// Line number (header = 1).
        line: u64,
        /// Cells in the header.
        expected: usize,
        /// Cells in this row.
        found: usize,
    },
    /// A cell that is not valid UTF-8.
    #[error("line {line}, column `{column}`: not valid UTF-8 text")]
    NotUtf8 {
        /// Line number (header = 1).
        line: u64,
        /// The column.
        column: &'static str,
    },
    /// A row the CSV reader could not read (e.g. an unterminated quote).
    #[error("line {line} could not be read: {reason}")]
    Row {
        /// Line number (header = 1).
        line: u64,
        /// The CSV reader's reason.
        reason: String,
    },
    /// A row without an id.
    #[error("line {line}, column `id`: empty")]
    EmptyId {
        /// Line number (header = 1).
        line: u64,
    },
    /// Two rows with one id: ids are the keys the output is written with.
    #[error("line {line}, column `id`: `{id}` is already the id of line {first_line}")]
    RepeatedId {
        /// The id.
        id: String,
        /// Where it first appeared.
        first_line: u64,
        /// Where it appeared again.
        line: u64,
    },
}

/// The header the messages suggest.
const EXPECTED_HEADER: &str =
    "id,nhs_number,given_name,family_name,date_of_birth,address,postcode,sex";

/// The optional columns, in [`Record`] order.
pub const COLUMNS: [&str; 7] = [
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "address",
    "postcode",
    "sex",
];

/// Every column a person file may have.
const KNOWN: [&str; 8] = [
    "id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "address",
    "postcode",
    "sex",
];

/// Reads every record of a person CSV, refusing what would silently change a match.
pub fn read_records(mut input: impl Read) -> Result<Vec<Record>, ImportError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::Header(e.to_string()))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(&bytes[..]);
    let header = reader
        .byte_headers()
        .map_err(|e| ImportError::Header(e.to_string()))?
        .clone();
    let columns = header_columns(&header)?;
    let position = |name: &str| columns.iter().position(|c| *c == name);
    let id_column = position("id").ok_or(ImportError::NoIdColumn)?;
    let optional = COLUMNS.map(position);
    let mut records = Vec::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    let mut row = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(ImportError::Row {
                    line: e.position().map_or(line, csv::Position::line),
                    reason: e.to_string(),
                })
            }
        }
        let line = row.position().map_or(line, csv::Position::line);
        if row.len() != columns.len() {
            return Err(ImportError::CellCount {
                line,
                expected: columns.len(),
                found: row.len(),
            });
        }
        let mut cells: Vec<&str> = Vec::with_capacity(row.len());
        for (index, raw) in row.iter().enumerate() {
            let cell = std::str::from_utf8(raw).map_err(|_| ImportError::NotUtf8 {
                line,
                column: columns[index],
            })?;
            cells.push(cell.trim());
        }
        let id = cells[id_column];
        if id.is_empty() {
            return Err(ImportError::EmptyId { line });
        }
        if let Some(&first_line) = first_line_of.get(id) {
            return Err(ImportError::RepeatedId {
                id: id.to_owned(),
                first_line,
                line,
            });
        }
        first_line_of.insert(id.to_owned(), line);
        let cell = |index: Option<usize>| {
            index
                .map(|i| cells[i])
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        records.push(Record {
            id: id.to_owned(),
            nhs_number: cell(optional[0]),
            given_name: cell(optional[1]),
            family_name: cell(optional[2]),
            date_of_birth: cell(optional[3]),
            address: cell(optional[4]),
            postcode: cell(optional[5]),
            sex: cell(optional[6]),
        });
    }
    Ok(records)
}

/// The known column of each header cell, refusing unknown and repeated ones.
fn header_columns(header: &csv::ByteRecord) -> Result<Vec<&'static str>, ImportError> {
    let mut columns = Vec::with_capacity(header.len());
    for raw in header {
        let written = String::from_utf8_lossy(raw);
        let name = written
            .trim()
            .trim_start_matches('\u{feff}')
            .to_ascii_lowercase();
        let Some(&column) = KNOWN.iter().find(|k| **k == name) else {
            return Err(ImportError::UnknownColumn {
                column: written.trim().to_owned(),
                suggestion: closest_column(&name),
            });
        };
        if columns.contains(&column) {
            return Err(ImportError::RepeatedColumn { column });
        }
        columns.push(column);
    }
    Ok(columns)
}

/// The known column nearest to `name` by edit distance (spaces and hyphens read as
/// underscores), when it is within a third of the name's length: `givn_name` → `given_name`,
/// `dob`-like abbreviations are not guessed.
fn closest_column(name: &str) -> Option<&'static str> {
    let name: String = name
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    KNOWN
        .iter()
        .map(|known| (edit_distance(&name, known), *known))
        .filter(|(distance, known)| *distance <= known.len().div_ceil(3))
        .min()
        .map(|(_, known)| known)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests;
