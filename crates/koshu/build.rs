//! Tells the story tests whether PostgreSQL server binaries are installed, so that without them
//! the PostgreSQL half is reported as ignored (with the reason), never silently passed.
//! With KOSHU_TEST_REQUIRE_POSTGRES=1 (set by CI) their absence fails the build instead.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(koshu_postgres)");
    println!("cargo::rerun-if-env-changed=KOSHU_TEST_PG_BIN");
    println!("cargo::rerun-if-env-changed=KOSHU_TEST_REQUIRE_POSTGRES");
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
    } else if std::env::var_os("KOSHU_TEST_REQUIRE_POSTGRES").is_some_and(|v| v == "1") {
        println!(
            "cargo::error=KOSHU_TEST_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries were found (apt-get install postgresql)"
        );
    } else {
        println!(
            "cargo::warning=PostgreSQL server binaries not found: the PostgreSQL story tests will be ignored"
        );
    }
}
