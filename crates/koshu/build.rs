//! Tells the story tests what the "at scale" half can use: PostgreSQL server binaries
//! (`cfg(koshu_postgres)`; without them that half is reported as ignored, with the reason) and
//! moto's S3-compatible server (`cfg(koshu_s3)`; without it that half stores files locally).
//! With KOSHU_TEST_REQUIRE_SCALE=1 (set by CI) the absence of either fails the build instead.
//! It also tells the browser tests and the independent credential verifiers what they can use
//! (`cfg(koshu_browser)`, `cfg(koshu_verifiers)`).

use std::path::Path;
use std::process::{Command, Stdio};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(koshu_postgres)");
    println!("cargo::rustc-check-cfg=cfg(koshu_s3)");
    println!("cargo::rerun-if-env-changed=KOSHU_TEST_PG_BIN");
    println!("cargo::rerun-if-env-changed=KOSHU_TEST_REQUIRE_SCALE");
    println!("cargo::rerun-if-env-changed=PATH");
    let required = std::env::var_os("KOSHU_TEST_REQUIRE_SCALE").is_some_and(|v| v == "1");
    println!("cargo::rerun-if-changed=/usr/lib/postgresql");
    let found = match std::env::var_os("KOSHU_TEST_PG_BIN") {
        Some(dir) => Path::new(&dir).join("initdb").exists(),
        None => std::fs::read_dir("/usr/lib/postgresql")
            .map(|versions| {
                versions
                    .flatten()
                    .any(|v| v.path().join("bin/initdb").exists())
            })
            .unwrap_or(false),
    };
    if found {
        println!("cargo::rustc-cfg=koshu_postgres");
    } else if required {
        println!(
            "cargo::error=KOSHU_TEST_REQUIRE_SCALE=1 but no PostgreSQL server binaries were found (apt-get install postgresql)"
        );
    } else {
        println!(
            "cargo::warning=PostgreSQL server binaries not found: the PostgreSQL story tests will be ignored"
        );
    }
    let moto = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| dir.join("moto_server").exists())
    });
    if moto {
        println!("cargo::rustc-cfg=koshu_s3");
    } else if required {
        println!(
            "cargo::error=KOSHU_TEST_REQUIRE_SCALE=1 but moto_server was not found (pip install 'moto[server]')"
        );
    } else {
        println!(
            "cargo::warning=moto_server not found: the PostgreSQL story tests will store files locally, not in S3"
        );
    }
    tool_on_path(
        "koshu_smtp",
        "aiosmtpd",
        "aiosmtpd",
        "the SMTP delivery test",
        required,
    );
    tool_on_path(
        "koshu_schemathesis",
        "schemathesis",
        "schemathesis",
        "the API fuzzing test",
        required,
    );
    browser();
    verifiers();
    lrs_suite();
}

/// The ADL xAPI LRS conformance suite (`tests/cli.rs`), a copy of
/// `../shared/tools/xapi-lrs-conformance` with its npm packages installed, named by
/// KOSHU_TEST_LRS_SUITE: with it, `cfg(koshu_lrs_suite)` runs the suite against a real
/// `koshu serve`; without, the test is reported as ignored with the reason. With
/// KOSHU_TEST_REQUIRE_LRS_SUITE=1 (set by CI when the suite is there) its absence fails the
/// build instead.
fn lrs_suite() {
    println!("cargo::rustc-check-cfg=cfg(koshu_lrs_suite)");
    println!("cargo::rerun-if-env-changed=KOSHU_TEST_LRS_SUITE");
    println!("cargo::rerun-if-env-changed=KOSHU_TEST_REQUIRE_LRS_SUITE");
    let suite = std::env::var_os("KOSHU_TEST_LRS_SUITE").map(std::path::PathBuf::from);
    let installed = suite.as_ref().is_some_and(|dir| {
        dir.join("bin/console_runner.js").exists() && dir.join("node_modules/mocha").exists()
    });
    if installed {
        println!("cargo::rustc-cfg=koshu_lrs_suite");
    } else if std::env::var_os("KOSHU_TEST_REQUIRE_LRS_SUITE").is_some_and(|v| v == "1") {
        println!(
            "cargo::error=KOSHU_TEST_REQUIRE_LRS_SUITE=1 but KOSHU_TEST_LRS_SUITE names no installed copy of the ADL LRS conformance suite"
        );
    } else {
        println!(
            "cargo::warning=the ADL LRS conformance test will be ignored: set KOSHU_TEST_LRS_SUITE to a copy of ../shared/tools/xapi-lrs-conformance after npm install"
        );
    }
}

/// A test server or tool that CI installs from PyPI, found on PATH: `cfg(<cfg>)` runs its
/// tests; without it they are ignored with the reason, or, with KOSHU_TEST_REQUIRE_SCALE=1,
/// the build fails. The SMTP delivery test runs aiosmtpd on loopback; the API fuzzing test
/// runs schemathesis against the real server's OpenAPI document.
fn tool_on_path(cfg: &str, binary: &str, package: &str, tests: &str, required: bool) {
    println!("cargo::rustc-check-cfg=cfg({cfg})");
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(binary).exists()));
    if found {
        println!("cargo::rustc-cfg={cfg}");
    } else if required {
        println!(
            "cargo::error=KOSHU_TEST_REQUIRE_SCALE=1 but {binary} was not found (pip install {package})"
        );
    } else {
        println!("cargo::warning={binary} not found: {tests} will be ignored");
    }
}

