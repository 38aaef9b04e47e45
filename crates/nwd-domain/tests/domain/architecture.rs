//! `ARCHITECTURE.md`'s walkthroughs stay true: every source file they name exists, and every
//! function they name (`Type::function` or `module::function`, in backticks) is defined in the
//! crates' sources. A rename that leaves a walkthrough behind fails here.
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
fn the_walkthroughs_name_files_and_functions_that_exist() {
    let text = std::fs::read_to_string(repo_root().join("ARCHITECTURE.md")).unwrap();
    let sections = walkthroughs(&text);
    assert!(sections.len() >= 2, "two walkthroughs at least");
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
                    assert!(
                        all.iter()
                            .any(|(_, s)| s.contains(&definition) || s.contains(&generic)),
                        "ARCHITECTURE.md names {token}, but no crate defines fn {name}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 10, "only {checked} names checked");
}
