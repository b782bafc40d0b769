//! Shared by the test binaries that run the real `koshu` executable.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

/// The real binary on a free port with a fresh data directory and the demo catalogue.
pub struct Server {
    child: Child,
    pub base: String,
    log: Option<JoinHandle<String>>,
    /// The server's log as it is written.
    #[allow(
        dead_code,
        reason = "read by the browser tests; this module is compiled into each test binary"
    )]
    pub log_file: std::path::PathBuf,
    /// The server's data directory (SQLite and files).
    #[allow(
        dead_code,
        reason = "read by the browser tests; this module is compiled into each test binary"
    )]
    pub data: DataDir,
}

/// A server's data directory: its own (removed with it), or one a test keeps across restarts.
pub enum DataDir {
    Own(tempfile::TempDir),
    #[allow(dead_code, reason = "used by the cli tests only")]
    Kept(std::path::PathBuf),
}

impl DataDir {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::Own(dir) => dir.path(),
            Self::Kept(path) => path,
        }
    }
}

impl Server {
    pub fn start() -> Self {
        Self::start_in(DataDir::Own(tempfile::tempdir().unwrap()))
    }

    pub fn start_in(data: DataDir) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_koshu"));
        // The demo on SQLite in `data`, whatever configuration the caller's shell carries.
        for (name, _) in std::env::vars_os() {
            if name.to_str().is_some_and(|n| n.starts_with("KOSHU_")) {
                command.env_remove(name);
            }
        }
        let mut child = command
            .arg("--data-dir")
            .arg(data.path())
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait for the log line that says the listener is bound: no sleeping, no polling.
        let mut log = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        loop {
            let before = seen.len();
            if log.read_line(&mut seen).unwrap() == 0 {
                let _ = child.kill();
                let _ = child.wait();
                panic!("koshu serve exited before serving:\n{seen}");
            }
            if seen[before..].contains("Koshu is serving") {
                break;
            }
        }
        // Keep reading the log, so that a full pipe never blocks the server, and keep it for
        // the failure message; a copy goes to `log_file` as it comes, for scripts that read
        // what the server wrote (mails, without SMTP).
        let log_file = data.path().join("server.log");
        let mut copy = std::fs::File::create(&log_file).unwrap();
        let log = std::thread::spawn(move || {
            let mut line = String::new();
            while log.read_line(&mut line).is_ok_and(|n| n > 0) {
                let _ = std::io::Write::write_all(&mut copy, line.as_bytes());
                seen.push_str(&line);
                line.clear();
            }
            seen
        });
        Self {
            child,
            // A host name, as people use: passkeys do not work on an IP address.
            base: format!("http://localhost:{port}"),
            log: Some(log),
            log_file,
            data,
        }
    }

    /// SIGKILL, as a power cut or the OOM killer would: no chance to finish anything.
    #[allow(dead_code, reason = "used by the cli tests only")]
    pub fn kill_9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log.take();
    }

    /// SIGTERM, as a service manager would; the server must finish and exit 0. Returns its log.
    pub fn stop(mut self) -> String {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = self.child.wait().unwrap();
        let log = self
            .log
            .take()
            .and_then(|log| log.join().ok())
            .unwrap_or_default();
        assert!(
            status.success(),
            "graceful shutdown exits 0, got {status:?}\n{}",
            last_lines(&log, 40)
        );
        log
    }
}

impl Drop for Server {
    /// A test that panics before `stop` still leaves no server behind.
    fn drop(&mut self) {
        if self.log.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
