//! Architecture invariant: `nwd-domain` performs no I/O. No database driver, async runtime,
//! HTTP framework or client, or I/O reactor may ever reach it, directly or transitively.
//!
//! Enforced the way rust-analyzer's `xtask/src/tidy.rs` enforces its rules: read the resolved
//! dependency graph from `cargo metadata` and walk it from `nwd-domain`, following normal and
//! build dependencies (dev-dependencies are for tests and never ship).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Crate names (or name prefixes, ending in `*`) that must never reach the domain.
const FORBIDDEN: &[&str] = &[
    "sqlx*",
    "tokio*",
    "axum*",
    "reqwest*",
    "hyper*",
    "rusqlite",
    "postgres",
    "async-std",
    "mio",
];

fn is_forbidden(name: &str) -> bool {
    FORBIDDEN
        .iter()
        .any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == *pattern,
        })
}

/// `cargo metadata` for the workspace, with every feature on so that no optional
/// dependency of the domain (e.g. `openapi`) can smuggle I/O in.
fn metadata() -> Value {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--all-features"])
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

/// Every package reachable from `nwd-domain` through normal and build dependencies, each with
/// the chain of package names that brings it in.
fn reachable_from_domain(metadata: &Value) -> BTreeMap<String, Vec<String>> {
    let names: BTreeMap<&str, &str> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("package id"),
                p["name"].as_str().expect("package name"),
            )
        })
        .collect();
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("resolve.nodes (run without --no-deps)")
        .iter()
        .map(|n| (n["id"].as_str().expect("node id"), n))
        .collect();
    let root = names
        .iter()
        .find(|(_, name)| **name == "nwd-domain")
        .map(|(id, _)| *id)
        .expect("nwd-domain is a package of the workspace");

    let mut chains: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut seen: BTreeSet<&str> = BTreeSet::from([root]);
    let mut queue: VecDeque<(&str, Vec<String>)> =
        VecDeque::from([(root, vec!["nwd-domain".to_string()])]);
    while let Some((id, chain)) = queue.pop_front() {
        let node = nodes.get(id).expect("every package id has a resolve node");
        for dep in node["deps"].as_array().expect("deps") {
            let shipped = dep["dep_kinds"]
                .as_array()
                .expect("dep_kinds")
                .iter()
                .any(|kind| kind["kind"].as_str() != Some("dev"));
            if !shipped {
                continue;
            }
            let dep_id = dep["pkg"].as_str().expect("dep pkg id");
            if seen.insert(dep_id) {
                let name = names[dep_id].to_string();
                let mut dep_chain = chain.clone();
                dep_chain.push(name.clone());
                chains.entry(name).or_insert_with(|| dep_chain.clone());
                queue.push_back((dep_id, dep_chain));
            }
        }
    }
    chains
}

#[test]
fn forbidden_names_match_families_and_exact_names() {
    for name in [
        "tokio",
        "tokio-util",
        "sqlx-core",
        "axum-core",
        "hyper-util",
        "mio",
    ] {
        assert!(is_forbidden(name), "{name} should be forbidden");
    }
    for name in ["jiff", "serde", "uuid", "thiserror", "miotic"] {
        assert!(!is_forbidden(name), "{name} should be allowed");
    }
}

#[test]
fn no_io_crate_reaches_the_domain() {
    let reachable = reachable_from_domain(&metadata());

    // If the walk were broken it would find nothing and pass vacuously: it must see the
    // domain's known data dependencies.
    for known in ["jiff", "serde", "uuid", "thiserror"] {
        assert!(
            reachable.contains_key(known),
            "the dependency walk did not find {known}; found {:?}",
            reachable.keys().collect::<Vec<_>>()
        );
    }
    // Dev-dependencies are not followed.
    assert!(
        !reachable.contains_key("proptest"),
        "dev-dependencies must not be walked"
    );

    let offenders: Vec<String> = reachable
        .iter()
        .filter(|(name, _)| is_forbidden(name))
        .map(|(_, chain)| chain.join(" -> "))
        .collect();
    assert!(
        offenders.is_empty(),
        "nwd-domain must stay pure (no I/O, no async, no database, no HTTP), but these reach it:\n{}",
        offenders.join("\n")
    );
}
