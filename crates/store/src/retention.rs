//! What Koshu holds about people, table by table: what the retention schedule purges from a
//! session after its three years (E02; the rule is `koshu_domain::retention`) and what an
//! export for an inquiry or a disclosure request writes (`koshu export`).
//!
//! The lists here are the inventory: a table that gains personal data gains a line here.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::types::FiscalYear;
use sqlx::Row;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A table, the columns written out (never a secret: no password hash, no code secret), and
/// the column that names whom (or what) a row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub key: &'static str,
}

const fn table(name: &'static str, key: &'static str, columns: &'static [&'static str]) -> Table {
    Table { name, columns, key }
}

const ENROLMENTS: Table = table(
    "enrolments",
    "session_id",
    &[
        "id",
        "session_id",
        "account_id",
        "status",
        "queue_no",
        "offer_until",
        "cancelled_by",
        "created_at",
        "updated_at",
    ],
);
const IDENTITY_CHECKS: Table = table(
    "identity_checks",
    "session_id",
    &[
        "id",
        "session_id",
        "account_id",
        "day",
        "method",
        "riss_result",
        "note",
        "checked_by",
        "checked_at",
    ],
);
const ATTENDANCE_EVENTS: Table = table(
    "attendance_events",
    "session_id",
    &[
        "id",
        "session_id",
        "account_id",
        "block_no",
        "kind",
        "at_us",
        "until_us",
        "source",
        "reason",
        "recorded_by",
        "recorded_at",
    ],
);
const HEARTBEATS: Table = table(
    "heartbeats",
    "session_id",
    &["session_id", "account_id", "at_us"],
);
const PARTICIPANT_REPORTS: Table = table(
    "participant_reports",
    "session_id",
    &[
        "id",
        "session_id",
        "block_no",
        "tool",
        "file_id",
        "sha256",
        "rows",
        "uploaded_by",
        "uploaded_at",
    ],
);
const SURVEY_SUBMISSIONS: Table = table(
    "survey_submissions",
    "session_id",
    &["session_id", "account_id"],
);
const SURVEY_TEXTS: Table = table(
    "survey_texts",
    "session_id",
    &["session_id", "item_id", "answers"],
);
const BOARD_POSTS: Table = table(
    "board_posts",
    "session_id",
    &[
        "id",
        "session_id",
        "kind",
        "question_id",
        "author_id",
        "anonymous",
        "body",
        "posted_at",
        "hidden_by",
        "hidden_at",
        "hidden_reason",
    ],
);
const ASSESSMENT_RESULTS: Table = table(
    "assessment_results",
    "session_id",
    &[
        "id",
        "session_id",
        "account_id",
        "assessment",
        "attempt",
        "score",
        "levels",
        "correction_reason",
        "recorded_by",
        "recorded_at",
    ],
);
const COMPLETION_DECISIONS: Table = table(
    "completion_decisions",
    "session_id",
    &[
        "id",
        "session_id",
        "account_id",
        "outcome",
        "attended_minutes",
        "timetabled_minutes",
        "attendance_percent",
        "reasons",
        "criteria",
        "supersedes",
        "correction_reason",
        "decided_by",
        "decided_at",
    ],
);
const PROGRESS_EVENTS: Table = table(
    "progress_events",
    "session_id",
    &["id", "session_id", "account_id", "item_no", "kind", "at_us"],
);
const XAPI_UNMATCHED: Table = table(
    "xapi_unmatched",
    "session_id",
    &["session_id", "actor", "statements", "last_at"],
);
const FOLLOW_UPS: Table = table(
    "follow_ups",
    "session_id",
    &[
        "id",
        "session_id",
        "account_id",
        "subject",
        "stalled_since",
        "method",
        "outcome",
        "note",
        "recorded_by",
        "recorded_at",
    ],
);

/// The personal data of a session's learners, which the schedule purges after its three
/// years: enrolments, identity checks, attendance (with the meeting tools' reports and their
/// files), heartbeats, progress, follow-ups, assessments, completion decisions, who answered
/// the survey and the free-text answers (which may name someone), and the board's posts.
///
/// Kept: the plan of the session, the seals of its days (digests and counts), the survey's
/// tallies (anonymous by construction), the submitted reports, the audit log, and each issued
/// certificate with the completion decision it rests on: a certificate is its holder's proof
/// for their renewal and stays verifiable (and revocable) for as long as it lives.
pub const SESSION_PERSONAL_DATA: &[Table] = &[
    ENROLMENTS,
    IDENTITY_CHECKS,
    ATTENDANCE_EVENTS,
    HEARTBEATS,
    PARTICIPANT_REPORTS,
    SURVEY_SUBMISSIONS,
    SURVEY_TEXTS,
    BOARD_POSTS,
    ASSESSMENT_RESULTS,
    COMPLETION_DECISIONS,
    PROGRESS_EVENTS,
    FOLLOW_UPS,
    XAPI_UNMATCHED,
];

