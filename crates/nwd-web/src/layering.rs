//! The web crate's layering, enforced by reading its source tree (as `nwd-domain`'s purity test
//! reads `cargo metadata`):
//!
//! - the two doors, the JSON API (`api/`) and the pages (`pages/`), never import each other;
//! - the shared use cases (`usecase/`) import neither door;
//! - the HTTP kernel (`extract`, `headers`, `limits`, `problem`, `proxy`, `server`,
//!   `openapi_responses`, `secure`) imports no door and no use case — except that the route
//!   guard (`secure`) renders its HTML refusals with `pages::refusal`;
//! - no other crate of the workspace reaches into a door or a use case of this one (the CLI's
//!   `serve` wires the server through `AppState`, `limits`, `proxy`, `server` and `secure`;
//!   what the simulator calibrates from is `nwd_store::calibrate`'s).
//!
//! A reference is any path `crate::x…`, `crate::{x, …}` or `super::…` that resolves to the
//! crate's top-level module `x`, outside comments.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The crate's top-level modules that one source file refers to. `module` is the file's
/// module path inside the crate (`["api", "intake"]` for `src/api/intake.rs`, `["api"]` for
/// `src/api/mod.rs`), so that `super::` resolves.
fn referenced_modules(source: &str, module: &[&str]) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = code.as_bytes();
    let mut found = BTreeSet::new();
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        let starts_word = at == 0 || !is_ident(bytes[at - 1]);
        if starts_word && rest.starts_with("crate::") {
            let after = &rest["crate::".len()..];
            found.extend(first_segments(after));
            at += "crate::".len();
        } else if starts_word && rest.starts_with("super::") {
            let mut after = rest;
            let mut depth = 0;
            while let Some(next) = after.strip_prefix("super::") {
                after = next;
                depth += 1;
            }
            match module.len().checked_sub(depth) {
                Some(0) => found.extend(first_segments(after)),
                Some(_) => {
                    found.insert(module[0].to_owned());
                }
                None => {}
            }
            at += "super::".len() * depth;
        } else {
            at += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    found
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$'
}

/// The first segment of a path (`pages` in `pages::layout`), or of each item of a group
/// (`api` and `pages` in `{api, pages::layout}`).
fn first_segments(path: &str) -> Vec<String> {
    let ident = |text: &str| -> String {
        text.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let Some(group) = path.strip_prefix('{') else {
        return vec![ident(path)];
    };
    let mut items = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => item_start = true,
            c if item_start && !c.is_whitespace() => {
                items.push(ident(&group[i..]));
                item_start = false;
            }
            _ => {}
        }
    }
    items
}

/// Every `.rs` file under `dir`, with its module path inside the crate.
fn rust_files(src: &Path, dir: &Path, files: &mut Vec<(PathBuf, Vec<String>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(src, &path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src).unwrap_or(&path).with_extension("");
            let mut module: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|m| m == "mod" || m == "lib") {
                module.pop();
            }
            files.push((path, module));
        }
    }
}

/// What a top-level module may not refer to.
fn forbidden_for(top: &str) -> &'static [&'static str] {
    match top {
        "api" => &["pages"],
        "pages" => &["api"],
        "usecase" => &["api", "pages"],
        "secure" => &["api", "usecase"],
        "extract" | "headers" | "limits" | "problem" | "proxy" | "server" | "openapi_responses" => {
            &["api", "pages", "usecase"]
        }
        _ => &[],
    }
}

#[test]
fn no_door_imports_the_other_and_the_kernel_imports_no_door() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    assert!(
        files.len() > 50,
        "the walk should find the crate's files, found {}",
        files.len()
    );
    let mut offences = Vec::new();
    for (path, module) in &files {
        let Some(top) = module.first() else { continue };
        let source = std::fs::read_to_string(path).unwrap_or_default();
        let module: Vec<&str> = module.iter().map(String::as_str).collect();
        for referenced in referenced_modules(&source, &module) {
            if forbidden_for(top).contains(&referenced.as_str()) {
                offences.push(format!("{} imports crate::{referenced}", path.display()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the web crate's layering is broken (see src/layering.rs):\n{}",
        offences.join("\n")
    );
}

#[test]
fn no_other_crate_reaches_into_a_door_or_a_use_case() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut offences = Vec::new();
    let mut walked = 0;
    for entry in std::fs::read_dir(&crates).into_iter().flatten().flatten() {
        if entry.file_name() == "nwd-web" {
            continue;
        }
        let mut files = Vec::new();
        for part in ["src", "tests", "benches", "examples"] {
            let dir = entry.path().join(part);
            rust_files(&dir, &dir, &mut files);
        }
        for (path, _) in files {
            walked += 1;
            let source = std::fs::read_to_string(&path).unwrap_or_default();
            for door in ["nwd_web::api", "nwd_web::pages", "nwd_web::usecase"] {
                let used = source
                    .lines()
                    .filter(|line| !line.trim_start().starts_with("//"))
                    .any(|line| line.contains(door));
                if used {
                    offences.push(format!("{} uses {door}", path.display()));
                }
            }
        }
    }
    assert!(walked > 20, "the walk should find the other crates' files");
    assert!(
        offences.is_empty(),
        "only the web crate may use its doors and use cases:\n{}",
        offences.join("\n")
    );
}

#[test]
fn references_are_resolved_from_paths_groups_and_super() {
    #[track_caller]
    fn check(source: &str, module: &[&str], expected: &[&str]) {
        let found = referenced_modules(source, module);
        let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(found, expected, "in {module:?}: {source}");
    }
    check(
        "use crate::pages::layout::see_other;",
        &["api", "intake"],
        &["pages"],
    );
    check(
        "let x = crate::api::admin::by(&p);",
        &["pages", "teams"],
        &["api"],
    );
    check(
        "use crate::{api::admin, pages, secure::{SecureRouter, RoutePolicy}};",
        &["usecase", "accounts"],
        &["api", "pages", "secure"],
    );
    check(
        "use super::super::pages::form;",
        &["api", "intake"],
        &["pages"],
    );
    check(
        "use super::form::FormData;",
        &["pages", "admin"],
        &["pages"],
    );
    check("use super::pages;", &["api"], &["pages"]);
    check(
        "// crate::pages in a comment\n/// and crate::api",
        &["api", "x"],
        &[],
    );
    check(
        "use nwd_domain::something_crate::pages;",
        &["api", "x"],
        &[],
    );
    check(
        "#[utoipa::path(body = crate::usecase::status::PublicStatus)]",
        &["api", "intake"],
        &["usecase"],
    );
}
