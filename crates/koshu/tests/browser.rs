//! Accessibility in a real browser (JIS X 8341-3:2016 AA, WCAG 2.x AA): the real binary serves
//! the demo catalogue, and headless Chromium checks it with the scripts in `tests/browser/`:
//! `a11y.mjs` (axe-core on every listed page in both languages, status and `<html lang>`,
//! delivery's pages and both boards of a session included) and
//! `keyboard.mjs` (Tab and Enter alone reach a programme page, and a reviewer's decision from
//! the header's link to the confirmation, and a provider's programme listed and published, and
//! for delivery the enrolment form, the learner's check-in with the venue's code, the identity
//! desk, the venue screen's updates stopped and a question asked on the session's board; skip
//! link; visible focus) and
//! `passkey.mjs` (a passkey registered and used with Chromium's virtual authenticator) and
//! `walkthrough.mjs` (issue 13's walk: a provider applies, a reviewer and an expert review, the
//! course is designated and a change is notified, each person through the pages).
//!
//! Needs `/usr/bin/chromium` and `tests/browser/node_modules` (`npm ci --prefix tests/browser`);
//! `build.rs` sets `cfg(koshu_browser)` when both are there, otherwise these tests are ignored
//! with the reason (and with KOSHU_TEST_REQUIRE_BROWSER=1, as in CI, the build fails instead).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Server, last_lines};
use std::process::{Command, Output};
use std::sync::{Mutex, PoisonError};

/// The workspace root: the scripts are run from here.
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// One headless Chromium at a time: the machines that run the suite have few cores.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

#[test]
#[cfg_attr(
    not(koshu_browser),
    ignore = "headless Chromium or tests/browser/node_modules missing: apt-get install chromium; npm ci --prefix tests/browser"
)]
fn every_page_passes_axe_wcag_aa_in_both_languages() {
    run_against_demo_server("tests/browser/a11y.mjs");
}

#[test]
#[cfg_attr(
    not(koshu_browser),
    ignore = "headless Chromium or tests/browser/node_modules missing: apt-get install chromium; npm ci --prefix tests/browser"
)]
fn a_keyboard_alone_reaches_a_programme_page_makes_a_decision_and_lists_a_programme() {
    run_against_demo_server("tests/browser/keyboard.mjs");
}

#[test]
#[cfg_attr(
    not(koshu_browser),
    ignore = "headless Chromium or tests/browser/node_modules missing: apt-get install chromium; npm ci --prefix tests/browser"
)]
fn a_passkey_registers_and_signs_in_with_chromiums_virtual_authenticator() {
    run_against_demo_server("tests/browser/passkey.mjs");
}

#[test]
#[cfg_attr(
    not(koshu_browser),
    ignore = "headless Chromium or tests/browser/node_modules missing: apt-get install chromium; npm ci --prefix tests/browser"
)]
fn the_designation_is_walked_through_by_provider_reviewer_and_expert() {
    run_against_demo_server("tests/browser/walkthrough.mjs");
}

/// Starts `koshu serve --demo`, runs `node SCRIPT BASE_URL`, stops the server with SIGTERM, and
/// fails with the script's report (and the server's log) unless the script exits 0.
fn run_against_demo_server(script: &str) {
    let _one = ONE_BROWSER.lock().unwrap_or_else(PoisonError::into_inner);
    let server = Server::start();
    let run = Command::new("node")
        .arg(script)
        .arg(&server.base)
        .env("KOSHU_TEST_SERVER_LOG", &server.log_file)
        // For the step that makes the signed-in person an administrator, as an operator would.
        .env("KOSHU_TEST_BIN", env!("CARGO_BIN_EXE_koshu"))
        .env("KOSHU_TEST_DATA_DIR", server.data.path())
        .current_dir(WORKSPACE)
        .output();
    let server_log = server.stop();
    let Output {
        status,
        stdout,
        stderr,
    } = run.unwrap_or_else(|e| panic!("cannot run node (Node.js 20 or later is needed): {e}"));
    assert!(
        status.success(),
        "node {script} failed ({status}):\n{}\n{}\n-- server log (last lines):\n{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr),
        last_lines(&server_log, 40),
    );
    #[allow(
        clippy::print_stdout,
        reason = "the report, shown with `cargo test -- --nocapture`"
    )]
    {
        print!("{}", String::from_utf8_lossy(&stdout));
    }
}
