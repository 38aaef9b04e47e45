//! `persons match-file` through the real binary (issue 18, cause 7): every problem with the
//! files or the output path is refused before any work, names the file, the line and the
//! column, and writes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const REGISTER: &str = "id,nhs_number,given_name,family_name,date_of_birth,address,postcode\n\
    R1,,Amber,Luvis,2012-03-04,12 Mill Lane Ashford,TN23 1AB\n\
    R2,,Jacob,Luvis,2015-07-09,12 Mill Lane Ashford,TN23 1AB\n";
const QUERIES: &str = "id,given_name,family_name,date_of_birth,address,postcode\n\
    Q1,Amber,Luvis,2012-03-04,12 Mill Lane Ashford,TN23 1AB\n";

/// A fresh folder under the system's temporary folder.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nwd-match-file-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn match_file(register: &Path, queries: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nowrongdoor"))
        .args(["persons", "match-file", "--register"])
        .arg(register)
        .arg("--queries")
        .arg(queries)
        .arg("--out")
        .arg(out)
        .env("NWD_LOG", "warn")
        .output()
        .unwrap()
}

/// The command failed with a message containing every one of `expected`, and wrote nothing.
fn refused(output: &Output, out: &Path, expected: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "should have failed: {stderr}");
    for part in expected {
        assert!(stderr.contains(part), "{part:?} not in: {stderr}");
    }
    assert!(!out.exists(), "{} was written", out.display());
}

#[test]
fn a_good_pair_of_files_is_matched() {
    let dir = folder("good");
    let register = write(&dir, "register.csv", REGISTER.as_bytes());
    let queries = write(&dir, "queries.csv", QUERIES.as_bytes());
    let out = dir.join("out.csv");
    let output = match_file(&register, &queries, &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The register has an nhs_number column with nothing in it: said, not silently ignored.
    assert!(
        stderr.contains("column `nhs_number` is absent or empty"),
        "{stderr}"
    );
    // m is estimated on the pairs between the queries and the register (session 14); one
    // query is too few to learn from, and the output says so.
    assert!(
        stderr.contains("true pairs between the referrals and the register")
            && stderr.contains("too few to learn m from"),
        "{stderr}"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.starts_with("query_id,person_id,score,band\nQ1,"),
        "{written}"
    );
}

#[test]
fn an_output_folder_that_does_not_exist_is_refused_before_anything_is_read() {
    let dir = folder("out");
    // The register is broken too: the output is checked first, so that is what is reported.
    let register = write(&dir, "register.csv", b"");
    let queries = write(&dir, "queries.csv", QUERIES.as_bytes());
    let out = dir.join("missing").join("out.csv");
    refused(
        &match_file(&register, &queries, &out),
        &out,
        &["does not exist"],
    );
    refused(
        &match_file(&register, &queries, &dir),
        &dir.join("nothing"),
        &["is a folder"],
    );
}

#[test]
fn an_empty_file_is_called_empty() {
    let dir = folder("empty");
    let register = write(&dir, "register.csv", b"\n");
    let queries = write(&dir, "queries.csv", QUERIES.as_bytes());
    let out = dir.join("out.csv");
    refused(
        &match_file(&register, &queries, &out),
        &out,
        &["register.csv: the file is empty"],
    );
}

#[test]
fn a_misspelt_column_is_refused_with_the_closest_known_one() {
    let dir = folder("misspelt");
    let register = write(&dir, "register.csv", REGISTER.as_bytes());
    let queries = write(
        &dir,
        "queries.csv",
        b"id,givn_name,family_name,date_of_birth\nQ1,Amber,Luvis,2012-03-04\n",
    );
    let out = dir.join("out.csv");
    refused(
        &match_file(&register, &queries, &out),
        &out,
        &[
            "queries.csv: line 1: unknown column `givn_name`",
            "did you mean `given_name`",
        ],
    );
}

#[test]
fn a_repeated_register_id_names_both_lines() {
    let dir = folder("repeated");
    let register = write(
        &dir,
        "register.csv",
        format!("{REGISTER}R1,,Chloe,Luvis,2010-01-28,,\n").as_bytes(),
    );
    let queries = write(&dir, "queries.csv", QUERIES.as_bytes());
    let out = dir.join("out.csv");
    refused(
        &match_file(&register, &queries, &out),
        &out,
        &["register.csv: line 4, column `id`: `R1` is already the id of line 2"],
    );
}

#[test]
fn a_bad_cell_is_named_by_file_line_and_column() {
    let dir = folder("cell");
    let register = write(&dir, "register.csv", REGISTER.as_bytes());
    let queries = write(
        &dir,
        "queries.csv",
        b"id,given_name,address\nQ1,Amber,12 Mill Lane\nQ2,Jacob,12 M\xffll Lane\n",
    );
    let out = dir.join("out.csv");
    refused(
        &match_file(&register, &queries, &out),
        &out,
        &["queries.csv: line 3, column `address`: not valid UTF-8"],
    );
    let queries = write(
        &dir,
        "queries.csv",
        b"id,given_name\nQ1,Amber\nQ2,Jacob,extra\n",
    );
    refused(
        &match_file(&register, &queries, &out),
        &out,
        &["queries.csv: line 3: 3 cells where the header has 2"],
    );
}
