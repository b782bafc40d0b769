//! Issue 17's acceptance: a credential verifies in two independent verifiers and validates
//! against 1EdTech's Open Badges 3.0 JSON Schema. The verifiers live in `tests/verifiers/`:
//! `verify.py` (pyld + cryptography, written from the vc-di-eddsa specification),
//! `verify.mjs` (Digital Bazaar's jsonld-signatures + eddsa-rdfc-2022 cryptosuite) and
//! `schema.py` (jsonschema, draft 2019-09, against
//! `../shared/standards/openbadges-3.0/achievementcredential.schema.json`). Both verifiers read
//! their JSON-LD contexts from local copies and refuse every other URL.
//!
//! Needs python3 with pyld, cryptography, jsonschema, rfc3339-validator and
//! `tests/verifiers/node_modules` (`npm ci --prefix tests/verifiers`); `build.rs` sets
//! `cfg(koshu_verifiers)` when they are there, otherwise these tests are ignored with the reason
//! (and with KOSHU_TEST_REQUIRE_VERIFIERS=1, as in CI, the build fails instead).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::process::Command;

/// The workspace root: the verifiers are run from here.
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The W3C vc-di-eddsa 1.0 test vector for eddsa-rdfc-2022
/// (TestVectors/eddsa-rdfc-2022/signedDataInt.json, w3c/vc-di-eddsa at abb673e).
const W3C_VECTOR: &str =
    include_str!("../../../tests/verifiers/fixtures/w3c-eddsa-rdfc-2022-signed.json");

/// The W3C vector uses the VC examples context, a test fixture only: the verifiers load it
/// when told to, never by default.
const EXAMPLES_CONTEXT: &str = "https://www.w3.org/ns/credentials/examples/v2=tests/verifiers/fixtures/credentials-examples-v2.jsonld";

/// One verifier's answer.
#[derive(Debug)]
struct Verdict {
    verified: bool,
    error: Option<String>,
}

/// schema.py's answer: each error as "path: message".
#[derive(Debug)]
struct SchemaVerdict {
    valid: bool,
    errors: Vec<String>,
}

/// What the two independent verifiers and the schema say about one credential.
#[derive(Debug)]
struct Verdicts {
    python: Verdict,
    javascript: Verdict,
    schema: SchemaVerdict,
}

impl Verdicts {
    fn both_verified(&self) -> bool {
        self.python.verified && self.javascript.verified
    }

    fn neither_verified(&self) -> bool {
        !self.python.verified && !self.javascript.verified
    }
}

/// Runs `verify.py` and `verify.mjs` (with the DID documents given, for did:web) and
/// `schema.py` on the credential, each on its own temporary file, as an outside verifier would
/// receive them.
fn independent_verdicts(credential: &Value, did_documents: &[Value]) -> Verdicts {
    verdicts_with(credential, did_documents, &[])
}

/// [`independent_verdicts`] with extra options for both verifiers (`--proof-only`,
/// `--context URL=FILE`), for test vectors that are not Koshu's credentials.
fn verdicts_with(credential: &Value, did_documents: &[Value], options: &[&str]) -> Verdicts {
    let dir = tempfile::tempdir().unwrap();
    let credential_file = dir.path().join("credential.json");
    std::fs::write(&credential_file, serde_json::to_vec(credential).unwrap()).unwrap();
    let mut args: Vec<String> = options.iter().map(|o| (*o).to_owned()).collect();
    args.push(credential_file.display().to_string());
    for (n, document) in did_documents.iter().enumerate() {
        let file = dir.path().join(format!("did-{n}.json"));
        std::fs::write(&file, serde_json::to_vec(document).unwrap()).unwrap();
        args.push(file.display().to_string());
    }
    let python = verdict(run("python3", "tests/verifiers/verify.py", &args));
    let javascript = verdict(run("node", "tests/verifiers/verify.mjs", &args));
    let report = run(
        "python3",
        "tests/verifiers/schema.py",
        &[credential_file.display().to_string()],
    );
    let schema = SchemaVerdict {
        valid: report.line["valid"].as_bool().unwrap(),
        errors: report.line["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e["path"].as_str().unwrap(),
                    e["message"].as_str().unwrap()
                )
            })
            .collect(),
    };
    assert_eq!(
        schema.valid, report.succeeded,
        "schema.py's exit status disagrees with its report"
    );
    Verdicts {
        python,
        javascript,
        schema,
    }
}

/// A tool's one-line JSON report and whether it exited 0.
struct Report {
    line: Value,
    succeeded: bool,
    tool: String,
}

