//! Review and designation (B35, B36, C01–C07): who reviews an application, the experts'
//! conflict declarations and opinions, the reviewer's finding per rule, the decisions, and
//! the designated courses. Status changes are decided by the domain's transition function;
//! this module writes each one, with its audit entry, in one transaction (C07).

use crate::audit::append_audit;
use crate::codes::decode;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::audit::AuditEvent;
use koshu_domain::designation::application::RevocationRecord;
use koshu_domain::designation::lifecycle::{DesignationEnd, Outcome, Status, designation_sequence};
use koshu_domain::designation::review::{Declaration, ReviewFinding, ReviewRole};
use koshu_domain::types::CorporateNumber;
use koshu_domain::types::FiscalYear;
use time::{Date, OffsetDateTime};

pub use koshu_domain::designation::lifecycle::Move;

/// An application waiting for or under review, for the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub application_id: String,
    pub title: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub status: Status,
    pub latest_version: i64,
    pub submitted_at: OffsetDateTime,
    /// The assigned ministry reviewers: (account id, display name).
    pub reviewers: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub account_id: String,
    pub display_name: String,
    pub role: ReviewRole,
    /// `None` until an expert declares.
    pub conflict: Option<Declaration>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFinding {
    pub rule_id: String,
    pub finding: ReviewFinding,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opinion {
    pub account_id: String,
    pub display_name: String,
    pub version: i64,
    pub opinion: String,
    pub given_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub version: i64,
    pub outcome: Outcome,
    pub reasons: String,
    pub decided_at: OffsetDateTime,
}

/// A designated course (C01).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignationRecord {
    pub number: String,
    pub application_id: String,
    pub organisation_id: String,
    pub programme_id: String,
    pub version: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub designated_at: OffsetDateTime,
    pub ended_on: Option<Date>,
    pub end_reason: Option<DesignationEnd>,
}

/// A decision on an application's latest version, with the status change it makes.
#[derive(Debug, Clone, Copy)]
pub struct NewDecision<'a> {
    pub application_id: &'a str,
    pub version: i64,
    pub outcome: Outcome,
    pub reasons: &'a str,
    pub m: Move,
}

/// A new designation, written with the decision that makes it.
#[derive(Debug, Clone, Copy)]
pub struct NewDesignation<'a> {
    pub number: &'a str,
    pub programme_id: &'a str,
    pub starts_on: Date,
    pub ends_on: Date,
}

/// A designation ended early, by abolition or revocation.
#[derive(Debug, Clone, Copy)]
pub struct EndOfDesignation<'a> {
    pub number: &'a str,
    pub ended_on: Date,
    pub end: DesignationEnd,
    /// The reasons (revocation) or the measures for learners (abolition), as recorded.
    pub reasons: &'a str,
    pub m: Move,
}

impl EndOfDesignation<'_> {
    fn end_outcome(&self) -> Outcome {
        match self.end {
            DesignationEnd::Abolished => Outcome::Abolish,
            DesignationEnd::Revoked(_) => Outcome::Revoke,
        }
    }
}

type DesignationRow = (
    String,
    String,
    String,
    String,
    i64,
    Date,
    Date,
    OffsetDateTime,
    Option<Date>,
    Option<String>,
);

fn designation(row: DesignationRow) -> Result<DesignationRecord, StoreError> {
    let (
        number,
        application_id,
        organisation_id,
        programme_id,
        version,
        starts_on,
        ends_on,
        designated_at,
        ended_on,
        end_reason,
    ) = row;
    Ok(DesignationRecord {
        number,
        application_id,
        organisation_id,
        programme_id,
        version,
        starts_on,
        ends_on,
        designated_at,
        ended_on,
        end_reason: end_reason.as_deref().map(decode).transpose()?,
    })
}

const DESIGNATION_COLUMNS: &str = "number, application_id, organisation_id, programme_id, version, starts_on, ends_on, designated_at, ended_on, end_reason";

/// Moves application `$id`'s status as the domain's `Move` `$m` says, inside the write
/// transaction `$tx`; returns `Conflict` from the enclosing function when the status is no
/// longer `$m.from` (a concurrent move won).
macro_rules! move_status {
    ($tx:expr, $id:expr, $m:expr) => {{
        let changed =
            sqlx::query("UPDATE applications SET status = $3 WHERE id = $1 AND status = $2")
                .bind($id)
                .bind($m.from.code())
                .bind($m.to.code())
                .execute(&mut *$tx)
                .await?
                .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict($crate::Conflict::StatusChanged));
        }
    }};
}
pub(crate) use move_status;

