//! `ARCHITECTURE.md` stays true: every source file it names exists, and every function it
//! names (`Type::function` or `module::function`, in backticks) — in the code map, the table of
//! where each rule lives (whose tests are named `file.rs::test_name`) and the walkthroughs — is
//! defined in the crates' sources. A rename that leaves the document behind fails here.
//!
//! It lives with the domain's tests because it needs nothing but the files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, recursively.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The walkthrough sections: from each `## Walkthrough` heading to the next `## `.
fn walkthroughs(text: &str) -> Vec<&str> {
    let mut sections = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("\n## Walkthrough") {
        let body = &rest[start + 1..];
        let end = body[3..].find("\n## ").map_or(body.len(), |e| e + 3);
        sections.push(&body[..end]);
        rest = &body[end..];
    }
    sections
}

#[test]
fn the_document_names_files_and_functions_that_exist() {
    let text = std::fs::read_to_string(repo_root().join("ARCHITECTURE.md")).unwrap();
    assert!(walkthroughs(&text).len() >= 2, "two walkthroughs at least");
    let sections = [text.as_str()];
    let mut files = Vec::new();
    sources(&repo_root().join("crates"), &mut files);
    let all: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            (
                f.to_string_lossy().replace('\\', "/"),
                std::fs::read_to_string(f).unwrap(),
            )
        })
        .collect();
    let mut checked = 0;
    for section in sections {
        for (i, token) in section.split('`').enumerate() {
            if i % 2 == 0 || token.contains(' ') {
                continue;
            }
            if let Some(file) = token.strip_suffix(".rs") {
                let wanted = format!("/{file}.rs");
                assert!(
                    all.iter().any(|(path, _)| path.ends_with(&wanted)),
                    "ARCHITECTURE.md names {token}, which no crate has"
                );
                checked += 1;
            } else if token.contains("::") {
                let name = token.rsplit("::").next().unwrap();
                if name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                {
                    let definition = format!("fn {name}(");
                    let generic = format!("fn {name}<");
                    let module = format!("mod {name}");
                    let file = format!("/{name}.rs");
                    assert!(
                        all.iter().any(|(path, s)| s.contains(&definition)
                            || s.contains(&generic)
                            || s.contains(&module)
                            || path.ends_with(&file)),
                        "ARCHITECTURE.md names {token}, but no crate defines a fn or module {name}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} names checked");
}

/// The code map gives every crate of the workspace an entry of at most a dozen lines
/// (issue 16: short enough to stay true), and names no crate that does not exist.
#[test]
fn the_code_map_covers_every_crate_in_a_dozen_lines_each() {
    let text = std::fs::read_to_string(repo_root().join("ARCHITECTURE.md")).unwrap();
    let start = text.find("\n## Code map").expect("a code map section");
    let body = &text[start + 1..];
    let end = body[3..].find("\n## ").map_or(body.len(), |e| e + 3);
    let map = &body[..end];
    let mut entries: Vec<(String, usize)> = Vec::new();
    for paragraph in map.split("\n\n") {
        if let Some(rest) = paragraph.trim_start().strip_prefix("**`") {
            let name = rest.split('`').next().unwrap().to_owned();
            entries.push((name, paragraph.trim().lines().count()));
        }
    }
    let mut crates: Vec<String> = std::fs::read_dir(repo_root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort();
    let mut named: Vec<String> = entries.iter().map(|(n, _)| n.clone()).collect();
    named.sort();
    assert_eq!(named, crates, "one code-map entry per crate");
    for (name, lines) in entries {
        assert!(
            lines <= 12,
            "{name}'s entry has {lines} lines; keep it to a dozen"
        );
    }
}
