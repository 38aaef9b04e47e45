//! The person-file reader: what it accepts, and every refusal naming the line and column.

use super::{read_records, ImportError};

fn read(text: &[u8]) -> Result<Vec<crate::Record>, ImportError> {
    read_records(text)
}

#[test]
fn columns_in_any_order_and_case_with_empty_cells_missing() {
    let records = read(b"Postcode, ID ,given_name,SEX\nme14 1xx,p1,Ada,F\n,p2,,\n").unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].id, "p1");
    assert_eq!(records[0].postcode.as_deref(), Some("me14 1xx"));
    assert_eq!(records[0].given_name.as_deref(), Some("Ada"));
    assert_eq!(records[0].sex.as_deref(), Some("F"));
    assert_eq!(records[1].postcode, None);
    assert_eq!(records[1].family_name, None);
}

#[test]
fn an_empty_file_says_so() {
    for empty in [&b""[..], b"\n\n", b"  \r\n"] {
        let error = read(empty).unwrap_err();
        assert!(matches!(error, ImportError::Empty), "{error:?}");
        assert!(
            error.to_string().starts_with("the file is empty"),
            "{error}"
        );
    }
}

#[test]
fn unknown_columns_are_refused_with_the_closest_known_one() {
    let error =
        read(b"id,givn_name,family_name,date_of_brith\np1,Ada,Lovelace,2012-01-01\n").unwrap_err();
    assert!(
        matches!(&error, ImportError::UnknownColumn { column, suggestion: Some("given_name") } if column == "givn_name"),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("did you mean `given_name`"),
        "{error}"
    );
    let error = read(b"id,Date of Birth\np1,2012-01-01\n").unwrap_err();
    assert!(
        matches!(
            &error,
            ImportError::UnknownColumn {
                suggestion: Some("date_of_birth"),
                ..
            }
        ),
        "{error:?}"
    );
    let error = read(b"id,favourite_colour\np1,green\n").unwrap_err();
    assert!(
        matches!(
            &error,
            ImportError::UnknownColumn {
                suggestion: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(matches!(
        read(b"id,postcode,POSTCODE\np1,a,b\n").unwrap_err(),
        ImportError::RepeatedColumn { column: "postcode" }
    ));
}

#[test]
fn errors_name_the_line_and_the_column() {
    assert!(matches!(
        read(b"given_name\nAda\n").unwrap_err(),
        ImportError::NoIdColumn
    ));
    assert!(matches!(
        read(b"id,given_name\np1,Ada\n,Bo\n").unwrap_err(),
        ImportError::EmptyId { line: 3 }
    ));
    assert!(matches!(
        read(b"id,given_name\np1,Ada\np2,Bo,extra\n").unwrap_err(),
        ImportError::CellCount {
            line: 3,
            expected: 2,
            found: 3
        }
    ));
    let error =
        read(b"id,given_name,address\np1,Ada,1 Mill Lane\np2,Bo,2 \xff Lane\n").unwrap_err();
    assert!(
        matches!(
            error,
            ImportError::NotUtf8 {
                line: 3,
                column: "address"
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "line 3, column `address`: not valid UTF-8 text"
    );
}

#[test]
fn a_repeated_id_names_both_lines() {
    let error = read(b"id,given_name\np1,Ada\np2,Bo\np1,Cy\n").unwrap_err();
    assert!(
        matches!(&error, ImportError::RepeatedId { id, first_line: 2, line: 4 } if id == "p1"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "line 4, column `id`: `p1` is already the id of line 2"
    );
}
