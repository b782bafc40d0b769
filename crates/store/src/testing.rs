//! A throwaway PostgreSQL server for tests (recipe: ../shared/docs/dependencies.md).
//!
//! One server per test process, started on first use from the installed binaries; each test
//! gets a fresh database in it. A watchdog shell stops the server and removes its directory
//! when the test process exits, so nothing is left running.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Where the PostgreSQL server binaries are: `KOSHU_TEST_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<version>/bin` that has `initdb`.
pub fn postgres_bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KOSHU_TEST_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

struct Server {
    base_url: String,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// A URL to a new, empty database on the shared throwaway server.
pub async fn fresh_postgres_database() -> Result<String, String> {
    let server = SERVER
        .get_or_init(start_server)
        .as_ref()
        .map_err(Clone::clone)?;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn =
        <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{}/postgres", server.base_url))
            .await
            .map_err(|e| format!("connecting to the test server: {e}"))?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .map_err(|e| format!("creating {name}: {e}"))?;
    Ok(format!("{}/{name}", server.base_url))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}

/// A command run as the `postgres` user when we are root (initdb refuses to run as root).
fn pg_command(bin: &Path, program: &str, as_postgres: bool) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn start_server() -> Result<Server, String> {
    let bin = postgres_bin_dir().ok_or(
        "PostgreSQL server binaries not found (install postgresql or set KOSHU_TEST_PG_BIN)",
    )?;
    let dir = tempfile::Builder::new()
        .prefix("koshu-pg-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    let as_postgres = is_root();
    if as_postgres {
        if Command::new("id")
            .arg("postgres")
            .output()
            .map(|o| !o.status.success())
            .unwrap_or(true)
        {
            run(Command::new("useradd").args(["--system", "--no-create-home", "postgres"]))?;
        }
        run(Command::new("chown").arg("-R").arg("postgres").arg(&dir))?;
    }
    let data = dir.join("data");
    run(pg_command(&bin, "initdb", as_postgres)
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "app",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]))?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let options = format!(
        "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
        dir.display()
    );
    run(pg_command(&bin, "pg_ctl", as_postgres)
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(dir.join("log"))
        .args(["-w", "-o", &options, "start"]))?;
    let stop = pg_command(&bin, "pg_ctl", as_postgres);
    let stop = format!(
        "{} {}",
        stop.get_program().to_string_lossy(),
        stop.get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let watchdog = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        data = data.display(),
        dir = dir.display(),
    );
    Command::new("sh")
        .arg("-c")
        .arg(watchdog)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the watchdog: {e}"))?;
    Ok(Server {
        base_url: format!("postgres://app@127.0.0.1:{port}"),
    })
}

/// An S3-compatible server for tests: moto's `moto_server` (PyPI `moto[server]`), one per test
/// process, stopped by a watchdog when the process exits. Each call makes a new bucket.
pub fn fresh_s3_bucket() -> Result<crate::S3Config, String> {
    let endpoint = S3_SERVER
        .get_or_init(start_s3_server)
        .as_ref()
        .map_err(Clone::clone)?;
    let bucket = format!("t-{}", uuid::Uuid::new_v4().simple());
    http_put(endpoint, &format!("/{bucket}"))?;
    Ok(crate::S3Config {
        bucket,
        endpoint: Some(format!("http://{endpoint}")),
        region: "us-east-1".to_owned(),
        access_key_id: "test".to_owned(),
        secret_access_key: crate::Secret::new("test"),
        allow_http: true,
    })
}

static S3_SERVER: OnceLock<Result<String, String>> = OnceLock::new();

fn start_s3_server() -> Result<String, String> {
    use std::io::{BufRead, BufReader};
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("moto_server (pip install 'moto[server]'): {e}"))?;
    // Ready when it says it is running; its further output is drained so it never blocks.
    let mut log = BufReader::new(child.stderr.take().ok_or("moto_server has no stderr")?);
    let mut line = String::new();
    loop {
        line.clear();
        if log.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("moto_server exited before it was ready".to_owned());
        }
        if line.contains("Running on") {
            break;
        }
    }
    std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
    let watchdog = format!(
        "while kill -0 {} 2>/dev/null; do sleep 1; done; kill {}",
        std::process::id(),
        child.id()
    );
    Command::new("sh")
        .arg("-c")
        .arg(watchdog)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the watchdog: {e}"))?;
    Ok(format!("127.0.0.1:{port}"))
}

/// A bare HTTP PUT (bucket creation needs no more; object_store cannot create buckets).
fn http_put(host: &str, path: &str) -> Result<(), String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(host).map_err(|e| e.to_string())?;
    write!(
        stream,
        "PUT {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    if response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200") {
        Ok(())
    } else {
        Err(format!(
            "creating bucket {path}: {}",
            response.lines().next().unwrap_or("no answer")
        ))
    }
}
