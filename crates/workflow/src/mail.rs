//! Mail that use cases send. Every mail is queued in the outbox inside the use case's unit of
//! work, so it exists exactly when the change it reports does; SMTP delivery (where set up)
//! reads the outbox later. Mails are in Japanese with English below: the recipient's language
//! is not known outside a session.

use crate::Workflow;
use koshu_store::outbox::Mail;
use koshu_store::{StoreError, UnitOfWork};

pub const SIGNATURE: &str = "\n--\nKoshu サイバーセキュリティ講座ポータル / Koshu Cybersecurity Training Portal\nこのメールは送信専用です。/ This address does not receive replies.\n";

/// Mails queued by a unit of work, to be logged once it has committed.
#[derive(Debug, Default)]
pub struct Queued(Vec<(String, Mail)>);

impl Queued {
    /// Queues `mail` in `unit`'s outbox.
    pub async fn push(
        &mut self,
        wf: &Workflow,
        unit: &mut UnitOfWork,
        mail: Mail,
    ) -> Result<(), StoreError> {
        let id = unit.enqueue_mail(&mail, wf.now()).await?;
        self.0.push((id, mail));
        Ok(())
    }

    /// Says in the log what was queued; without SMTP the log is where the person running
    /// Koshu reads the mail (and its links).
    pub fn log(self, wf: &Workflow) {
        for (id, mail) in self.0 {
            if wf.settings.smtp {
                tracing::info!(outbox_id = %id, to = %mail.to, subject = %mail.subject, "mail queued");
            } else {
                tracing::info!(outbox_id = %id, to = %mail.to, subject = %mail.subject, body = %mail.body, "mail queued (no SMTP server configured)");
            }
        }
    }
}

/// A use case whose only write is one mail (a sign-up confirmation, a password reset).
pub async fn send(wf: &Workflow, mail: Mail) -> Result<(), StoreError> {
    let mut unit = wf.store.write().await?;
    let mut queued = Queued::default();
    queued.push(wf, &mut unit, mail).await?;
    unit.commit().await?;
    queued.log(wf);
    Ok(())
}

/// A link into Koshu as people open it from a mail.
pub fn link(wf: &Workflow, path: &str) -> String {
    format!("{}{path}", wf.settings.public_url)
}

/// C02: the final year of a designation has begun; a renewal application is due.
pub fn renewal_due(
    wf: &Workflow,
    to: &str,
    course: &str,
    number: &str,
    ends_on: &str,
    application_id: &str,
) -> Mail {
    let url = link(wf, &format!("/applications/{application_id}"));
    Mail {
        to: to.to_owned(),
        subject: format!("【Koshu】特定講習の更新時期です（{number}） / Time to renew a designation"),
        body: format!(
            "特定講習「{course}」（{number}）の対象期間は {ends_on} までです。
対象期間の最終年度に入りました。引き続き特定講習とするには、募集期間内に更新の応募をしてください（現在の申請内容を引き継いで作成できます）。

{url}

---

The designation of \"{course}\" ({number}) runs until {ends_on} and is in its final year. To continue, apply for renewal in the application window; Koshu can start the renewal from the current application.
{SIGNATURE}"
        ),
        calendar: None,
    }
}

// Process mails (A03, B35, B36, C01–C06): each party hears of what happened to an
// application and gets the link to act on it.

/// Who is told of what happens to an application.
pub mod recipients {
    use crate::{Workflow, WorkflowError};
    use koshu_domain::access::OrgRole;
    use koshu_domain::designation::review::ReviewRole;

    /// The provider's owners: they submit, and the ministry's decisions are addressed to them.
    pub async fn owners(
        wf: &Workflow,
        organisation_id: &str,
    ) -> Result<Vec<String>, WorkflowError> {
        Ok(wf
            .store
            .staff_of(organisation_id)
            .await?
            .into_iter()
            .filter(|m| m.role == OrgRole::Owner)
            .map(|m| m.email.as_str().to_owned())
            .collect())
    }

    /// The reviewers assigned to the application, or, while none is, the ministry's staff
    /// (who assign one).
    pub async fn ministry(
        wf: &Workflow,
        application_id: &str,
    ) -> Result<Vec<String>, WorkflowError> {
        let mut assigned = Vec::new();
        for a in wf.store.assignments(application_id).await? {
            if a.role == ReviewRole::Reviewer
                && let Some(account) = wf.store.account(&a.account_id).await?
            {
                assigned.push(account.email.as_str().to_owned());
            }
        }
        if !assigned.is_empty() {
            return Ok(assigned);
        }
        Ok(wf
            .store
            .review_staff()
            .await?
            .into_iter()
            .filter(|a| {
                a.ministry_role
                    .is_some_and(koshu_domain::access::MinistryRole::reviews_designations)
            })
            .map(|a| a.email.as_str().to_owned())
            .collect())
    }
}

/// One process mail: Japanese, then English, each with the link to open.
#[derive(Debug)]
pub struct Process<'a> {
    pub subject: (&'a str, &'a str),
    pub ja: String,
    pub en: String,
    pub path: String,
}

impl Process<'_> {
    /// The mail to each of `to`, queued in `unit`.
    pub async fn queue(
        &self,
        wf: &Workflow,
        unit: &mut UnitOfWork,
        queued: &mut Queued,
        to: &[String],
    ) -> Result<(), StoreError> {
        let url = link(wf, &self.path);
        for address in to {
            let mail = Mail {
                to: address.clone(),
                subject: format!("【Koshu】{} / {}", self.subject.0, self.subject.1),
                body: format!(
                    "{}\n\n{url}\n\n---\n\n{}\n\n{url}\n{SIGNATURE}",
                    self.ja, self.en
                ),
                calendar: None,
            };
            queued.push(wf, unit, mail).await?;
        }
        Ok(())
    }
}

/// A moment as the mail's reader in Japan reads it: 2026年12月1日 10:30.
pub fn jst_time(t: time::OffsetDateTime) -> String {
    let local = t.to_offset(crate::JST);
    format!(
        "{} {:02}:{:02}",
        koshu_domain::types::date_ja::date_ja(local.date()),
        local.hour(),
        local.minute()
    )
}
