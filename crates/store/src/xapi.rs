//! The xAPI Learning Record Store's records (issue 20): statements kept per organisation with
//! the columns their filters read, attachments by SHA-2, activity definitions, and the State,
//! Activity Profile and Agent Profile documents. Statements are never changed once kept, but
//! for the `voided` flag a voiding statement sets.

use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use time::OffsetDateTime;

/// A statement to keep: its JSON as the LRS returns it and what the filters read of it.
#[derive(Debug, Clone)]
pub struct NewStatement<'a> {
    pub id: &'a str,
    pub body: &'a str,
    pub stored_us: i64,
    pub actor: Option<&'a str>,
    pub verb: &'a str,
    pub activity: Option<&'a str>,
    pub registration: Option<&'a str>,
    pub voids: Option<&'a str>,
    /// The statement its object refers to (a StatementRef), voiding or not.
    pub target: Option<&'a str>,
    /// Every agent the statement names, and whether as its actor or object.
    pub agents: &'a [(String, bool)],
    /// Every activity the statement names, and whether as its object.
    pub activities: &'a [(String, bool)],
}

/// A kept statement.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KeptStatement {
    pub id: String,
    pub stored_us: i64,
    pub voided: bool,
    pub voids: Option<String>,
    pub body: String,
}

/// The filters of `GET statements`, parsed at the edge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementQuery {
    pub agent: Option<String>,
    pub related_agents: bool,
    pub verb: Option<String>,
    pub activity: Option<String>,
    pub related_activities: bool,
    pub registration: Option<String>,
    /// Stored strictly after, in microseconds.
    pub since_us: Option<i64>,
    /// Stored at or before, in microseconds.
    pub until_us: Option<i64>,
    pub ascending: bool,
    /// The last statement of the previous page (`more`): its stored time and id.
    pub after: Option<(i64, String)>,
    pub limit: u32,
}

/// A document's address: which resource and the keys that name it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentKey<'a> {
    pub organisation_id: &'a str,
    /// `state`, `activity_profile` or `agent_profile`.
    pub kind: &'a str,
    pub activity_id: &'a str,
    pub agent: &'a str,
    pub registration: &'a str,
}

/// A kept document.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Document {
    pub document_id: String,
    pub content_type: String,
    pub content: Vec<u8>,
    pub etag: String,
    pub updated: OffsetDateTime,
}

const STATEMENT_COLUMNS: &str = "id, stored_us, voided, voids, body";
// Reads made both through the pool and inside a unit (which must see its own writes).
const STATEMENT_BY_ID: &str = "SELECT id, stored_us, voided, voids, body FROM xapi_statements WHERE organisation_id = $1 AND id = $2";
const ACTIVITY_BY_ID: &str =
    "SELECT definition FROM xapi_activities WHERE organisation_id = $1 AND id = $2";
const DOCUMENT_BY_ID: &str = "SELECT document_id, content_type, content, etag, updated FROM xapi_documents \
     WHERE organisation_id = $1 AND kind = $2 AND activity_id = $3 AND agent = $4 AND registration = $5 AND document_id = $6";