fn run(program: &str, script: &str, args: &[String]) -> Report {
    let out = Command::new(program)
        .arg(script)
        .args(args)
        .current_dir(WORKSPACE)
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Exit 0 is a pass and 1 a fail; anything else (a crash, a usage error) is the tool's fault.
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{program} {script} failed to run ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let line = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{script} printed no JSON line ({e}):\n{stdout}"));
    Report {
        line,
        succeeded: code == Some(0),
        tool: script.to_owned(),
    }
}

fn verdict(report: Report) -> Verdict {
    let verified = report.line["verified"].as_bool().unwrap();
    assert_eq!(
        verified, report.succeeded,
        "{}'s exit status disagrees with its report: {}",
        report.tool, report.line
    );
    Verdict {
        verified,
        error: report.line["error"].as_str().map(str::to_owned),
    }
}

/// The credential's JSON text with one character changed where `needle` first occurs (its last
/// character replaced), parsed again: what a person editing the file would produce.
fn one_character_changed(text: &str, needle: &str) -> Value {
    let at = text
        .find(needle)
        .expect("the text to change is in the credential")
        + needle.len()
        - 1;
    let old = text[at..].chars().next().unwrap();
    let new = if old == 'x' { 'y' } else { 'x' };
    let changed = format!("{}{new}{}", &text[..at], &text[at + old.len_utf8()..]);
    serde_json::from_str(&changed).unwrap()
}

fn w3c_vector() -> Value {
    serde_json::from_str(W3C_VECTOR).unwrap()
}

/// The vector's issuer is a URL, not its key's controller, so it is checked as a proof alone.
const VECTOR_OPTIONS: &[&str] = &["--proof-only", "--context", EXAMPLES_CONTEXT];

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn the_w3c_eddsa_rdfc_2022_vector_verifies_in_both_verifiers() {
    let verdicts = verdicts_with(&w3c_vector(), &[], VECTOR_OPTIONS);
    assert!(verdicts.both_verified(), "{verdicts:#?}");
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn the_w3c_vector_with_one_character_changed_fails_in_both_verifiers() {
    for needle in [
        "The School of Examples",
        "2023-01-01T00:00:00Z",
        "AlumniCredential",
    ] {
        let tampered = one_character_changed(W3C_VECTOR, needle);
        let verdicts = verdicts_with(&tampered, &[], VECTOR_OPTIONS);
        assert!(verdicts.neither_verified(), "{needle}: {verdicts:#?}");
    }
    // The proof's own fields are signed too.
    let tampered = one_character_changed(W3C_VECTOR, "2023-02-24T23:36:38Z");
    let verdicts = verdicts_with(&tampered, &[], VECTOR_OPTIONS);
    assert!(verdicts.neither_verified(), "{verdicts:#?}");
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn a_key_whose_controller_is_not_the_issuer_fails_in_both_verifiers() {
    // The vector's issuer (https://vc.example/issuers/5678) does not control its did:key.
    let verdicts = verdicts_with(&w3c_vector(), &[], &["--context", EXAMPLES_CONTEXT]);
    assert!(verdicts.neither_verified(), "{verdicts:#?}");
    for verdict in [&verdicts.python, &verdicts.javascript] {
        let error = verdict.error.as_deref().unwrap();
        assert!(error.contains("issuer"), "{error}");
    }
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn the_verifiers_load_no_context_from_the_network() {
    // Without the local copy of the examples context, both refuse rather than fetch it.
    let verdicts = verdicts_with(&w3c_vector(), &[], &["--proof-only"]);
    assert!(verdicts.neither_verified(), "{verdicts:#?}");
    for verdict in [&verdicts.python, &verdicts.javascript] {
        let error = verdict.error.as_deref().unwrap();
        assert!(
            error.contains("refused to load https://www.w3.org/ns/credentials/examples/v2"),
            "{error}"
        );
    }
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn the_schema_rejects_a_credential_that_is_not_an_open_badge() {
    let verdicts = verdicts_with(&w3c_vector(), &[], VECTOR_OPTIONS);
    assert!(!verdicts.schema.valid);
    // The examples context, no achievement, a lone proof object: each named with its path.
    for expected in [
        "/@context/1",
        "/credentialSubject: 'achievement' is a required",
        "/proof",
    ] {
        assert!(
            verdicts
                .schema
                .errors
                .iter()
                .any(|e| e.starts_with(expected)),
            "{expected} not in {:#?}",
            verdicts.schema.errors
        );
    }
}
