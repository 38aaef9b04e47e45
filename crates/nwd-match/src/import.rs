//! Person files: CSV with a header row, as `nowrongdoor persons match-file` and `dedupe` read
//! them. Columns may come in any order and any case; only `id` is required; empty cells are
//! missing values; unknown columns (including `sex`, for now) are ignored. Parsing only: the
//! caller opens the file.

use std::io::Read;

use crate::record::Record;

/// Why a person file could not be read. Rows are numbered as a spreadsheet shows them (the
/// header is row 1).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The header row is missing or unreadable.
    #[error("the header row could not be read: {0}")]
    Header(csv::Error),
    /// No `id` column.
    #[error("there is no `id` column; expected a header like id,nhs_number,given_name,family_name,date_of_birth,address,postcode")]
    NoIdColumn,
    /// A row is not valid CSV (e.g. not UTF-8, or a different number of cells).
    #[error("row {row} could not be read: {source}")]
    Row {
        /// Row number (header = 1).
        row: u64,
        /// The CSV error.
        source: csv::Error,
    },
    /// A row without an id.
    #[error("row {row} has an empty id")]
    EmptyId {
        /// Row number (header = 1).
        row: u64,
    },
}

/// The optional columns, in [`Record`] order.
const COLUMNS: [&str; 6] = [
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "address",
    "postcode",
];

/// Reads every record of a person CSV.
pub fn read_records(input: impl Read) -> Result<Vec<Record>, ImportError> {
    let mut reader = csv::Reader::from_reader(input);
    let headers = reader.headers().map_err(ImportError::Header)?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let id_column = column("id").ok_or(ImportError::NoIdColumn)?;
    let columns = COLUMNS.map(column);
    let mut records = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let row_number = index as u64 + 2;
        let row = row.map_err(|source| ImportError::Row {
            row: row_number,
            source,
        })?;
        let cell = |index: Option<usize>| {
            index
                .and_then(|i| row.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let id = row.get(id_column).unwrap_or("").to_string();
        if id.is_empty() {
            return Err(ImportError::EmptyId { row: row_number });
        }
        records.push(Record {
            id,
            nhs_number: cell(columns[0]),
            given_name: cell(columns[1]),
            family_name: cell(columns[2]),
            date_of_birth: cell(columns[3]),
            address: cell(columns[4]),
            postcode: cell(columns[5]),
            sex: None,
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::{read_records, ImportError};

    #[test]
    fn columns_in_any_order_and_case_with_empty_cells_missing() {
        let records =
            read_records(&b"Postcode, ID ,given_name,extra\nme14 1xx,p1,Ada,x\n,p2,,y\n"[..])
                .unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].id, "p1");
        assert_eq!(records[0].postcode.as_deref(), Some("me14 1xx"));
        assert_eq!(records[0].given_name.as_deref(), Some("Ada"));
        assert_eq!(records[1].postcode, None);
        assert_eq!(records[1].family_name, None);
    }

    #[test]
    fn errors_name_the_row() {
        assert!(matches!(
            read_records(&b"given_name\nAda\n"[..]),
            Err(ImportError::NoIdColumn)
        ));
        assert!(matches!(
            read_records(&b"id,given_name\np1,Ada\n,Bo\n"[..]),
            Err(ImportError::EmptyId { row: 3 })
        ));
        assert!(matches!(
            read_records(&b"id,given_name\np1,Ada,extra\n"[..]),
            Err(ImportError::Row { row: 2, .. })
        ));
    }
}
