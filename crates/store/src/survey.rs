//! The end-of-course survey (issue 16; B08, D07): the ministry's item sets (versioned), each
//! session's survey (the provider's items, the version it pinned, the number of answers), the
//! answers as counts and shuffled text lists, the record that a learner has answered (kept
//! apart from the answers so that nothing joins the two), and the provider's improvements.
//!
//! What keeps answers anonymous here: no method writes a row per answer, nor a time or an
//! order with one. [`UnitOfWork::add_to_survey_tallies`] rewrites every count of the session
//! in one statement, and [`UnitOfWork::put_survey_texts`] every text list of it, whatever the
//! answer held; the SQLite tables have no rowid (migration 0015).

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Conflict, Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::delivery::survey::{Improvement, SurveyItem};
use time::{Date, OffsetDateTime};

/// A version of the ministry's items.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyItemSet {
    pub version: u32,
    pub items: Vec<SurveyItem>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct ItemSetRow {
    version: i64,
    items: String,
    created_by: String,
    created_at: OffsetDateTime,
}

impl TryFrom<ItemSetRow> for SurveyItemSet {
    type Error = StoreError;
    fn try_from(r: ItemSetRow) -> Result<Self, StoreError> {
        Ok(Self {
            version: count(r.version)?,
            items: serde_json::from_str(&r.items)?,
            created_by: r.created_by,
            created_at: r.created_at,
        })
    }
}

const ITEM_SET: &str = "SELECT version, items, created_by, created_at FROM survey_item_sets";

/// A session's survey as stored. A session without a row has no items of its own, no answer
/// and revision 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSurveyRecord {
    pub provider_items: Vec<SurveyItem>,
    /// Pinned by the first answer.
    pub ministry_version: Option<u32>,
    pub responses: u32,
    pub revision: i64,
}

/// An improvement the provider recorded (B08).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SurveyImprovement {
    pub id: String,
    pub session_id: String,
    pub finding: String,
    pub change_made: String,
    pub changed_on: Date,
    pub recorded_by: String,
    pub recorded_at: OffsetDateTime,
}

fn count(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("survey count {n}")))
}

impl Store {
    /// Whether the learner has answered the session's survey (completion requires it, B12).
    pub async fn survey_submitted(
        &self,
        session_id: &str,
        account_id: &str,
    ) -> Result<bool, StoreError> {
        let row: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT account_id FROM survey_submissions WHERE session_id = $1 AND account_id = $2",
            )
            .bind(session_id)
            .bind(account_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.is_some())
    }

    /// Every version of the ministry's items, the newest first.
    pub async fn survey_item_sets(&self) -> Result<Vec<SurveyItemSet>, StoreError> {
        let rows: Vec<ItemSetRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{ITEM_SET} ORDER BY version DESC")))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(SurveyItemSet::try_from).collect()
    }

    /// One version of the ministry's items, or the one in force (the newest) without a number.
    pub async fn survey_item_set(
        &self,
        version: Option<u32>,
    ) -> Result<Option<SurveyItemSet>, StoreError> {
        let row: Option<ItemSetRow> = on_db!(&self.db, pool => {
            match version {
                Some(v) => sqlx::query_as(sqlx::AssertSqlSafe(format!("{ITEM_SET} WHERE version = $1")))
                    .bind(i64::from(v))
                    .fetch_optional(pool)
                    .await?,
                None => sqlx::query_as(sqlx::AssertSqlSafe(format!("{ITEM_SET} ORDER BY version DESC LIMIT 1")))
                    .fetch_optional(pool)
                    .await?,
            }
        });
        row.map(SurveyItemSet::try_from).transpose()
    }

    pub async fn session_survey(
        &self,
        session_id: &str,
    ) -> Result<SessionSurveyRecord, StoreError> {
        let row: Option<(String, Option<i64>, i64, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT provider_items, ministry_version, responses, revision FROM session_surveys WHERE session_id = $1",
            )
            .bind(session_id)
            .fetch_optional(pool)
            .await?
        });
        match row {
            None => Ok(SessionSurveyRecord {
                provider_items: Vec::new(),
                ministry_version: None,
                responses: 0,
                revision: 0,
            }),
            Some((items, version, responses, revision)) => Ok(SessionSurveyRecord {
                provider_items: serde_json::from_str(&items)?,
                ministry_version: version.map(count).transpose()?,
                responses: count(responses)?,
                revision,
            }),
        }
    }

    /// The session's counts: (item, choice, count); choice 0 is "not answered".
    pub async fn survey_tallies(
        &self,
        session_id: &str,
    ) -> Result<Vec<(String, u32, u32)>, StoreError> {
        let rows: Vec<(String, i64, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT item_id, choice, count FROM survey_tallies WHERE session_id = $1 ORDER BY item_id, choice",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(item, choice, n)| Ok((item, count(choice)?, count(n)?)))
            .collect()
    }

    /// The session's free-text lists, by item.
    pub async fn survey_texts(
        &self,
        session_id: &str,
    ) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let rows: Vec<(String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT item_id, answers FROM survey_texts WHERE session_id = $1 ORDER BY item_id")
                .bind(session_id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(item, list)| Ok((item, serde_json::from_str(&list)?)))
            .collect()
    }

    /// The improvements recorded for a session, the latest change first.
    pub async fn survey_improvements(
        &self,
        session_id: &str,
    ) -> Result<Vec<SurveyImprovement>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, session_id, finding, change_made, changed_on, recorded_by, recorded_at \
                 FROM survey_improvements WHERE session_id = $1 ORDER BY changed_on DESC, id DESC",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        }))
    }
}