impl Store {
    /// The organisation's statement with this id, voided or not.
    pub async fn xapi_statement(
        &self,
        organisation_id: &str,
        id: &str,
    ) -> Result<Option<KeptStatement>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(STATEMENT_BY_ID)
            .bind(organisation_id)
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The organisation's statements that are not voided and match `query`, in stored order
    /// (newest first unless ascending), at most `query.limit` of them.
    pub async fn xapi_statements(
        &self,
        organisation_id: &str,
        query: &StatementQuery,
    ) -> Result<Vec<KeptStatement>, StoreError> {
        let (beyond, order) = if query.ascending {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        // A statement matches the filters when it does, or when the statement it refers to
        // does (voided or not): those who read a statement also find what points at it.
        let matches = |x: &str| {
            format!(
                "(CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM xapi_statement_agents a WHERE a.organisation_id = {x}.organisation_id \
                  AND a.statement_id = {x}.id AND a.agent = $2 AND (a.direct = TRUE OR $3 = TRUE))) \
                 AND (CAST($4 AS TEXT) IS NULL OR {x}.verb = $4) \
                 AND (CAST($5 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM xapi_statement_activities t WHERE t.organisation_id = {x}.organisation_id \
                  AND t.statement_id = {x}.id AND t.activity = $5 AND (t.direct = TRUE OR $6 = TRUE))) \
                 AND (CAST($7 AS TEXT) IS NULL OR {x}.registration = $7)"
            )
        };
        let sql = format!(
            "SELECT {STATEMENT_COLUMNS} FROM xapi_statements s WHERE s.organisation_id = $1 AND s.voided = FALSE \
             AND (({own}) OR EXISTS (SELECT 1 FROM xapi_statements r WHERE r.organisation_id = s.organisation_id AND r.id = s.target AND {target})) \
             AND (CAST($8 AS BIGINT) IS NULL OR s.stored_us > $8) \
             AND (CAST($9 AS BIGINT) IS NULL OR s.stored_us <= $9) \
             AND (CAST($10 AS BIGINT) IS NULL OR s.stored_us {beyond} $10 OR (s.stored_us = $10 AND s.id {beyond} $11)) \
             ORDER BY s.stored_us {order}, s.id {order} LIMIT $12",
            own = matches("s"),
            target = matches("r"),
        );
        let (after_us, after_id) = match &query.after {
            Some((us, id)) => (Some(*us), Some(id.as_str())),
            None => (None, None),
        };
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(organisation_id)
                .bind(query.agent.as_deref())
                .bind(query.related_agents)
                .bind(query.verb.as_deref())
                .bind(query.activity.as_deref())
                .bind(query.related_activities)
                .bind(query.registration.as_deref())
                .bind(query.since_us)
                .bind(query.until_us)
                .bind(after_us)
                .bind(after_id)
                .bind(i64::from(query.limit))
                .fetch_all(pool)
                .await?
        }))
    }

    /// The attachments of these SHA-2 digests the organisation holds: digest, content type,
    /// content.
    pub async fn xapi_attachments(
        &self,
        organisation_id: &str,
        digests: &[String],
    ) -> Result<Vec<(String, String, Vec<u8>)>, StoreError> {
        let mut found = Vec::with_capacity(digests.len());
        for digest in digests {
            let row: Option<(String, String, Vec<u8>)> = on_db!(&self.db, pool => {
                sqlx::query_as(
                    "SELECT sha2, content_type, content FROM xapi_attachments WHERE organisation_id = $1 AND sha2 = $2",
                )
                .bind(organisation_id)
                .bind(digest)
                .fetch_optional(pool)
                .await?
            });
            found.extend(row);
        }
        Ok(found)
    }

    /// The definition kept of this activity (JSON, all its statements' merged), if any gave one.
    pub async fn xapi_activity(
        &self,
        organisation_id: &str,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as(ACTIVITY_BY_ID)
                .bind(organisation_id)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(d,)| d))
    }

    /// The document at `key` with this id.
    pub async fn xapi_document(
        &self,
        key: &DocumentKey<'_>,
        document_id: &str,
    ) -> Result<Option<Document>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(DOCUMENT_BY_ID)
            .bind(key.organisation_id)
            .bind(key.kind)
            .bind(key.activity_id)
            .bind(key.agent)
            .bind(key.registration)
            .bind(document_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The ids of the documents at `key`, updated after `since` when given, in id order.
    pub async fn xapi_document_ids(
        &self,
        key: &DocumentKey<'_>,
        since: Option<OffsetDateTime>,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String, OffsetDateTime)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT document_id, updated FROM xapi_documents \
                 WHERE organisation_id = $1 AND kind = $2 AND activity_id = $3 AND agent = $4 AND registration = $5 \
                 ORDER BY document_id",
            )
            .bind(key.organisation_id)
            .bind(key.kind)
            .bind(key.activity_id)
            .bind(key.agent)
            .bind(key.registration)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter(|(_, updated)| since.is_none_or(|s| *updated > s))
            .map(|(id, _)| id)
            .collect())
    }
}

