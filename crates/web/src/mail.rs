//! The mails Koshu sends, in Japanese with English below (the recipient's language is not
//! known before they sign in). Each is queued in the outbox (`koshu_store::outbox`) and logged;
//! without SMTP the log holds the whole message.

use crate::AppState;
use crate::error::AppError;
use koshu_store::outbox::Mail;

/// Queues `mail` in a unit of work of its own; delivery (SMTP, when configured) happens from
/// the outbox.
pub async fn send(state: &AppState, mail: Mail) -> Result<(), AppError> {
    Ok(koshu_workflow::mail::send(&state.workflow, mail).await?)
}

fn link(state: &AppState, path: &str, token: &str) -> String {
    format!("{}{path}?token={token}", state.settings.public_url)
}

use koshu_workflow::mail::SIGNATURE;

/// The sign-up's verification mail; its link carries `next`, where the person was going.
pub fn verify_email(state: &AppState, to: &str, name: &str, token: &str, next: &str) -> Mail {
    let mut url = link(state, "/verify-email", token);
    if !next.is_empty() {
        url.push_str(&format!("&next={}", crate::view::url_encode(next)));
    }
    Mail {
        to: to.to_owned(),
        subject: "【Koshu】メールアドレスの確認 / Please verify your e-mail address".into(),
        body: format!(
            "{name} 様\n\nKoshu へのご登録ありがとうございます。\n次のリンクを開いて、メールアドレスの確認を完了してください（24時間有効）。\n\n{url}\n\nお心当たりがない場合は、このメールを破棄してください。\n\n---\n\nThank you for signing up to Koshu.\nOpen the link above within 24 hours to verify your e-mail address.\nIf you did not sign up, please ignore this mail.\n{SIGNATURE}"
        ),
        calendar: None,
    }
}

/// Sent instead of a second account: says nothing to the person who typed the address.
pub fn already_registered(state: &AppState, to: &str) -> Mail {
    let login = format!("{}/login", state.settings.public_url);
    let reset = format!("{}/password/forgot", state.settings.public_url);
    Mail {
        to: to.to_owned(),
        subject: "【Koshu】このメールアドレスは登録済みです / This address already has an account"
            .into(),
        body: format!(
            "このメールアドレスで新規登録の申込みがありましたが、すでにアカウントがあります。\nログイン：{login}\nパスワードをお忘れの場合：{reset}\n\nお心当たりがない場合は、このメールを破棄してください。\n\n---\n\nSomeone asked to sign up with this address, which already has an account.\nSign in: {login}\nForgot your password: {reset}\nIf it was not you, please ignore this mail.\n{SIGNATURE}"
        ),
        calendar: None,
    }
}

pub fn reset_password(state: &AppState, to: &str, token: &str) -> Mail {
    let url = link(state, "/password/reset", token);
    Mail {
        to: to.to_owned(),
        subject: "【Koshu】パスワードの再設定 / Reset your password".into(),
        body: format!(
            "パスワード再設定の申込みを受け付けました。\n次のリンクを開いて、新しいパスワードを設定してください（1時間有効、1回限り）。\n\n{url}\n\n再設定すると、すべての端末でログアウトします。\nお心当たりがない場合は、このメールを破棄してください。パスワードは変わりません。\n\n---\n\nWe received a request to reset your password.\nOpen the link above within one hour to choose a new one (it works once).\nResetting signs you out everywhere.\nIf it was not you, ignore this mail: your password stays as it is.\n{SIGNATURE}"
        ),
        calendar: None,
    }
}

pub fn invitation(
    state: &AppState,
    to: &str,
    organisation: &str,
    role_ja: &str,
    role_en: &str,
    token: &str,
) -> Mail {
    let url = link(state, "/invitations/accept", token);
    Mail {
        to: to.to_owned(),
        subject: format!("【Koshu】{organisation} へのご招待 / Invitation to {organisation}"),
        body: format!(
            "{organisation} の担当者として、Koshu に招待されました（役割：{role_ja}）。\n次のリンクを開き、このメールアドレスのアカウントでログインして承諾してください（7日間有効）。\nアカウントがない場合は、同じメールアドレスで新規登録してから開いてください。\n\n{url}\n\n---\n\nYou are invited to Koshu as staff of {organisation} (role: {role_en}).\nOpen the link above within 7 days and sign in with this address to accept.\nIf you have no account, sign up with this address first.\n{SIGNATURE}"
        ),
        calendar: None,
    }
}

/// Delivers the outbox over SMTP. Any number of nodes may run it: each message is claimed
/// (`Store::claim_mail`) before it is sent, so none is sent twice.
#[derive(Clone)]
pub struct SmtpSender {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

/// Tries per message before it stays in the outbox as failed.
const MAX_ATTEMPTS: i32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("smtp_url: {0}")]
    Url(String),
    #[error("mail_from: {0}")]
    From(String),
}

/// The body and an iCalendar attachment (RFC 5545, `METHOD:PUBLISH`: dates to keep, not a
/// meeting invitation to answer).
fn with_calendar(body: &str, ics: &str) -> lettre::message::MultiPart {
    use lettre::message::{Attachment, MultiPart, SinglePart, header::ContentType};
    let calendar = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
        .unwrap_or(ContentType::TEXT_PLAIN);
    MultiPart::mixed()
        .singlepart(SinglePart::plain(body.to_owned()))
        .singlepart(Attachment::new("koshu.ics".to_owned()).body(ics.to_owned(), calendar))
}

impl SmtpSender {
    /// `url`: `smtp://host:25` (plain, for a relay on the same network), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://user:password@host:465`; `from`: `Koshu <noreply@example.jp>`.
    pub fn new(url: &str, from: &str) -> Result<Self, MailConfigError> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|e| MailConfigError::Url(e.to_string()))?
            .build();
        let from = from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailConfigError::From(e.to_string()))?;
        Ok(Self { transport, from })
    }

    /// Sends what is waiting in the outbox; returns how many were sent.
    pub async fn deliver_pending(
        &self,
        state: &AppState,
    ) -> Result<usize, koshu_store::StoreError> {
        use lettre::AsyncTransport;
        let mut sent = 0;
        for mail in state.store.unsent_mail(MAX_ATTEMPTS, 50).await? {
            if !state.store.claim_mail(&mail.id, mail.attempts).await? {
                continue;
            }
            let message = mail
                .to_address
                .parse()
                .map_err(|e: lettre::address::AddressError| e.to_string())
                .and_then(|to| {
                    let builder = lettre::Message::builder()
                        .from(self.from.clone())
                        .to(to)
                        .subject(&mail.subject);
                    match &mail.calendar {
                        None => builder
                            .header(lettre::message::header::ContentType::TEXT_PLAIN)
                            .body(mail.body.clone()),
                        Some(ics) => builder.multipart(with_calendar(&mail.body, ics)),
                    }
                    .map_err(|e| e.to_string())
                });
            let result = match message {
                Ok(m) => self
                    .transport
                    .send(m)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    state
                        .store
                        .mark_mail_sent(&mail.id, state.clock.now())
                        .await?;
                    tracing::info!(outbox_id = %mail.id, to = %mail.to_address, "mail sent");
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(outbox_id = %mail.id, attempt = mail.attempts + 1, error = %e, "mail not sent");
                    state.store.mark_mail_failed(&mail.id, &e).await?;
                }
            }
        }
        Ok(sent)
    }

    /// Delivers every `every` until the process ends.
    pub async fn run(self, state: AppState, every: std::time::Duration) {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            if let Err(e) = self.deliver_pending(&state).await {
                tracing::error!(error = %e, "outbox delivery failed");
            }
        }
    }
}