fn subject(id: &str) -> String {
    format!("application:{id}")
}

/// The audit entry of a status change: `application.<event>` with the move in the subject.
fn move_event(now: OffsetDateTime, actor: &str, id: &str, m: Move) -> AuditEvent {
    AuditEvent::new(
        now,
        actor,
        format!("application.{}", m.event.name()),
        format!("{}/{}->{}", subject(id), m.from, m.to),
    )
}

impl Store {
    /// Applications with a submitted version that the ministry has not decided on, oldest
    /// submission first.
    pub async fn review_queue(&self) -> Result<Vec<QueueEntry>, StoreError> {
        let rows: Vec<(String, String, String, String, String, i64, OffsetDateTime)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT a.id, a.title, a.organisation_id, o.name_ja, a.status, v.version, v.submitted_at \
                 FROM applications a JOIN organisations o ON o.id = a.organisation_id \
                 JOIN application_versions v ON v.application_id = a.id \
                   AND v.version = (SELECT MAX(version) FROM application_versions WHERE application_id = a.id) \
                 WHERE a.status IN ('submitted', 'under_review', 'revision_requested') \
                 ORDER BY v.submitted_at, a.id",
            )
            .fetch_all(pool)
            .await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for (
            application_id,
            title,
            organisation_id,
            organisation_name,
            status,
            latest_version,
            submitted_at,
        ) in rows
        {
            let reviewers = self
                .assignments(&application_id)
                .await?
                .into_iter()
                .filter(|a| a.role == ReviewRole::Reviewer)
                .map(|a| (a.account_id, a.display_name))
                .collect();
            out.push(QueueEntry {
                status: decode(&status)?,
                application_id,
                title,
                organisation_id,
                organisation_name,
                latest_version,
                submitted_at,
                reviewers,
            });
        }
        Ok(out)
    }

    pub async fn assignments(&self, id: &str) -> Result<Vec<Assignment>, StoreError> {
        let rows: Vec<(String, String, String, Option<String>)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT r.account_id, a.display_name, r.role, r.conflict FROM review_assignments r JOIN accounts a ON a.id = r.account_id WHERE r.application_id = $1 ORDER BY r.assigned_at, r.account_id")
                .bind(id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(account_id, display_name, role, conflict)| {
                Ok(Assignment {
                    account_id,
                    display_name,
                    role: decode(&role)?,
                    conflict: conflict.as_deref().map(decode).transpose()?,
                })
            })
            .collect()
    }

    /// The applications an expert is assigned to, with their titles.
    pub async fn expert_assignments(
        &self,
        account_id: &str,
    ) -> Result<Vec<(String, String, Option<Declaration>)>, StoreError> {
        let rows: Vec<(String, String, Option<String>)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT r.application_id, a.title, r.conflict FROM review_assignments r JOIN applications a ON a.id = r.application_id WHERE r.account_id = $1 AND r.role = 'expert' ORDER BY r.assigned_at")
                .bind(account_id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(id, title, conflict)| {
                Ok((id, title, conflict.as_deref().map(decode).transpose()?))
            })
            .collect()
    }

    pub async fn findings(&self, id: &str, version: i64) -> Result<Vec<RuleFinding>, StoreError> {
        let rows: Vec<(String, String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT rule_id, finding, comment FROM review_findings WHERE application_id = $1 AND version = $2 ORDER BY rule_id")
                .bind(id)
                .bind(version)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(rule_id, finding, comment)| {
                Ok(RuleFinding {
                    rule_id,
                    finding: decode(&finding)?,
                    comment,
                })
            })
            .collect()
    }

    pub async fn opinions(&self, id: &str) -> Result<Vec<Opinion>, StoreError> {
        let rows: Vec<(String, String, i64, String, OffsetDateTime)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT o.account_id, a.display_name, o.version, o.opinion, o.given_at FROM expert_opinions o JOIN accounts a ON a.id = o.account_id WHERE o.application_id = $1 ORDER BY o.version, o.given_at")
                .bind(id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(account_id, display_name, version, opinion, given_at)| Opinion {
                    account_id,
                    display_name,
                    version,
                    opinion,
                    given_at,
                },
            )
            .collect())
    }

    pub async fn decisions(&self, id: &str) -> Result<Vec<Decision>, StoreError> {
        let rows: Vec<(i64, String, String, OffsetDateTime)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT version, outcome, reasons, decided_at FROM review_decisions WHERE application_id = $1 ORDER BY decided_at, version")
                .bind(id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(version, outcome, reasons, decided_at)| {
                Ok(Decision {
                    version,
                    outcome: decode(&outcome)?,
                    reasons,
                    decided_at,
                })
            })
            .collect()
    }

    pub async fn designation_of(
        &self,
        application_id: &str,
    ) -> Result<Option<DesignationRecord>, StoreError> {
        let row: Option<DesignationRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {DESIGNATION_COLUMNS} FROM designations WHERE application_id = $1")))
                .bind(application_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(designation).transpose()
    }

    /// Every designation, newest number first (the public list, B36).
    pub async fn all_designations(&self) -> Result<Vec<DesignationRecord>, StoreError> {
        let rows: Vec<DesignationRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {DESIGNATION_COLUMNS} FROM designations ORDER BY starts_on DESC, number DESC")))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(designation).collect()
    }

    /// Koshu's record of revocations (B28): the corporate number of each revoked
    /// designation's organisation, the day and the reason.
    pub async fn revocations(&self) -> Result<Vec<RevocationRecord>, StoreError> {
        let rows: Vec<(String, Date, String)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT o.corporate_number, d.ended_on, d.end_reason FROM designations d JOIN organisations o ON o.id = d.organisation_id WHERE d.end_reason LIKE 'revoked:%' AND d.ended_on IS NOT NULL ORDER BY d.ended_on")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(number, revoked_on, end)| {
                let DesignationEnd::Revoked(reason) = decode(&end)? else {
                    return Err(StoreError::Corrupt(format!("designation end {end:?}")));
                };
                Ok(RevocationRecord {
                    corporate_number: CorporateNumber::parse(&number)
                        .map_err(|_| StoreError::Corrupt(format!("corporate number {number:?}")))?,
                    revoked_on,
                    reason,
                })
            })
            .collect()
    }
}

