//! The `koshu` command as a person uses it: the real binary, a real data directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Server;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};

fn koshu(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_koshu"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["demo", "--help"],
        &["import", "--help"],
        &["audit", "verify", "--help"],
        &["config", "show", "--help"],
        &["accounts", "role", "--help"],
    ] {
        let out = koshu(dir.path(), args);
        assert!(out.status.success(), "{args:?}");
        assert!(text(&out.stdout).contains("Usage"), "{args:?}");
    }
}

#[test]
fn a_role_goes_only_to_an_account_that_signed_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = koshu(
        dir.path(),
        &[
            "accounts",
            "role",
            "admin@meti.example.jp",
            "--role",
            "administrator",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("admin@meti.example.jp") && err.contains("/signup"),
        "{err}"
    );
    let out = koshu(
        dir.path(),
        &["accounts", "role", "x@example.jp", "--role", "root"],
    );
    assert_eq!(out.status.code(), Some(2), "clap names the allowed values");
    assert!(text(&out.stderr).contains("administrator"));
}

#[test]
fn unknown_configuration_key_is_a_one_line_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("koshu.toml");
    std::fs::write(
        &config,
        "listen = \"127.0.0.1:8080\"\ndata_dir_typo = \"x\"\n",
    )
    .unwrap();
    let out = koshu(
        dir.path(),
        &["--config", config.to_str().unwrap(), "config", "show"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("data_dir_typo") && err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn config_show_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_koshu"))
        .args(["config", "show"])
        .env(
            "DATABASE_URL",
            "postgres://koshu:topsecret@db.internal:5432/koshu",
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    let shown = text(&out.stdout);
    assert!(
        shown.contains("postgres://koshu:********@db.internal:5432/koshu"),
        "{shown}"
    );
    assert!(!shown.contains("topsecret"));
    drop(dir);
}

#[test]
fn audit_verify_names_the_row_edited_with_sqlite3() {
    let dir = tempfile::tempdir().unwrap();
    let demo = koshu(dir.path(), &["demo"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    assert!(text(&demo.stdout).contains("demo catalogue loaded"));

    let ok = koshu(dir.path(), &["audit", "verify"]);
    assert!(
        ok.status.success(),
        "{}{}",
        text(&ok.stdout),
        text(&ok.stderr)
    );
    assert!(text(&ok.stdout).starts_with("OK"));

    let db = dir.path().join("koshu.db");
    let edit = Command::new("sqlite3")
        .arg(&db)
        .arg("UPDATE audit_log SET subject = 'programme:forged' WHERE seq = 5;")
        .output();
    let edit = edit.expect("the sqlite3 command-line tool (apt-get install sqlite3)");
    assert!(edit.status.success(), "{}", text(&edit.stderr));

    let broken = koshu(dir.path(), &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        text(&broken.stdout).contains("FAILED: entry 5 was altered"),
        "{}",
        text(&broken.stdout)
    );
}

#[test]
fn import_rejects_an_invalid_corporate_number_naming_the_check_digit_rule() {
    let dir = tempfile::tempdir().unwrap();
    let providers = dir.path().join("providers.toml");
    let programmes = dir.path().join("programmes.toml");
    std::fs::write(&providers, "[[provider]]\nid = \"example\"\nname_ja = \"例示株式会社\"\nkind = \"company\"\ncorporate_number = \"6010001008846\"\n").unwrap();
    std::fs::write(&programmes, "").unwrap();
    let out = koshu(
        dir.path(),
        &[
            "import",
            providers.to_str().unwrap(),
            programmes.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("provider[example].corporate_number"), "{err}");
    assert!(err.contains("corporate_number.check_digit"), "{err}");
    assert!(err.contains("検査用数字"), "{err}");

    std::fs::write(&providers, "[[provider]]\nid = \"example\"\nname_ja = \"例示株式会社\"\nkind = \"company\"\ncorporate_number = \"5010001008846\"\n").unwrap();
    let out = koshu(
        dir.path(),
        &[
            "import",
            providers.to_str().unwrap(),
            programmes.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `koshu serve --demo` as the README says, then SIGTERM: it must stop cleanly.
#[test]
fn serve_with_demo_answers_and_shuts_down_gracefully() {
    let server = Server::start();
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).unwrap();
    stream
        .write_all(b"GET /search HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "{}",
        &response[..response.len().min(200)]
    );
    assert!(response.contains(r#"<html lang="ja">"#));
    assert!(response.contains("CYDER"));
    let log = server.stop();
    assert!(log.contains("catalogue index built"), "{log}");
}