impl UnitOfWork {
    /// Records that the learner has answered; false when they had already.
    pub async fn record_survey_submission(
        &mut self,
        session_id: &str,
        account_id: &str,
    ) -> Result<bool, StoreError> {
        write_step!(self, "record_survey_submission", tx => {
            let done = sqlx::query(
                "INSERT INTO survey_submissions (session_id, account_id) VALUES ($1, $2) \
                 ON CONFLICT (session_id, account_id) DO NOTHING",
            )
            .bind(session_id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Adds version `version` of the ministry's items, made from the one before it:
    /// `Conflict::SurveyChanged` when someone added that version first.
    pub async fn add_survey_item_set(
        &mut self,
        version: u32,
        items: &[SurveyItem],
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(items)?;
        let digest = digest_of(json.as_bytes());
        write_step!(self, "add_survey_item_set", tx => {
            let done = sqlx::query(
                "INSERT INTO survey_item_sets (version, items, created_by, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (version) DO NOTHING",
            )
            .bind(i64::from(version))
            .bind(&json)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::Conflict(Conflict::SurveyChanged));
            }
            let event = AuditEvent::new(now, actor, "survey.items", format!("survey_items:{version}"))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Saves the provider's own items of a session's survey, made on `revision`; returns the
    /// new revision. `Conflict::SurveyLocked` once an answer has arrived,
    /// `Conflict::SurveyChanged` when they were saved since.
    pub async fn save_session_survey_items(
        &mut self,
        session_id: &str,
        items: &[SurveyItem],
        revision: i64,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        let json = serde_json::to_string(items)?;
        let digest = digest_of(json.as_bytes());
        write_step!(self, "save_session_survey_items", tx => {
            let stored: Option<(i64, i64)> = sqlx::query_as(
                "SELECT responses, revision FROM session_surveys WHERE session_id = $1",
            )
            .bind(session_id)
            .fetch_optional(&mut *tx)
            .await?;
            let (responses, current) = stored.unwrap_or((0, 0));
            if responses > 0 {
                return Err(StoreError::Conflict(Conflict::SurveyLocked));
            }
            if current != revision {
                return Err(StoreError::Conflict(Conflict::SurveyChanged));
            }
            sqlx::query(
                "INSERT INTO session_surveys (session_id, provider_items, ministry_version, responses, revision) \
                 VALUES ($1, $2, NULL, 0, $3) \
                 ON CONFLICT (session_id) DO UPDATE SET provider_items = excluded.provider_items, revision = excluded.revision",
            )
            .bind(session_id)
            .bind(&json)
            .bind(revision + 1)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(now, actor, "survey.session_items", format!("session:{session_id}"))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(revision + 1)
        })
    }

    /// Counts one more answer to the session's survey as it was read (`revision` of the
    /// provider's items, `ministry_version` in force), pinning that version at the first;
    /// returns how many had answered before. `Conflict::SurveyChanged` when the items are no
    /// longer those. Audited as `survey.answer` by the learner: that they answered, nothing
    /// of what.
    pub async fn count_survey_response(
        &mut self,
        session_id: &str,
        ministry_version: Option<u32>,
        revision: i64,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<u32, StoreError> {
        let version = ministry_version.map(i64::from);
        write_step!(self, "count_survey_response", tx => {
            let counted: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO session_surveys (session_id, provider_items, ministry_version, responses, revision) \
                 VALUES ($1, '[]', $2, 1, 0) \
                 ON CONFLICT (session_id) DO UPDATE SET responses = session_surveys.responses + 1, \
                 ministry_version = excluded.ministry_version \
                 WHERE session_surveys.revision = $3 \
                 AND (session_surveys.ministry_version IS NULL OR session_surveys.ministry_version = excluded.ministry_version) \
                 RETURNING responses",
            )
            .bind(session_id)
            .bind(version)
            .bind(revision)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((responses,)) = counted else {
                return Err(StoreError::Conflict(Conflict::SurveyChanged));
            };
            let event = AuditEvent::new(now, actor, "survey.answer", format!("session:{session_id}"));
            append_audit!(tx, event);
            count(responses - 1)
        })
    }

    /// Makes every count of the session (at 0) and its empty text lists: done by the first
    /// answer, so that the rows are made in item order, never in the order of answers.
    pub async fn open_survey_counts(
        &mut self,
        session_id: &str,
        cells: &[(String, u32)],
        text_items: &[String],
    ) -> Result<(), StoreError> {
        write_step!(self, "open_survey_counts", tx => {
            for (item, choice) in cells {
                sqlx::query(
                    "INSERT INTO survey_tallies (session_id, item_id, choice, count) VALUES ($1, $2, $3, 0) \
                     ON CONFLICT (session_id, item_id, choice) DO NOTHING",
                )
                .bind(session_id)
                .bind(item)
                .bind(i64::from(*choice))
                .execute(&mut *tx)
                .await?;
            }
            for item in text_items {
                sqlx::query(
                    "INSERT INTO survey_texts (session_id, item_id, answers) VALUES ($1, $2, '[]') \
                     ON CONFLICT (session_id, item_id) DO NOTHING",
                )
                .bind(session_id)
                .bind(item)
                .execute(&mut *tx)
                .await?;
            }
            Ok(())
        })
    }

    /// Adds one to each of `marks` ((item, choice)), in one statement that rewrites every count
    /// of the session: each row is written by every answer, so none says which answer last
    /// changed it. A mark without its count is corrupt survey state.
    pub async fn add_to_survey_tallies(
        &mut self,
        session_id: &str,
        marks: &[(String, u32)],
    ) -> Result<(), StoreError> {
        // The first branch never holds: an answer with no choice item still rewrites every count.
        let mut case = String::from("CASE WHEN 1 = 0 THEN 1");
        for i in 0..marks.len() {
            case.push_str(&format!(
                " WHEN item_id = ${} AND choice = ${} THEN 1",
                i * 2 + 2,
                i * 2 + 3
            ));
        }
        case.push_str(" ELSE 0 END");
        let sql = format!("UPDATE survey_tallies SET count = count + {case} WHERE session_id = $1");
        write_step!(self, "add_to_survey_tallies", tx => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(session_id);
            for (item, choice) in marks {
                q = q.bind(item).bind(i64::from(*choice));
            }
            q.execute(&mut *tx).await?;
            let marked: Vec<(String, i64)> =
                sqlx::query_as("SELECT item_id, choice FROM survey_tallies WHERE session_id = $1")
                    .bind(session_id)
                    .fetch_all(&mut *tx)
                    .await?;
            if marks
                .iter()
                .any(|(item, c)| !marked.iter().any(|(i, m)| i == item && *m == i64::from(*c)))
            {
                return Err(StoreError::Corrupt(format!("survey of {session_id}: a count is missing")));
            }
            Ok(())
        })
    }

    /// The session's text lists as they stand inside this unit (which holds the write lock).
    pub async fn survey_texts_for_update(
        &mut self,
        session_id: &str,
    ) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let rows: Vec<(String, String)> = write_step!(self, "survey_texts_for_update", tx => {
            Ok(sqlx::query_as("SELECT item_id, answers FROM survey_texts WHERE session_id = $1 ORDER BY item_id")
                .bind(session_id)
                .fetch_all(&mut *tx)
                .await?)
        })?;
        rows.into_iter()
            .map(|(item, list)| Ok((item, serde_json::from_str(&list)?)))
            .collect()
    }

    /// Writes every text list of the session back (each reshuffled by the caller).
    pub async fn put_survey_texts(
        &mut self,
        session_id: &str,
        lists: &[(String, Vec<String>)],
    ) -> Result<(), StoreError> {
        let json: Vec<(String, String)> = lists
            .iter()
            .map(|(item, list)| Ok((item.clone(), serde_json::to_string(list)?)))
            .collect::<Result<_, StoreError>>()?;
        write_step!(self, "put_survey_texts", tx => {
            for (item, list) in &json {
                sqlx::query("UPDATE survey_texts SET answers = $1 WHERE session_id = $2 AND item_id = $3")
                    .bind(list)
                    .bind(session_id)
                    .bind(item)
                    .execute(&mut *tx)
                    .await?;
            }
            Ok(())
        })
    }

    /// Records an improvement made from a session's results; returns its id.
    pub async fn record_survey_improvement(
        &mut self,
        session_id: &str,
        improvement: &Improvement,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let i = improvement;
        let digest = digest_of(format!("{}|{}|{}", i.finding, i.change, i.changed_on).as_bytes());
        write_step!(self, "record_survey_improvement", tx => {
            sqlx::query(
                "INSERT INTO survey_improvements (id, session_id, finding, change_made, changed_on, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&id)
            .bind(session_id)
            .bind(&i.finding)
            .bind(&i.change)
            .bind(i.changed_on)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(now, actor, "survey.improvement", format!("session:{session_id}"))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(id.clone())
        })
    }
}
