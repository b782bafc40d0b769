//! The independent verifiers of `tests/verifiers/` run on one credential, as an outside
//! verifier would receive it (files): shared by `tests/verifiers.rs` and the certificate story.
//! Callers gate their tests on `cfg(koshu_verifiers)` (build.rs).

use serde_json::Value;
use std::process::Command;

/// The workspace root: the verifiers are run from here.
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// One verifier's answer.
#[derive(Debug)]
pub struct Verdict {
    pub verified: bool,
    pub error: Option<String>,
}

/// schema.py's answer: each error as "path: message".
#[derive(Debug)]
pub struct SchemaVerdict {
    pub valid: bool,
    pub errors: Vec<String>,
}

/// What the two independent verifiers and the schema say about one credential.
#[derive(Debug)]
pub struct Verdicts {
    pub python: Verdict,
    pub javascript: Verdict,
    pub schema: SchemaVerdict,
}

impl Verdicts {
    pub fn both_verified(&self) -> bool {
        self.python.verified && self.javascript.verified
    }

    pub fn neither_verified(&self) -> bool {
        !self.python.verified && !self.javascript.verified
    }
}

/// Runs `verify.py` and `verify.mjs` (with the DID documents given, for did:web) and
/// `schema.py` on the credential, each on its own temporary file, as an outside verifier would
/// receive them.
pub fn independent_verdicts(credential: &Value, did_documents: &[Value]) -> Verdicts {
    verdicts_with(credential, did_documents, &[])
}

/// [`independent_verdicts`] with extra options for both verifiers (`--proof-only`,
/// `--context URL=FILE`), for test vectors that are not Koshu's credentials.
pub fn verdicts_with(credential: &Value, did_documents: &[Value], options: &[&str]) -> Verdicts {
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

/// The credential with one character of the value at `pointer` changed, as a forger would:
/// a string's last digit (第2026-001号 becomes 第2026-002号, a date a second later) or, without
/// digits, its last character; a number's last digit (12.0 becomes 12.5).
pub fn one_character_changed_at(credential: &Value, pointer: &str) -> Value {
    let mut changed = credential.clone();
    let value = changed
        .pointer_mut(pointer)
        .expect("the pointer names a value");
    *value = match value {
        Value::String(text) => {
            let mut chars: Vec<char> = text.chars().collect();
            let at = chars
                .iter()
                .rposition(char::is_ascii_digit)
                .unwrap_or(chars.len() - 1);
            chars[at] = match chars[at].to_digit(10) {
                Some(d) => char::from_digit((d + 1) % 10, 10).unwrap(),
                None if chars[at] == 'x' => 'y',
                None => 'x',
            };
            Value::String(chars.into_iter().collect())
        }
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap() + 0.5),
        other => panic!("{pointer} is neither a string nor a number: {other}"),
    };
    changed
}
