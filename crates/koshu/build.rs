//! Tells the story tests what the "at scale" half can use: PostgreSQL server binaries
//! (`cfg(koshu_postgres)`; without them that half is reported as ignored, with the reason) and
//! moto's S3-compatible server (`cfg(koshu_s3)`; without it that half stores files locally).
//! With KOSHU_TEST_REQUIRE_SCALE=1 (set by CI) the absence of either fails the build instead.

use std::path::Path;

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
}