const CREDENTIAL_COLUMNS: &[&str] = &[
    "id",
    "organisation_id",
    "session_id",
    "account_id",
    "decision_id",
    "seq",
    "status",
    "status_reason",
    "status_changed_at",
    "issued_at",
    "document",
];

/// What a course's export writes besides [`SESSION_PERSONAL_DATA`], by session.
pub const SESSION_RECORDS: &[Table] = &[
    table(
        "deliveries",
        "session_id",
        &[
            "session_id",
            "programme_id",
            "organisation_id",
            "plan",
            "capacity",
            "revision",
            "created_at",
            "updated_at",
        ],
    ),
    table(
        "attendance_seals",
        "session_id",
        &[
            "session_id",
            "day",
            "digest",
            "entries",
            "sealed_by",
            "sealed_at",
        ],
    ),
    table(
        "survey_tallies",
        "session_id",
        &["session_id", "item_id", "choice", "count"],
    ),
    table(
        "survey_improvements",
        "session_id",
        &[
            "id",
            "session_id",
            "finding",
            "change_made",
            "changed_on",
            "recorded_by",
            "recorded_at",
        ],
    ),
    table(
        "completion_criteria",
        "session_id",
        &[
            "session_id",
            "criteria",
            "revision",
            "updated_by",
            "updated_at",
        ],
    ),
    table("credentials", "session_id", CREDENTIAL_COLUMNS),
    table(
        "retention_purges",
        "session_id",
        &[
            "session_id",
            "fiscal_year",
            "removed",
            "purged_by",
            "purged_at",
        ],
    ),
];

/// A course's own records, by programme.
pub const COURSE_RECORDS: &[Table] = &[table(
    "course_reports",
    "programme_id",
    &[
        "programme_id",
        "period",
        "version",
        "figures",
        "remarks",
        "digest",
        "submitted_by",
        "submitted_at",
    ],
)];

/// What is held about one person, by account: their account (no secrets), learner profile,
/// memberships, holder ledger, certificates; and, through [`SESSION_PERSONAL_DATA`] with the
/// column naming them, every session's records of them.
pub const PERSON_RECORDS: &[Table] = &[
    table(
        "accounts",
        "id",
        &[
            "id",
            "email",
            "display_name",
            "email_verified_at",
            "totp_enabled_at",
            "ministry_role",
            "expert",
            "created_at",
        ],
    ),
    table(
        "learners",
        "account_id",
        &[
            "account_id",
            "name",
            "name_kana",
            "riss_number",
            "riss_registered_on",
            "riss_on_credential",
            "consented_at",
            "updated_at",
        ],
    ),
    table(
        "memberships",
        "account_id",
        &["organisation_id", "account_id", "role", "created_at"],
    ),
    table(
        "holder_links",
        "account_id",
        &[
            "account_id",
            "riss_number",
            "registered_on",
            "renewed_on",
            "linked_at",
            "updated_at",
        ],
    ),
    table(
        "holder_courses",
        "account_id",
        &[
            "id",
            "account_id",
            "kind",
            "title",
            "provider",
            "completed_on",
            "standing",
            "credential",
            "verdict",
            "file_id",
            "created_at",
        ],
    ),
    table(
        "holder_reminders",
        "account_id",
        &["account_id", "deadline", "days_before", "sent_at"],
    ),
    table("credentials", "account_id", CREDENTIAL_COLUMNS),
];

/// The column of a session table that names the person a row is about; `None` for a table
/// whose rows name nobody (a report's rows and the free-text answers are written out with the
/// course, not the person).
pub fn person_column(table: &Table) -> Option<&'static str> {
    if table.columns.contains(&"account_id") {
        Some("account_id")
    } else if table.columns.contains(&"author_id") {
        Some("author_id")
    } else {
        None
    }
}

/// Rows as text, in the table's column order (`None` for SQL NULL).
pub type TextRows = Vec<Vec<Option<String>>>;

/// A session whose personal data was purged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purge {
    pub session_id: String,
    pub fiscal_year: i32,
    /// Rows removed, by table.
    pub removed: BTreeMap<String, i64>,
    pub purged_by: String,
    pub purged_at: OffsetDateTime,
}

/// What a purge removed inside its unit, and the stored files whose bytes go once it commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purged {
    pub removed: BTreeMap<String, i64>,
    pub file_ids: Vec<String>,
}

/// The condition that keeps the completion decisions an issued certificate rests on (and the
/// earlier decisions they correct, of the same learner and session).
const DECISIONS_WITHOUT_CREDENTIAL: &str =
    "account_id NOT IN (SELECT c.account_id FROM credentials c WHERE c.session_id = $1)";

fn filter_of(table: &Table) -> String {
    if table.name == COMPLETION_DECISIONS.name {
        format!("session_id = $1 AND {DECISIONS_WITHOUT_CREDENTIAL}")
    } else {
        "session_id = $1".to_owned()
    }
}