impl UnitOfWork {
    /// Moves the application's status, if it still is `m.from` (a concurrent move wins
    /// otherwise: `Conflict`), and audits the move.
    pub async fn move_application(
        &mut self,
        id: &str,
        m: Move,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "move_application", tx => {
            move_status!(tx, id, m);
            append_audit!(tx, move_event(now, actor, id, m));
            Ok(())
        })
    }

    /// What the ministry decided on the latest version, with the status change it makes; a
    /// designation is written with it.
    pub async fn decide_application(
        &mut self,
        d: &NewDecision<'_>,
        designation: Option<&NewDesignation<'_>>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "decide_application", tx => {
            move_status!(tx, d.application_id, d.m);
            sqlx::query("INSERT INTO review_decisions (application_id, version, outcome, reasons, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(d.application_id)
                .bind(d.version)
                .bind(d.outcome.code())
                .bind(d.reasons)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if let Some(n) = designation {
                sqlx::query("INSERT INTO designations (number, application_id, organisation_id, programme_id, version, starts_on, ends_on, designated_at) SELECT $1, id, organisation_id, $2, $3, $4, $5, $6 FROM applications WHERE id = $7")
                    .bind(n.number)
                    .bind(n.programme_id)
                    .bind(d.version)
                    .bind(n.starts_on)
                    .bind(n.ends_on)
                    .bind(now)
                    .bind(d.application_id)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, move_event(now, actor, d.application_id, d.m));
            Ok(())
        })
    }

    /// The highest sequence among the designation numbers of fiscal year `fy` (0 if none),
    /// read inside the unit: writers are serialised, so the next number is this plus one
    /// until the unit commits, and the primary key on `number` refuses a duplicate anyway.
    pub async fn highest_designation_sequence(
        &mut self,
        fy: FiscalYear,
    ) -> Result<u32, StoreError> {
        let prefix = format!("特講{}-%", fy.year());
        let numbers: Vec<(String,)> = write_step!(self, "highest_designation_sequence", tx => {
            Ok(sqlx::query_as("SELECT number FROM designations WHERE number LIKE $1")
                .bind(&prefix)
                .fetch_all(&mut *tx)
                .await?)
        })?;
        Ok(numbers
            .iter()
            .filter_map(|(n,)| designation_sequence(n, fy))
            .max()
            .unwrap_or(0))
    }

    /// Assigns a reviewer or an expert. `false` when the person is assigned already (in
    /// whichever role: one person does not review and advise on the same application).
    pub async fn assign(
        &mut self,
        id: &str,
        account_id: &str,
        role: ReviewRole,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        write_step!(self, "assign", tx => {
            let inserted = sqlx::query("INSERT INTO review_assignments (application_id, account_id, role, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id, account_id) DO NOTHING")
                .bind(id)
                .bind(account_id)
                .bind(role.code())
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if inserted == 1 {
                let event = AuditEvent::new(now, actor, format!("review.assign_{}", role.code()), format!("{}/account:{account_id}", subject(id)));
                append_audit!(tx, event);
            }
            Ok(inserted == 1)
        })
    }

    /// An expert's declaration: `none` or `conflict`; once only.
    pub async fn declare_conflict(
        &mut self,
        id: &str,
        account_id: &str,
        conflict: Declaration,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "declare_conflict", tx => {
            let changed = sqlx::query("UPDATE review_assignments SET conflict = $3, declared_at = $4 WHERE application_id = $1 AND account_id = $2 AND role = 'expert' AND conflict IS NULL")
                .bind(id)
                .bind(account_id)
                .bind(conflict.code())
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(crate::Conflict::AlreadyDeclared));
            }
            let actor = format!("account:{account_id}");
            let event = AuditEvent::new(now, &actor, format!("review.declare_{}", conflict.code()), subject(id));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Records the reviewer's findings for a version, replacing earlier ones for the same rules.
    pub async fn record_findings(
        &mut self,
        id: &str,
        version: i64,
        findings: &[RuleFinding],
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "record_findings", tx => {
            for f in findings {
                sqlx::query("INSERT INTO review_findings (application_id, version, rule_id, finding, comment, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (application_id, version, rule_id) DO UPDATE SET finding = excluded.finding, comment = excluded.comment, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at")
                    .bind(id)
                    .bind(version)
                    .bind(&f.rule_id)
                    .bind(f.finding.code())
                    .bind(&f.comment)
                    .bind(actor)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            let event = AuditEvent::new(now, actor, "review.findings", format!("{}/version:{version}", subject(id)));
            append_audit!(tx, event);
            Ok(())
        })
    }

    pub async fn give_opinion(
        &mut self,
        id: &str,
        version: i64,
        account_id: &str,
        opinion: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "give_opinion", tx => {
            sqlx::query("INSERT INTO expert_opinions (application_id, version, account_id, opinion, given_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id, version, account_id) DO UPDATE SET opinion = excluded.opinion, given_at = excluded.given_at")
                .bind(id)
                .bind(version)
                .bind(account_id)
                .bind(opinion)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let actor = format!("account:{account_id}");
            let event = AuditEvent::new(now, &actor, "review.opinion", format!("{}/version:{version}", subject(id)));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Ends a designation early (abolition or revocation) with the status change and the
    /// decision's reasons, audited. `NotFound` when it has ended already.
    pub async fn end_designation(
        &mut self,
        e: &EndOfDesignation<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "end_designation", tx => {
            let row: Option<(String, i64)> = sqlx::query_as("SELECT application_id, version FROM designations WHERE number = $1 AND ended_on IS NULL")
                .bind(e.number)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((id, version)) = row else {
                return Err(StoreError::NotFound);
            };
            let m = e.m;
            let (number, ended_on, reason, outcome, reasons) = (e.number, e.ended_on, e.end.code(), e.end_outcome(), e.reasons);
            move_status!(tx, &id, m);
            sqlx::query("UPDATE designations SET ended_on = $2, end_reason = $3 WHERE number = $1")
                .bind(number)
                .bind(ended_on)
                .bind(reason)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO review_decisions (application_id, version, outcome, reasons, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&id)
                .bind(version)
                .bind(outcome.code())
                .bind(reasons)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, move_event(now, actor, &id, m));
            Ok(())
        })
    }
}
