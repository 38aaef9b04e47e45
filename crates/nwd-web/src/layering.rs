//! The web layers, enforced on the resolved crate graph (`cargo metadata`, as `nwd-domain`'s
//! purity test does, after rust-analyzer's `xtask/src/tidy.rs`). Since the doors, the kernel
//! and the use cases are crates, Cargo itself refuses an import against the direction; this
//! test keeps anyone from adding the dependency that would allow one:
//!
//! - the use cases (`nwd-usecase`) know no HTTP: no web crate, no axum;
//! - the kernel (`nwd-http`) knows no door;
//! - the two doors (`nwd-api`, `nwd-pages`) never depend on each other nor on the assembly;
//! - only the command line (`serve`) and the benchmarks, which start the whole server, depend
//!   on the assembly (`nwd-web`), and neither reaches into a door (the command line calls use
//!   cases and the store, never a handler).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Each workspace crate's normal and build dependencies among packages whose name starts
/// with `nwd-` or is a web framework crate.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--all-features",
            "--no-deps",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let mut graph = BTreeMap::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().expect("name").to_owned();
        let deps: BTreeSet<String> = package["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            // `kind` is null for normal dependencies, "build" or "dev" otherwise.
            .filter(|d| d["kind"].as_str() != Some("dev"))
            .map(|d| d["name"].as_str().expect("dependency name").to_owned())
            .collect();
        graph.insert(name, deps);
    }
    graph
}

/// What each crate must not depend on (directly; the direct rule on every crate makes the
/// transitive one hold too).
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "nwd-usecase",
        &[
            "nwd-http",
            "nwd-api",
            "nwd-pages",
            "nwd-web",
            "axum",
            "askama",
        ],
    ),
    ("nwd-http", &["nwd-api", "nwd-pages", "nwd-web", "askama"]),
    ("nwd-api", &["nwd-pages", "nwd-web", "askama"]),
    ("nwd-pages", &["nwd-api", "nwd-web"]),
    (
        "nwd-store",
        &["nwd-http", "nwd-usecase", "nwd-api", "nwd-pages", "nwd-web"],
    ),
    ("nwd-cli", &["nwd-api", "nwd-pages"]),
    ("nwd-bench", &["nwd-api", "nwd-pages"]),
    (
        "nwd-sim",
        &["nwd-http", "nwd-usecase", "nwd-api", "nwd-pages", "nwd-web"],
    ),
];

#[test]
fn each_layer_depends_only_downwards() {
    let graph = graph();
    let mut offences = Vec::new();
    for (krate, forbidden) in FORBIDDEN {
        let deps = graph
            .get(*krate)
            .unwrap_or_else(|| panic!("{krate} is a workspace crate"));
        for dependency in *forbidden {
            if deps.contains(*dependency) {
                offences.push(format!("{krate} depends on {dependency}"));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "dependencies against the layering:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_doors_stand_on_the_kernel_and_the_use_cases() {
    let graph = graph();
    for door in ["nwd-api", "nwd-pages"] {
        for below in ["nwd-http", "nwd-usecase"] {
            assert!(
                graph[door].contains(below),
                "{door} should use {below} (or this test names the wrong crates)"
            );
        }
    }
    assert!(graph["nwd-web"].contains("nwd-api") && graph["nwd-web"].contains("nwd-pages"));
}

#[test]
fn only_the_command_line_and_the_benchmarks_start_the_assembly() {
    let graph = graph();
    let users: Vec<&String> = graph
        .iter()
        .filter(|(_, deps)| deps.contains("nwd-web"))
        .map(|(name, _)| name)
        .collect();
    assert!(
        users
            .iter()
            .all(|name| *name == "nwd-cli" || *name == "nwd-bench"),
        "only nwd-cli and nwd-bench may depend on nwd-web: {users:?}"
    );
}