fn select_text(table: &Table, condition: &str) -> String {
    let columns = table
        .columns
        .iter()
        .map(|c| format!("CAST({c} AS TEXT)"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {columns} FROM {} WHERE {condition} ORDER BY {}",
        table.name,
        table.columns.join(", ")
    )
}

impl Store {
    /// Every session purged so far, the oldest purge first.
    pub async fn retention_purges(&self) -> Result<Vec<Purge>, StoreError> {
        let rows: Vec<(String, i64, String, String, OffsetDateTime)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT session_id, CAST(fiscal_year AS BIGINT), removed, purged_by, purged_at FROM retention_purges ORDER BY purged_at, session_id",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(session_id, year, removed, purged_by, purged_at)| {
                Ok(Purge {
                    session_id,
                    fiscal_year: i32::try_from(year).unwrap_or_default(),
                    removed: serde_json::from_str(&removed)?,
                    purged_by,
                    purged_at,
                })
            })
            .collect()
    }

    /// How many rows a purge of the session would remove, by table (the dry run).
    pub async fn personal_data_counts(
        &self,
        session_id: &str,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let mut counts = BTreeMap::new();
        for table in SESSION_PERSONAL_DATA {
            let sql = format!(
                "SELECT COUNT(*) FROM {} WHERE {}",
                table.name,
                filter_of(table)
            );
            let (n,): (i64,) = on_db!(&self.db, pool => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(session_id)
                    .fetch_one(pool)
                    .await?
            });
            counts.insert(table.name.to_owned(), n);
        }
        Ok(counts)
    }

    /// The rows of `table` whose `column` is `value`, every value as text.
    pub async fn rows_where(
        &self,
        table: &Table,
        column: &str,
        value: &str,
    ) -> Result<TextRows, StoreError> {
        let sql = select_text(table, &format!("{column} = $1"));
        let width = table.columns.len();
        on_db!(&self.db, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(value)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| (0..width).map(|i| row.try_get::<Option<String>, _>(i).map_err(StoreError::from)).collect())
                .collect()
        })
    }

    /// The audit entries made by or about one account (their actor or subject names it).
    pub async fn audit_entries_of_account(&self, account_id: &str) -> Result<TextRows, StoreError> {
        let actor = format!("account:{account_id}");
        let subjects = [actor.clone(), format!("learner:{account_id}")];
        on_db!(&self.db, pool => {
            let rows = sqlx::query(
                "SELECT CAST(seq AS TEXT), CAST(at AS TEXT), actor, action, subject, before_digest, after_digest, hash \
                 FROM audit_log WHERE actor = $1 OR subject = $2 OR subject = $3 ORDER BY seq",
            )
            .bind(&actor)
            .bind(&subjects[0])
            .bind(&subjects[1])
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| (0..8).map(|i| row.try_get::<Option<String>, _>(i).map_err(StoreError::from)).collect())
                .collect()
        })
    }
}

/// The columns of [`Store::audit_entries_of_account`].
pub const AUDIT_COLUMNS: &[&str] = &[
    "seq",
    "at",
    "actor",
    "action",
    "subject",
    "before_digest",
    "after_digest",
    "hash",
];

impl UnitOfWork {
    /// Purges the personal data of one session (E02), records the purge with its counts, and
    /// audits it; `None` when the session was purged already (nothing is written). The stored
    /// files of its meeting-tool reports lose their records here; the caller removes their
    /// bytes once the unit has committed ([`Store::remove_objects`]).
    pub async fn purge_session(
        &mut self,
        session_id: &str,
        fiscal_year: FiscalYear,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Purged>, StoreError> {
        write_step!(self, "purge_session", tx => {
            let done: Option<(String,)> = sqlx::query_as("SELECT session_id FROM retention_purges WHERE session_id = $1")
                .bind(session_id)
                .fetch_optional(&mut *tx)
                .await?;
            if done.is_some() {
                return Ok(None);
            }
            let file_ids: Vec<(String,)> = sqlx::query_as("SELECT file_id FROM participant_reports WHERE session_id = $1 ORDER BY file_id")
                .bind(session_id)
                .fetch_all(&mut *tx)
                .await?;
            let mut removed = BTreeMap::new();
            for table in SESSION_PERSONAL_DATA {
                let sql = format!("DELETE FROM {} WHERE {}", table.name, filter_of(table));
                let n = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(session_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                removed.insert(table.name.to_owned(), i64::try_from(n).unwrap_or(i64::MAX));
            }
            let file_ids: Vec<String> = file_ids.into_iter().map(|(id,)| id).collect();
            for id in &file_ids {
                sqlx::query("DELETE FROM stored_files WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            removed.insert("stored_files".to_owned(), i64::try_from(file_ids.len()).unwrap_or(i64::MAX));
            let json = serde_json::to_string(&removed)?;
            sqlx::query(
                "INSERT INTO retention_purges (session_id, fiscal_year, removed, purged_by, purged_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(session_id)
            .bind(fiscal_year.year())
            .bind(&json)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(now, actor, "retention.purge", format!("session:{session_id}"))
                .with_digests(None, Some(digest_of(json.as_bytes())));
            append_audit!(tx, event);
            Ok(Some(Purged { removed, file_ids }))
        })
    }
}
