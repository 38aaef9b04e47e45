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

/// A large file is read in parts on all cores (issue 18): the same records, and the same first
/// refusal in file order with its line, as reading it on one thread.
#[test]
fn reading_in_parts_equals_reading_on_one_thread() {
    use super::read_records_in_parts;
    let mut text = String::from("id,given_name,family_name,date_of_birth\n");
    for i in 0..2000 {
        if i % 97 == 0 {
            text.push('\n');
        }
        text.push_str(&format!("p{i},Ada{i},Lovelace,2012-01-{:02}\n", 1 + i % 28));
    }
    let whole = |t: &str| read_records_in_parts(t.as_bytes(), usize::MAX);
    let parts = |t: &str| read_records_in_parts(t.as_bytes(), 64);
    let one = whole(&text).unwrap();
    assert_eq!(one.len(), 2000);
    assert_eq!(parts(&text).unwrap(), one);
    let refusal = |t: &str| {
        (
            whole(t).unwrap_err().to_string(),
            parts(t).unwrap_err().to_string(),
        )
    };
    // A short row late in the file, alone and after an id repeated earlier.
    let short = text.replace("p1900,Ada1900,Lovelace,", "p1900,Ada1900,");
    let (a, b) = refusal(&short);
    assert_eq!(a, b);
    assert!(a.starts_with("line 1922: 3 cells"), "{a}");
    let repeated = short.replace("p1500,", "p3,");
    let (a, b) = refusal(&repeated);
    assert_eq!(a, b);
    assert!(a.contains("`p3` is already the id of line 6"), "{a}");
    // Repeated across the parts, and an empty id in the second.
    let (a, b) = refusal(&text.replace("p1999,", "p0,"));
    assert_eq!(a, b);
    let (a, b) = refusal(&text.replace("p1800,", ","));
    assert_eq!(a, b);
    assert!(a.contains("column `id`: empty"), "{a}");
}
