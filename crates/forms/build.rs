//! Tells the tests which independent readers they can use: Python's openpyxl
//! (`cfg(koshu_openpyxl)`), poppler's pdftotext (`cfg(koshu_pdftotext)`; poppler-utils also
//! brings the pdftoppm the QR test renders pages with) and zbar's zbarimg (`cfg(koshu_zbar)`,
//! which decodes QR codes). Without one, the tests that need it are reported as ignored, with
//! the reason; with KOSHU_TEST_REQUIRE_OPENPYXL=1, KOSHU_TEST_REQUIRE_PDFTOTEXT=1 or
//! KOSHU_TEST_REQUIRE_ZBAR=1 (set by CI) its absence fails the build instead.

use std::process::{Command, Stdio};

fn main() {
    println!("cargo::rerun-if-env-changed=PATH");
    tool(
        "koshu_openpyxl",
        "KOSHU_TEST_REQUIRE_OPENPYXL",
        "python3 with openpyxl (python3 -m pip install openpyxl)",
        Command::new("python3").args(["-c", "import openpyxl"]),
    );
    tool(
        "koshu_pdftotext",
        "KOSHU_TEST_REQUIRE_PDFTOTEXT",
        "pdftotext (apt-get install poppler-utils)",
        Command::new("pdftotext").arg("-v"),
    );
    tool(
        "koshu_zbar",
        "KOSHU_TEST_REQUIRE_ZBAR",
        "zbarimg (apt-get install zbar-tools)",
        Command::new("zbarimg").arg("--version"),
    );
}

fn tool(cfg: &str, require: &str, what: &str, probe: &mut Command) {
    println!("cargo::rustc-check-cfg=cfg({cfg})");
    println!("cargo::rerun-if-env-changed={require}");
    let found = probe
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        println!("cargo::rustc-cfg={cfg}");
    } else if std::env::var_os(require).is_some_and(|v| v == "1") {
        println!("cargo::error={require}=1 but {what} was not found");
    } else {
        println!("cargo::warning={what} not found: the tests that need it will be ignored");
    }
}
