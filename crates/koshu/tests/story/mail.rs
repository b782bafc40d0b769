//! Mail leaves the outbox over SMTP (issue 4): a password-reset mail reaches a real SMTP server
//! on loopback (aiosmtpd), and its link resets the password.

use crate::accounts::{Browser, sign_up};
use crate::app::TestApp;
use axum::http::StatusCode;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// aiosmtpd on a free loopback port, printing every message it receives; a thread forwards its
/// lines so that waiting for one has a time limit.
struct SmtpServer {
    child: Child,
    port: u16,
    lines: std::sync::mpsc::Receiver<String>,
}

impl SmtpServer {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("aiosmtpd")
            .args([
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Debugging",
                "stdout",
            ])
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Ready when it accepts a connection; bounded, and no fixed sleep.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "aiosmtpd did not start"
            );
            std::thread::yield_now();
        }
        let (tx, lines) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, port, lines }
    }

    /// The decoded body of the first message received whose body contains `needle`, read as a
    /// mail client would (headers, blank line, base64 body).
    /// The first mail whose body (decoded from base64) or, for a multipart mail, whose raw
    /// text contains `needle`.
    fn wait_for_mail(&self, needle: &str) -> String {
        use base64::Engine;
        let mut seen = Vec::new();
        let mut message: Vec<String> = Vec::new();
        loop {
            let line = match self.lines.recv_timeout(std::time::Duration::from_secs(30)) {
                Ok(line) => line,
                Err(e) => panic!("no mail with {needle} ({e}):\n{}", seen.join("\n")),
            };
            seen.push(line.clone());
            if line.contains("MESSAGE FOLLOWS") {
                message.clear();
            } else if line.contains("END MESSAGE") {
                let body_start = message.iter().position(String::is_empty).unwrap_or(0);
                let encoded: String = message[body_start..].concat();
                let body = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_default();
                let raw = message.join("\n");
                if body.contains(needle) || raw.contains(needle) {
                    assert!(
                        message
                            .iter()
                            .any(|h| h.starts_with("From: Koshu <noreply@koshu.test>"))
                    );
                    return if body.contains(needle) { body } else { raw };
                }
            } else {
                message.push(line);
            }
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn a_reset_mail_arrives_at_a_real_smtp_server(app: TestApp) {
    let smtp = SmtpServer::start();
    sign_up(&app, "伊藤 五郎", "goro@example.jp").await;
    let mut b = Browser::new(&app);
    let res = b
        .post("/password/forgot", &[("email", "goro@example.jp")])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let sender = koshu_web::mail::SmtpSender::new(
        &format!("smtp://127.0.0.1:{}", smtp.port),
        "Koshu <noreply@koshu.test>",
    )
    .unwrap();
    // The sign-up's verification mail and the reset mail.
    assert_eq!(sender.deliver_pending(&app.state).await.unwrap(), 2);
    assert_eq!(
        sender.deliver_pending(&app.state).await.unwrap(),
        0,
        "each is sent once"
    );
    let body = smtp.wait_for_mail("/password/reset?token=");
    assert!(body.contains("パスワード再設定"), "{body}");
    let start = body.find("?token=").unwrap() + "?token=".len();
    let token = &body[start..start + 64];
    let outbox = app.store.outbox(10, 0).await.unwrap();
    assert!(outbox.iter().all(|m| m.sent_at.is_some()));
    let done = b
        .post(
            &format!("/password/reset?token={token}"),
            &[("password", "a pass phrase from the mail")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let login = b
        .post(
            "/login",
            &[
                ("email", "goro@example.jp"),
                ("password", "a pass phrase from the mail"),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
}

/// An enrolment's confirmation goes out as a multipart mail: the text, and the dates as an
/// iCalendar attachment (`koshu.ics`, text/calendar).
pub async fn an_enrolment_mail_arrives_with_its_calendar_file(app: TestApp) {
    let smtp = SmtpServer::start();
    let (_, _, session) = crate::delivery::a_delivered_session(&app, "5").await;
    let learner = sign_up(&app, "予定 表子", "ics@example.jp").await;
    let mut b = crate::accounts::signed_in(&app, &learner).await;
    let applied = b
        .post(
            &format!("/sessions/{session}/enrol"),
            &crate::delivery::profile("予定 表子", "ヨテイ ヒョウコ", ""),
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    let sender = koshu_web::mail::SmtpSender::new(
        &format!("smtp://127.0.0.1:{}", smtp.port),
        "Koshu <noreply@koshu.test>",
    )
    .unwrap();
    assert!(sender.deliver_pending(&app.state).await.unwrap() >= 1);
    let raw = smtp.wait_for_mail("koshu.ics");
    assert!(raw.contains("multipart/mixed"), "{raw}");
    assert!(raw.contains("text/calendar"), "{raw}");
    assert!(raw.contains("method=PUBLISH"), "{raw}");
}
