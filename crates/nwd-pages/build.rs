//! Builds the web pages' assets and the urgent-help configuration into the binary.
//!
//! 1. The NHS design system comes from npm (`web/package.json`, pinned by
//!    `web/package-lock.json`). When `web/node_modules` is missing this runs
//!    `npm ci --prefix web --ignore-scripts`; nothing from the package is copied into the
//!    repository.
//! 2. The compiled CSS and JS, the images and the web manifest the package ships under
//!    `dist/nhsuk/` are written to `OUT_DIR` with our own `web/src/nwd.css` and `nwd.js`, and
//!    `assets.rs` lists them for `include_bytes!`. The package's CSS loads the Frutiger web
//!    fonts from `https://assets.nhs.uk` (licensed to NHS services); pages make no request to
//!    another origin, so those `@font-face` rules are dropped and the NHS font stack falls
//!    back to Arial. The build fails if any other reference to another origin remains.
//! 3. `config/urgent-help.toml` is checked field by field and written as Rust (`urgent_help.rs`),
//!    so a server can never start without its crisis numbers.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

type BuildResult<T> = Result<T, String>;

fn main() {
    if let Err(message) = run() {
        eprintln!("nwd-web build: {message}");
        std::process::exit(1);
    }
}

fn run() -> BuildResult<()> {
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let repo = manifest
        .join("../..")
        .canonicalize()
        .map_err(|e| format!("repository root: {e}"))?;
    let web = repo.join("web");
    let out = PathBuf::from(env("OUT_DIR")?);
    for watched in [
        web.join("package.json"),
        web.join("package-lock.json"),
        web.join("node_modules/.package-lock.json"),
        web.join("src"),
        repo.join("config/urgent-help.toml"),
    ] {
        println!("cargo:rerun-if-changed={}", watched.display());
    }
    let dist = web.join("node_modules/nhsuk-frontend/dist/nhsuk");
    if !dist.is_dir() {
        npm_ci(&web)?;
    }
    write_assets(&web, &dist, &out)?;
    write_urgent_help(&repo.join("config/urgent-help.toml"), &out)?;
    Ok(())
}

fn env(name: &str) -> BuildResult<String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

fn npm_ci(web: &Path) -> BuildResult<()> {
    let status = Command::new("npm")
        .args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--prefix",
        ])
        .arg(web)
        .status()
        .map_err(|e| {
            format!(
                "web/node_modules is missing and npm could not be run ({e}); install Node.js \
                 and npm, then run `npm ci --prefix web` (scripts/test does this)"
            )
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`npm ci --prefix {}` failed ({status}); run it yourself to see why",
            web.display()
        ))
    }
}

/// One asset: URL path, content type, file in `OUT_DIR`.
struct Asset {
    url: String,
    content_type: &'static str,
    file: PathBuf,
}

fn read(path: &Path) -> BuildResult<Vec<u8>> {
    fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> BuildResult<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn content_type(name: &str) -> BuildResult<&'static str> {
    let extension = name.rsplit('.').next().unwrap_or_default();
    Ok(match extension {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/manifest+json",
        "woff2" => "font/woff2",
        other => return Err(format!("no content type known for .{other} ({name})")),
    })
}

/// Removes every `@font-face { … }` rule that loads from another origin.
fn drop_remote_font_faces(css: &str) -> String {
    let mut kept = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("@font-face") {
        let Some(length) = rest[start..].find('}') else {
            break;
        };
        let rule = &rest[start..start + length + 1];
        kept.push_str(&rest[..start]);
        if !rule.contains("://") {
            kept.push_str(rule);
        }
        rest = &rest[start + length + 1..];
    }
    kept.push_str(rest);
    kept
}

/// Drops the `sourceMappingURL` comment (the maps are not served).
fn drop_source_map(text: &str) -> String {
    text.replace("/*# sourceMappingURL=nhsuk-frontend.min.css.map */", "")
        .replace("//# sourceMappingURL=nhsuk-frontend.min.js.map", "")
}