/// The browser tests (`tests/browser.rs`: axe-core and keyboard-only checks in headless Chromium)
/// need Chromium and `tests/browser/node_modules` (`npm ci --prefix tests/browser`): with both,
/// `cfg(koshu_browser)` runs them; without, they are reported as ignored with the reason. With
/// KOSHU_TEST_REQUIRE_BROWSER=1 (set by CI) their absence fails the build instead.
fn browser() {
    println!("cargo::rustc-check-cfg=cfg(koshu_browser)");
    println!("cargo::rerun-if-env-changed=KOSHU_TEST_REQUIRE_BROWSER");
    let chromium = Path::new("/usr/bin/chromium");
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let node_modules = Path::new(&manifest_dir).join("../../tests/browser/node_modules");
    // Watch each path, or while it is missing the folder it will appear in: a missing
    // rerun-if-changed path would rerun this script, and rebuild this crate, on every build.
    for path in [chromium, node_modules.as_path()] {
        match path.parent() {
            Some(parent) if !path.exists() && parent.exists() => {
                println!("cargo::rerun-if-changed={}", parent.display());
            }
            _ => println!("cargo::rerun-if-changed={}", path.display()),
        }
    }
    let required = std::env::var_os("KOSHU_TEST_REQUIRE_BROWSER").is_some_and(|v| v == "1");
    let mut missing = Vec::new();
    if !chromium.exists() {
        missing.push("/usr/bin/chromium (apt-get install chromium)");
    }
    if !node_modules.join("axe-core").exists() || !node_modules.join("playwright-core").exists() {
        missing.push("tests/browser/node_modules (npm ci --prefix tests/browser)");
    }
    if missing.is_empty() {
        println!("cargo::rustc-cfg=koshu_browser");
    } else if required {
        println!(
            "cargo::error=KOSHU_TEST_REQUIRE_BROWSER=1 but the browser tests cannot run, missing: {}",
            missing.join(", ")
        );
    } else {
        println!(
            "cargo::warning=the browser accessibility tests will be ignored, missing: {}",
            missing.join(", ")
        );
    }
}

/// The independent credential verifiers (`tests/verifiers.rs`: `tests/verifiers/verify.py`,
/// `verify.mjs` and `schema.py`) need python3 with pyld, cryptography, jsonschema and
/// rfc3339-validator, and `tests/verifiers/node_modules` (`npm ci --prefix tests/verifiers`):
/// with both, `cfg(koshu_verifiers)` runs them; without, they are reported as ignored with the
/// reason. With KOSHU_TEST_REQUIRE_VERIFIERS=1 (set by CI) their absence fails the build instead.
fn verifiers() {
    println!("cargo::rustc-check-cfg=cfg(koshu_verifiers)");
    println!("cargo::rerun-if-env-changed=KOSHU_TEST_REQUIRE_VERIFIERS");
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let verifiers = Path::new(&manifest_dir).join("../../tests/verifiers");
    let node_modules = verifiers.join("node_modules");
    // npm writes this file on every install: watching it (or the folder it will appear in)
    // reruns the check after `npm ci` without rerunning it on every build.
    let installed = node_modules.join(".package-lock.json");
    if installed.exists() {
        println!("cargo::rerun-if-changed={}", installed.display());
    } else {
        println!("cargo::rerun-if-changed={}", verifiers.display());
    }
    let mut missing = Vec::new();
    let python = Command::new("python3")
        .args([
            "-c",
            "import pyld, cryptography, jsonschema, rfc3339_validator",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !python {
        missing.push(
            "python3 with pyld, cryptography, jsonschema, rfc3339-validator (python3 -m pip install pyld cryptography jsonschema rfc3339-validator)",
        );
    }
    let packages = [
        "jsonld",
        "jsonld-signatures",
        "@digitalbazaar/vc",
        "@digitalbazaar/data-integrity",
        "@digitalbazaar/eddsa-rdfc-2022-cryptosuite",
        "@digitalbazaar/ed25519-multikey",
        "@digitalbazaar/did-method-key",
    ];
    if !packages.iter().all(|p| node_modules.join(p).exists()) {
        missing.push("tests/verifiers/node_modules (npm ci --prefix tests/verifiers)");
    }
    if missing.is_empty() {
        println!("cargo::rustc-cfg=koshu_verifiers");
    } else if std::env::var_os("KOSHU_TEST_REQUIRE_VERIFIERS").is_some_and(|v| v == "1") {
        println!(
            "cargo::error=KOSHU_TEST_REQUIRE_VERIFIERS=1 but the independent credential verifiers cannot run, missing: {}",
            missing.join(", ")
        );
    } else {
        println!(
            "cargo::warning=the independent credential verifier tests will be ignored, missing: {}",
            missing.join(", ")
        );
    }
}
