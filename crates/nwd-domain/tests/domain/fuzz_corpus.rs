//! The committed fuzz corpora (`fuzz/corpus/<target>/`) as regression tests on stable Rust:
//! every file goes through the same entry function the cargo-fuzz target calls, which
//! asserts the parser's invariants (docs/fuzzing.md). A crash once found stays fixed.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "{} has only {} files",
        dir.display(),
        files.len()
    );
    files
}

fn run(target: &str, check: fn(&[u8])) {
    for (path, bytes) in corpus(target) {
        let outcome = std::panic::catch_unwind(|| check(&bytes));
        assert!(
            outcome.is_ok(),
            "{} failed (see the panic above)",
            path.display()
        );
    }
}

#[test]
fn domain_values_corpus_never_panics_and_round_trips() {
    run("domain_values", nwd_domain::fuzz::domain_values);
}