fn write_assets(web: &Path, dist: &Path, out: &Path) -> BuildResult<()> {
    let target = out.join("assets");
    let mut assets = Vec::new();

    let css = String::from_utf8(read(&dist.join("nhsuk-frontend.min.css"))?)
        .map_err(|e| format!("nhsuk-frontend.min.css is not UTF-8: {e}"))?;
    let css = drop_source_map(&drop_remote_font_faces(&css));
    if let Some(at) = css.find("://") {
        let from = at.saturating_sub(60);
        return Err(format!(
            "nhsuk-frontend.min.css still refers to another origin near {:?}; pages must load \
             nothing from another origin",
            &css[from..(at + 40).min(css.len())]
        ));
    }
    let js = String::from_utf8(read(&dist.join("nhsuk-frontend.min.js"))?)
        .map_err(|e| format!("nhsuk-frontend.min.js is not UTF-8: {e}"))?;
    let js = drop_source_map(&js);
    for (name, bytes) in [
        ("nhsuk-frontend.min.css", css.into_bytes()),
        ("nhsuk-frontend.min.js", js.into_bytes()),
        ("nwd.css", read(&web.join("src/nwd.css"))?),
        ("nwd.js", read(&web.join("src/nwd.js"))?),
        ("manifest.json", read(&dist.join("assets/manifest.json"))?),
    ] {
        let file = target.join(name);
        write(&file, &bytes)?;
        assets.push(Asset {
            url: format!("/assets/{name}"),
            content_type: content_type(name)?,
            file,
        });
    }
    let images = dist.join("assets/images");
    let mut names: Vec<String> = fs::read_dir(&images)
        .map_err(|e| format!("reading {}: {e}", images.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let file = target.join("images").join(&name);
        write(&file, &read(&images.join(&name))?)?;
        assets.push(Asset {
            url: format!("/assets/images/{name}"),
            content_type: content_type(&name)?,
            file,
        });
    }

    // The version that `?v=` carries: a hash of every asset's URL and bytes; and each
    // asset's own entity tag, a hash of its bytes (FNV-1a, 64 bits).
    let mut all = Vec::new();
    let mut tags = Vec::new();
    for asset in &assets {
        let bytes = read(&asset.file)?;
        tags.push(fnv1a(&bytes));
        all.extend(asset.url.bytes());
        all.extend(bytes);
    }
    let hash = fnv1a(&all);

    let mut code = String::from("// Generated by build.rs: the embedded web assets.\n");
    let _ = writeln!(
        code,
        "/// Changes whenever any asset changes: cache-busting `?v=`."
    );
    let _ = writeln!(code, "pub const ASSET_VERSION: &str = \"{hash:016x}\";");
    let _ = writeln!(
        code,
        "/// Every asset: URL path, content type, entity tag (a hash of its bytes), bytes."
    );
    let _ = writeln!(code, "pub static ASSETS: &[(&str, &str, &str, &[u8])] = &[");
    for (asset, tag) in assets.iter().zip(tags) {
        let _ = writeln!(
            code,
            "    ({:?}, {:?}, \"\\\"{tag:016x}\\\"\", include_bytes!({:?})),",
            asset.url,
            asset.content_type,
            asset.file.display().to_string()
        );
    }
    code.push_str("];\n");
    write(&out.join("assets.rs"), code.as_bytes())
}

/// FNV-1a, 64 bits: a content hash for cache-busting (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UrgentHelpFile {
    line: Vec<UrgentLine>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UrgentLine {
    name: String,
    how: String,
    number: String,
    href: String,
    when: String,
    kind: String,
    source: String,
}

fn write_urgent_help(path: &Path, out: &Path) -> BuildResult<()> {
    let text = fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let file: UrgentHelpFile =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if file.line.is_empty() {
        return Err(format!("{}: list at least one [[line]]", path.display()));
    }
    let mut code = String::from("// Generated by build.rs from config/urgent-help.toml.\n");
    let _ = writeln!(code, "/// Urgent help lines, in the order shown.");
    let _ = writeln!(code, "pub static URGENT_HELP: &[UrgentLine] = &[");
    for (i, line) in file.line.iter().enumerate() {
        let fields = [
            ("name", &line.name),
            ("how", &line.how),
            ("number", &line.number),
            ("href", &line.href),
            ("when", &line.when),
            ("source", &line.source),
        ];
        for (field, value) in fields {
            if value.trim().is_empty() {
                return Err(format!(
                    "{}: line {} has an empty {field}",
                    path.display(),
                    i + 1
                ));
            }
        }
        if !["emergency", "urgent", "support"].contains(&line.kind.as_str()) {
            return Err(format!(
                "{}: line {} kind must be emergency, urgent or support",
                path.display(),
                i + 1
            ));
        }
        if !(line.href.starts_with("tel:") || line.href.starts_with("sms:")) {
            return Err(format!(
                "{}: line {} href must be a tel: or sms: link",
                path.display(),
                i + 1
            ));
        }
        let _ = writeln!(
            code,
            "    UrgentLine {{ name: {:?}, how: {:?}, number: {:?}, href: {:?}, when: {:?}, kind: {:?}, source: {:?} }},",
            line.name, line.how, line.number, line.href, line.when, line.kind, line.source
        );
    }
    code.push_str("];\n");
    write(&out.join("urgent_help.rs"), code.as_bytes())
}
