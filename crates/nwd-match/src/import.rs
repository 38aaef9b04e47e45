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
pub fn read_records(input: impl Read) -> Result<Vec<Record>, ImportError> {
    read_records_in_parts(input, MIN_PART_BYTES)
}

/// Smallest part of a file read on a thread of its own: below this, one thread reads it all.
const MIN_PART_BYTES: usize = 1 << 20;

/// [`read_records`], reading a large file in parts on all cores (issue 18: a million-person
/// register took seconds to read on one). Rows end at line ends, so a file is cut only where
/// no quoted cell can hold a line break — a file with no `"` at all; others are read on one
/// thread. The result, and the first refusal in file order, are those of reading on one.
pub(crate) fn read_records_in_parts(
    mut input: impl Read,
    min_part_bytes: usize,
) -> Result<Vec<Record>, ImportError> {
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
    let layout = Layout {
        id: position("id").ok_or(ImportError::NoIdColumn)?,
        optional: COLUMNS.map(position),
        columns: &columns,
    };
    let body_start = reader.position().byte() as usize;
    let body_line = reader.position().line();
    let parts = parts(
        &bytes[body_start.min(bytes.len())..],
        body_line,
        min_part_bytes,
    );
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let read: Vec<PartRead> = if parts.len() == 1 || threads == 1 {
        parts
            .iter()
            .map(|&(text, line)| layout.read(text, line))
            .collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .map(|&(text, line)| scope.spawn(move || layout.read(text, line)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    // The first refusal in file order: a row's own, or an id repeated before it.
    let mut records = Vec::with_capacity(read.iter().map(|p| p.records.len()).sum());
    let mut lines = Vec::with_capacity(records.capacity());
    let mut row_error = None;
    for part in read {
        records.extend(part.records);
        lines.extend(part.lines);
        if let Some(error) = part.error {
            row_error = Some(error);
            break;
        }
    }
    let mut first_line_of: HashMap<&str, u64> = HashMap::with_capacity(records.len());
    for (record, &line) in records.iter().zip(&lines) {
        if let Some(&first_line) = first_line_of.get(record.id.as_str()) {
            return Err(ImportError::RepeatedId {
                id: record.id.clone(),
                first_line,
                line,
            });
        }
        first_line_of.insert(&record.id, line);
    }
    drop(first_line_of);
    match row_error {
        Some(error) => Err(error),
        None => Ok(records),
    }
}

/// The body cut into about one part per core at line ends (only when no cell is quoted), each
/// with the line number it starts on.
fn parts(body: &[u8], first_line: u64, min_part_bytes: usize) -> Vec<(&[u8], u64)> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let wanted = threads.min(body.len() / min_part_bytes.max(1)).max(1);
    if wanted == 1 || body.contains(&b'"') {
        return vec![(body, first_line)];
    }
    let mut out = Vec::with_capacity(wanted);
    let (mut start, mut line) = (0, first_line);
    for k in 1..wanted {
        let target = (body.len() * k / wanted).max(start);
        let Some(newline) = body[target..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let end = target + newline + 1;
        out.push((&body[start..end], line));
        line += body[start..end].iter().filter(|&&b| b == b'\n').count() as u64;
        start = end;
    }
    out.push((&body[start..], line));
    out
}

/// Where each column is.
#[derive(Clone, Copy)]
struct Layout<'a> {
    id: usize,
    optional: [Option<usize>; COLUMNS.len()],
    columns: &'a [&'static str],
}

/// One part's records with their line numbers, up to its first refusal.
struct PartRead {
    records: Vec<Record>,
    lines: Vec<u64>,
    error: Option<ImportError>,
}

impl Layout<'_> {
    /// Reads the rows of one part (no header), numbering lines from `first_line`.
    fn read(&self, text: &[u8], first_line: u64) -> PartRead {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(text);
        let mut out = PartRead {
            records: Vec::new(),
            lines: Vec::new(),
            error: None,
        };
        let global = |local: u64| first_line + local - 1;
        let mut row = csv::ByteRecord::new();
        loop {
            let line = global(reader.position().line());
            match reader.read_byte_record(&mut row) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    out.error = Some(ImportError::Row {
                        line: e.position().map_or(line, |p| global(p.line())),
                        reason: e.to_string(),
                    });
                    break;
                }
            }
            let line = row.position().map_or(line, |p| global(p.line()));
            match self.record(&row, line) {
                Ok(record) => {
                    out.records.push(record);
                    out.lines.push(line);
                }
                Err(error) => {
                    out.error = Some(error);
                    break;
                }
            }
        }
        out
    }

    /// One row as a record, or why it is refused.
    fn record(&self, row: &csv::ByteRecord, line: u64) -> Result<Record, ImportError> {
        if row.len() != self.columns.len() {
            return Err(ImportError::CellCount {
                line,
                expected: self.columns.len(),
                found: row.len(),
            });
        }
        let mut cells: [&str; KNOWN.len()] = [""; KNOWN.len()];
        for (index, raw) in row.iter().enumerate() {
            let cell = std::str::from_utf8(raw).map_err(|_| ImportError::NotUtf8 {
                line,
                column: self.columns[index],
            })?;
            cells[index] = cell.trim();
        }
        let id = cells[self.id];
        if id.is_empty() {
            return Err(ImportError::EmptyId { line });
        }
        let cell = |index: Option<usize>| {
            index
                .map(|i| cells[i])
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Ok(Record {
            id: id.to_owned(),
            nhs_number: cell(self.optional[0]),
            given_name: cell(self.optional[1]),
            family_name: cell(self.optional[2]),
            date_of_birth: cell(self.optional[3]),
            address: cell(self.optional[4]),
            postcode: cell(self.optional[5]),
            sex: cell(self.optional[6]),
        })
    }
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