/// An actor of statements about a session whom Koshu could not match to a learner.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnmatchedActor {
    pub actor: String,
    pub statements: i64,
    pub last_at: OffsetDateTime,
}

impl Store {
    /// The session's unmatched actors, the most recent first.
    pub async fn unmatched_xapi_actors(
        &self,
        session_id: &str,
    ) -> Result<Vec<UnmatchedActor>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT actor, statements, last_at FROM xapi_unmatched WHERE session_id = $1 ORDER BY last_at DESC, actor",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        }))
    }
}

impl UnitOfWork {
    /// Counts a statement about the session from an actor Koshu could not match.
    pub async fn note_unmatched_xapi_actor(
        &mut self,
        session_id: &str,
        actor: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "note_unmatched_xapi_actor", tx => {
            sqlx::query(
                "INSERT INTO xapi_unmatched (session_id, actor, statements, last_at) VALUES ($1, $2, 1, $3) \
                 ON CONFLICT (session_id, actor) DO UPDATE SET statements = xapi_unmatched.statements + 1, \
                 last_at = CASE WHEN excluded.last_at > xapi_unmatched.last_at THEN excluded.last_at ELSE xapi_unmatched.last_at END",
            )
            .bind(session_id)
            .bind(actor)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// The organisation's statement with this id, read inside the unit (so a statement sent
    /// twice at once is found by the second).
    pub async fn xapi_statement(
        &mut self,
        organisation_id: &str,
        id: &str,
    ) -> Result<Option<KeptStatement>, StoreError> {
        write_step!(self, "xapi_statement", tx => {
            Ok(sqlx::query_as(STATEMENT_BY_ID)
            .bind(organisation_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?)
        })
    }

    /// Keeps a statement with its agents and activities.
    pub async fn insert_xapi_statement(
        &mut self,
        organisation_id: &str,
        statement: &NewStatement<'_>,
    ) -> Result<(), StoreError> {
        write_step!(self, "insert_xapi_statement", tx => {
            sqlx::query(
                "INSERT INTO xapi_statements (organisation_id, id, stored_us, actor, verb, activity, registration, voids, target, voided, body) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, $10)",
            )
            .bind(organisation_id)
            .bind(statement.id)
            .bind(statement.stored_us)
            .bind(statement.actor)
            .bind(statement.verb)
            .bind(statement.activity)
            .bind(statement.registration)
            .bind(statement.voids)
            .bind(statement.target)
            .bind(statement.body)
            .execute(&mut *tx)
            .await?;
            for (agent, direct) in statement.agents {
                sqlx::query(
                    "INSERT INTO xapi_statement_agents (organisation_id, statement_id, agent, direct) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (organisation_id, statement_id, agent) DO UPDATE SET direct = (xapi_statement_agents.direct OR excluded.direct)",
                )
                .bind(organisation_id)
                .bind(statement.id)
                .bind(agent)
                .bind(*direct)
                .execute(&mut *tx)
                .await?;
            }
            for (activity, direct) in statement.activities {
                sqlx::query(
                    "INSERT INTO xapi_statement_activities (organisation_id, statement_id, activity, direct) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (organisation_id, statement_id, activity) DO UPDATE SET direct = (xapi_statement_activities.direct OR excluded.direct)",
                )
                .bind(organisation_id)
                .bind(statement.id)
                .bind(activity)
                .bind(*direct)
                .execute(&mut *tx)
                .await?;
            }
            Ok(())
        })
    }

    /// Marks the organisation's statement voided.
    pub async fn void_xapi_statement(
        &mut self,
        organisation_id: &str,
        id: &str,
    ) -> Result<(), StoreError> {
        write_step!(self, "void_xapi_statement", tx => {
            sqlx::query("UPDATE xapi_statements SET voided = TRUE WHERE organisation_id = $1 AND id = $2")
                .bind(organisation_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }

    /// The definition kept of an activity, read inside the unit to merge a new one into it.
    pub async fn xapi_activity(
        &mut self,
        organisation_id: &str,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        write_step!(self, "xapi_activity", tx => {
            let row: Option<(String,)> = sqlx::query_as(ACTIVITY_BY_ID)
            .bind(organisation_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            Ok(row.map(|(d,)| d))
        })
    }

    /// Keeps the latest definition of an activity.
    pub async fn keep_xapi_activity(
        &mut self,
        organisation_id: &str,
        id: &str,
        definition: &str,
    ) -> Result<(), StoreError> {
        write_step!(self, "keep_xapi_activity", tx => {
            sqlx::query(
                "INSERT INTO xapi_activities (organisation_id, id, definition) VALUES ($1, $2, $3) \
                 ON CONFLICT (organisation_id, id) DO UPDATE SET definition = excluded.definition",
            )
            .bind(organisation_id)
            .bind(id)
            .bind(definition)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// Keeps an attachment's data (once per digest).
    pub async fn keep_xapi_attachment(
        &mut self,
        organisation_id: &str,
        sha2: &str,
        content_type: &str,
        content: &[u8],
    ) -> Result<(), StoreError> {
        write_step!(self, "keep_xapi_attachment", tx => {
            sqlx::query(
                "INSERT INTO xapi_attachments (organisation_id, sha2, content_type, content) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (organisation_id, sha2) DO NOTHING",
            )
            .bind(organisation_id)
            .bind(sha2)
            .bind(content_type)
            .bind(content)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// The document at `key` with this id, read inside the unit for its ETag check.
    pub async fn xapi_document(
        &mut self,
        key: &DocumentKey<'_>,
        document_id: &str,
    ) -> Result<Option<Document>, StoreError> {
        write_step!(self, "xapi_document", tx => {
            Ok(sqlx::query_as(DOCUMENT_BY_ID)
            .bind(key.organisation_id)
            .bind(key.kind)
            .bind(key.activity_id)
            .bind(key.agent)
            .bind(key.registration)
            .bind(document_id)
            .fetch_optional(&mut *tx)
            .await?)
        })
    }

    /// Writes the document at `key`, replacing any with this id.
    pub async fn put_xapi_document(
        &mut self,
        key: &DocumentKey<'_>,
        document: &Document,
    ) -> Result<(), StoreError> {
        write_step!(self, "put_xapi_document", tx => {
            sqlx::query(
                "INSERT INTO xapi_documents (organisation_id, kind, activity_id, agent, registration, document_id, content_type, content, etag, updated) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (organisation_id, kind, activity_id, agent, registration, document_id) \
                 DO UPDATE SET content_type = excluded.content_type, content = excluded.content, etag = excluded.etag, updated = excluded.updated",
            )
            .bind(key.organisation_id)
            .bind(key.kind)
            .bind(key.activity_id)
            .bind(key.agent)
            .bind(key.registration)
            .bind(&document.document_id)
            .bind(&document.content_type)
            .bind(&document.content)
            .bind(&document.etag)
            .bind(document.updated)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// Deletes the document at `key` with this id, or every document there when `None`.
    pub async fn delete_xapi_documents(
        &mut self,
        key: &DocumentKey<'_>,
        document_id: Option<&str>,
    ) -> Result<u64, StoreError> {
        write_step!(self, "delete_xapi_documents", tx => {
            Ok(sqlx::query(
                "DELETE FROM xapi_documents WHERE organisation_id = $1 AND kind = $2 AND activity_id = $3 AND agent = $4 \
                 AND registration = $5 AND (CAST($6 AS TEXT) IS NULL OR document_id = $6)",
            )
            .bind(key.organisation_id)
            .bind(key.kind)
            .bind(key.activity_id)
            .bind(key.agent)
            .bind(key.registration)
            .bind(document_id)
            .execute(&mut *tx)
            .await?
            .rows_affected())
        })
    }
}
