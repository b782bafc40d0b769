//! The catalogue repository: providers, programmes and sessions.
//!
//! A programme is stored whole as JSON (`doc`) with projections (columns, tags, sessions)
//! written in the same transaction for filtering. Writing the same content again changes
//! nothing and records nothing, which makes imports and the demo load idempotent.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::catalogue::{Programme, ProgrammeWithSessions, Provider, Session, Slug};
use koshu_domain::prefecture::Prefecture;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

/// A programme as listed: the programme, its provider's name and when it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeListing {
    pub programme: Programme,
    pub provider_name_ja: String,
    pub provider_name_en: Option<String>,
    pub session_count: i64,
    pub first_session: Option<Date>,
    pub last_session: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    programme_id: String,
    starts_on: Date,
    ends_on: Date,
    prefecture: Option<String>,
    city: Option<String>,
    venue: Option<String>,
    online: bool,
    capacity: Option<i32>,
    seats_left: Option<i32>,
    application_deadline: Option<Date>,
    note_ja: Option<String>,
    cancelled: bool,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("session {}: {what}", r.id));
        Ok(Session {
            id: Slug::parse(&r.id).map_err(|_| corrupt("id"))?,
            programme: Slug::parse(&r.programme_id).map_err(|_| corrupt("programme_id"))?,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            prefecture: r
                .prefecture
                .as_deref()
                .map(Prefecture::from_code)
                .transpose()
                .map_err(|_| corrupt("prefecture"))?,
            city: r.city,
            venue: r.venue,
            online: r.online,
            capacity: r
                .capacity
                .map(|c| u32::try_from(c).map_err(|_| corrupt("capacity")))
                .transpose()?,
            seats_left: r
                .seats_left
                .map(|c| u32::try_from(c).map_err(|_| corrupt("seats_left")))
                .transpose()?,
            application_deadline: r.application_deadline,
            note_ja: r.note_ja,
            cancelled: r.cancelled,
        })
    }
}

fn yen_i64(y: koshu_domain::types::Yen) -> Option<i64> {
    i64::try_from(y.amount()).ok()
}

impl Store {
    pub async fn provider(&self, id: &str) -> Result<Option<Provider>, StoreError> {
        let doc: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT doc FROM providers WHERE id = $1").bind(id).fetch_optional(pool).await?
        });
        doc.map(|(d,)| serde_json::from_str(&d).map_err(StoreError::from))
            .transpose()
    }

    /// The catalogue's provider with this 法人番号, if there is one (an operator may have
    /// imported it before the organisation registered).
    pub async fn provider_with_corporate_number(
        &self,
        number: &str,
    ) -> Result<Option<Provider>, StoreError> {
        let doc: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT doc FROM providers WHERE corporate_number = $1").bind(number).fetch_optional(pool).await?
        });
        doc.map(|(d,)| serde_json::from_str(&d).map_err(StoreError::from))
            .transpose()
    }

    pub async fn programme(&self, id: &str) -> Result<Option<ProgrammeWithSessions>, StoreError> {
        let doc: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT doc FROM programmes WHERE id = $1").bind(id).fetch_optional(pool).await?
        });
        let Some((doc,)) = doc else { return Ok(None) };
        let programme: Programme = serde_json::from_str(&doc)?;
        let rows: Vec<SessionRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE programme_id = $1 ORDER BY starts_on, position"
            )))
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        let sessions = rows
            .into_iter()
            .map(Session::try_from)
            .collect::<Result<_, _>>()?;
        Ok(Some(ProgrammeWithSessions {
            programme,
            sessions,
        }))
    }

    /// Every programme with its provider and session span, ordered by provider then title.
    pub async fn list_programmes(&self) -> Result<Vec<ProgrammeListing>, StoreError> {
        type Row = (
            String,
            String,
            Option<String>,
            i64,
            Option<Date>,
            Option<Date>,
        );
        let rows: Vec<Row> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT p.doc, v.name_ja, v.name_en, COUNT(s.id), MIN(s.starts_on), MAX(s.ends_on) \
                 FROM programmes p JOIN providers v ON v.id = p.provider_id \
                 LEFT JOIN sessions s ON s.programme_id = p.id \
                 GROUP BY p.id, p.doc, v.name_ja, v.name_en, p.title_ja \
                 ORDER BY v.name_ja, p.title_ja",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(doc, name_ja, name_en, count, first, last)| {
                Ok(ProgrammeListing {
                    programme: serde_json::from_str(&doc)?,
                    provider_name_ja: name_ja,
                    provider_name_en: name_en,
                    session_count: count,
                    first_session: first,
                    last_session: last,
                })
            })
            .collect()
    }

    /// How many rows each catalogue table holds; for `koshu demo` and health pages.
    pub async fn catalogue_counts(&self) -> Result<CatalogueCounts, StoreError> {
        let (providers, programmes, sessions): (i64, i64, i64) = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM providers), (SELECT COUNT(*) FROM programmes), (SELECT COUNT(*) FROM sessions)",
            )
            .fetch_one(pool)
            .await?
        });
        Ok(CatalogueCounts {
            providers,
            programmes,
            sessions,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueCounts {
    pub providers: i64,
    pub programmes: i64,
    pub sessions: i64,
}

/// A programme with its sessions and what is published of its provider: what the catalogue
/// index holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRecord {
    pub item: ProgrammeWithSessions,
    pub provider_name_ja: String,
    pub provider_name_en: Option<String>,
    pub provider_url: Option<String>,
    /// When the programme last changed (A05: a visitor is told when it may be stale).
    pub updated_at: OffsetDateTime,
}

impl CatalogueRecord {
    fn new(item: ProgrammeWithSessions, provider: &Provider, updated_at: OffsetDateTime) -> Self {
        Self {
            item,
            provider_name_ja: provider.name_ja.clone(),
            provider_name_en: provider.name_en.clone(),
            provider_url: provider.url.clone(),
            updated_at,
        }
    }
}

/// A change recorded in the audit log that the catalogue index must follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogueChange {
    Programme(String),
    Provider(String),
    /// Someone asked every node to rebuild its index (`koshu reindex`).
    Reindex,
}

const SESSION_COLUMNS: &str = "id, programme_id, starts_on, ends_on, prefecture, city, venue, online, capacity, seats_left, application_deadline, note_ja, cancelled";

impl Store {
    /// Every programme with its sessions and provider names: to build the index.
    pub async fn catalogue_records(&self) -> Result<Vec<CatalogueRecord>, StoreError> {
        // A programme the ministry hid is not listed (issue 14 item 5).
        let rows: Vec<(String, OffsetDateTime)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT doc, updated_at FROM programmes WHERE id NOT IN (SELECT programme_id FROM programme_hidings)",
            )
            .fetch_all(pool)
            .await?
        });
        let provider_docs: Vec<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT doc FROM providers").fetch_all(pool).await?
        });
        let providers: HashMap<String, Provider> = provider_docs
            .into_iter()
            .map(|(doc,)| {
                let p: Provider = serde_json::from_str(&doc)?;
                Ok((p.id.as_str().to_owned(), p))
            })
            .collect::<Result<_, StoreError>>()?;
        let session_rows: Vec<SessionRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {SESSION_COLUMNS} FROM sessions ORDER BY programme_id, starts_on, position")))
                .fetch_all(pool)
                .await?
        });
        let mut sessions: HashMap<String, Vec<Session>> = HashMap::new();
        for row in session_rows {
            let session = Session::try_from(row)?;
            sessions
                .entry(session.programme.as_str().to_owned())
                .or_default()
                .push(session);
        }
        rows.into_iter()
            .filter_map(|(doc, updated_at)| {
                let programme: Programme = match serde_json::from_str(&doc) {
                    Ok(p) => p,
                    Err(e) => return Some(Err(e.into())),
                };
                // A programme whose provider is gone is not listed (the schema forbids it).
                let provider = providers.get(programme.provider.as_str())?;
                let sessions = sessions.remove(programme.id.as_str()).unwrap_or_default();
                Some(Ok(CatalogueRecord::new(
                    ProgrammeWithSessions {
                        programme,
                        sessions,
                    },
                    provider,
                    updated_at,
                )))
            })
            .collect()
    }

    /// One programme as the index holds it, or `None` when it no longer exists.
    pub async fn catalogue_record(&self, id: &str) -> Result<Option<CatalogueRecord>, StoreError> {
        let Some(item) = self.programme(id).await? else {
            return Ok(None);
        };
        if self.hiding(id).await?.is_some() {
            return Ok(None);
        }
        let Some(provider) = self.provider(item.programme.provider.as_str()).await? else {
            return Ok(None);
        };
        let updated: Option<(OffsetDateTime,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT updated_at FROM programmes WHERE id = $1").bind(id).fetch_optional(pool).await?
        });
        let Some((updated_at,)) = updated else {
            return Ok(None);
        };
        Ok(Some(CatalogueRecord::new(item, &provider, updated_at)))
    }

    /// The sequence number of the newest audit entry (0 when the log is empty).
    pub async fn audit_head(&self) -> Result<i64, StoreError> {
        let head: Option<(i64,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT seq FROM audit_head WHERE id = 1").fetch_optional(pool).await?
        });
        Ok(head.map_or(0, |(seq,)| seq))
    }

    /// Catalogue changes after audit entry `after`, oldest first, with the newest entry's seq.
    /// The audit log doubles as the change feed, so every node can follow every write.
    pub async fn catalogue_changes_since(
        &self,
        after: i64,
    ) -> Result<(Vec<CatalogueChange>, i64), StoreError> {
        let rows: Vec<(i64, String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT seq, action, subject FROM audit_log WHERE seq > $1 \
                 AND (action LIKE 'programme.%' OR action LIKE 'provider.%' OR action = 'search.reindex') ORDER BY seq",
            )
            .bind(after)
            .fetch_all(pool)
            .await?
        });
        let head = self.audit_head().await?.max(after);
        let changes = rows
            .into_iter()
            .filter_map(|(_, action, subject)| {
                if action == "search.reindex" {
                    return Some(CatalogueChange::Reindex);
                }
                let (kind, id) = subject.split_once(':')?;
                match kind {
                    "programme" => Some(CatalogueChange::Programme(id.to_owned())),
                    "provider" => Some(CatalogueChange::Provider(id.to_owned())),
                    _ => None,
                }
            })
            .collect();
        Ok((changes, head))
    }

    /// Ids of a provider's programmes (a provider's new name must reach all of them).
    pub async fn programme_ids_of(&self, provider: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT id FROM programmes WHERE provider_id = $1").bind(provider).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}

impl UnitOfWork {
    /// [`Store::provider_with_corporate_number`] inside the unit: a use case that holds the
    /// write lock must not wait for a second connection.
    pub async fn provider_with_corporate_number(
        &mut self,
        number: &str,
    ) -> Result<Option<Provider>, StoreError> {
        write_step!(self, "provider_with_corporate_number", tx => {
            let doc: Option<(String,)> = sqlx::query_as("SELECT doc FROM providers WHERE corporate_number = $1")
                .bind(number)
                .fetch_optional(&mut *tx)
                .await?;
            doc.map(|(d,)| serde_json::from_str(&d).map_err(StoreError::from)).transpose()
        })
    }

    /// A programme with its sessions as this unit sees it: read inside the transaction, so
    /// that what the unit writes back is not based on a copy someone changed meanwhile.
    pub async fn programme_for_update(
        &mut self,
        id: &str,
    ) -> Result<Option<ProgrammeWithSessions>, StoreError> {
        write_step!(self, "programme_for_update", tx => {
            let doc: Option<(String,)> = sqlx::query_as("SELECT doc FROM programmes WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((doc,)) = doc else { return Ok(None) };
            let programme: Programme = serde_json::from_str(&doc)?;
            let rows: Vec<SessionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE programme_id = $1 ORDER BY starts_on, position"
            )))
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            let sessions = rows
                .into_iter()
                .map(Session::try_from)
                .collect::<Result<_, _>>()?;
            Ok(Some(ProgrammeWithSessions { programme, sessions }))
        })
    }

    pub async fn upsert_provider(
        &mut self,
        provider: &Provider,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<Change, StoreError> {
        let doc = serde_json::to_string(provider)?;
        let digest = digest_of(doc.as_bytes());
        let subject = format!("provider:{}", provider.id);
        write_step!(self, "upsert_provider", tx => {
            let before: Option<(String,)> = sqlx::query_as("SELECT digest FROM providers WHERE id = $1")
                .bind(provider.id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let before = before.map(|(d,)| d);
            if before.as_deref() == Some(digest.as_str()) {
                return Ok(Change::Unchanged);
            }
            sqlx::query(
                "INSERT INTO providers (id, name_ja, name_en, kind, corporate_number, doc, digest, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (id) DO UPDATE SET name_ja = excluded.name_ja, name_en = excluded.name_en, \
                 kind = excluded.kind, corporate_number = excluded.corporate_number, doc = excluded.doc, \
                 digest = excluded.digest, updated_at = excluded.updated_at",
            )
            .bind(provider.id.as_str())
            .bind(&provider.name_ja)
            .bind(&provider.name_en)
            .bind(provider.kind.code())
            .bind(provider.corporate_number.as_ref().map(ToString::to_string))
            .bind(&doc)
            .bind(&digest)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let change = if before.is_some() { Change::Updated } else { Change::Created };
            let event = AuditEvent::new(now, actor, "provider.upsert", subject).with_digests(before, Some(digest));
            append_audit!(tx, event);
            Ok(change)
        })
    }

    /// Writes a programme and replaces its sessions, in one audited transaction.
    pub async fn upsert_programme(
        &mut self,
        item: &ProgrammeWithSessions,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<Change, StoreError> {
        let p = &item.programme;
        let doc = serde_json::to_string(p)?;
        // The digest covers the sessions too: they are published with the programme.
        let digest = digest_of(serde_json::to_string(item)?.as_bytes());
        let subject = format!("programme:{}", p.id);
        let (fee_min, fee_max) = match p.fee.bounds() {
            Some((lo, hi)) => (yen_i64(lo), yen_i64(hi)),
            None => (None, None),
        };
        let tags: Vec<(&str, &str)> = [
            ("layer", &p.layers),
            ("audience", &p.audiences),
            ("itss_field", &p.itss_fields),
            ("syllabus_item", &p.syllabus_items),
        ]
        .into_iter()
        .flat_map(|(facet, codes)| codes.iter().map(move |c| (facet, c.as_str())))
        .collect();
        write_step!(self, "upsert_programme", tx => {
            let before: Option<(String,)> = sqlx::query_as("SELECT digest FROM programmes WHERE id = $1")
                .bind(p.id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let before = before.map(|(d,)| d);
            if before.as_deref() == Some(digest.as_str()) {
                return Ok(Change::Unchanged);
            }
            sqlx::query(
                "INSERT INTO programmes (id, provider_id, title_ja, kind, format, difficulty, fee_min_yen, fee_max_yen, doc, digest, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id, title_ja = excluded.title_ja, \
                 kind = excluded.kind, format = excluded.format, difficulty = excluded.difficulty, \
                 fee_min_yen = excluded.fee_min_yen, fee_max_yen = excluded.fee_max_yen, doc = excluded.doc, \
                 digest = excluded.digest, updated_at = excluded.updated_at",
            )
            .bind(p.id.as_str())
            .bind(p.provider.as_str())
            .bind(&p.title_ja)
            .bind(&p.kind)
            .bind(&p.format)
            .bind(&p.difficulty)
            .bind(fee_min)
            .bind(fee_max)
            .bind(&doc)
            .bind(&digest)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM programme_tags WHERE programme_id = $1").bind(p.id.as_str()).execute(&mut *tx).await?;
            for (facet, code) in &tags {
                sqlx::query("INSERT INTO programme_tags (programme_id, facet, code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(p.id.as_str())
                    .bind(*facet)
                    .bind(*code)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM sessions WHERE programme_id = $1").bind(p.id.as_str()).execute(&mut *tx).await?;
            for (position, s) in item.sessions.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO sessions (id, programme_id, position, starts_on, ends_on, prefecture, city, venue, online, capacity, note_ja, seats_left, application_deadline, cancelled) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                )
                .bind(s.id.as_str())
                .bind(p.id.as_str())
                .bind(i32::try_from(position).unwrap_or(i32::MAX))
                .bind(s.starts_on)
                .bind(s.ends_on)
                .bind(s.prefecture.map(|pref| pref.code()))
                .bind(&s.city)
                .bind(&s.venue)
                .bind(s.online)
                .bind(s.capacity.and_then(|c| i32::try_from(c).ok()))
                .bind(&s.note_ja)
                .bind(s.seats_left.and_then(|c| i32::try_from(c).ok()))
                .bind(s.application_deadline)
                .bind(s.cancelled)
                .execute(&mut *tx)
                .await?;
            }
            let change = if before.is_some() { Change::Updated } else { Change::Created };
            let event = AuditEvent::new(now, actor, "programme.upsert", subject).with_digests(before, Some(digest));
            append_audit!(tx, event);
            Ok(change)
        })
    }

    /// Takes a programme (and its sessions) out of the catalogue; the index follows the
    /// audit entry like any other change. `NotFound` when there is no such programme.
    pub async fn remove_programme(
        &mut self,
        id: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "remove_programme", tx => {
            let before: Option<(String,)> = sqlx::query_as("SELECT digest FROM programmes WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((before,)) = before else {
                return Err(StoreError::NotFound);
            };
            sqlx::query("DELETE FROM programme_tags WHERE programme_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM sessions WHERE programme_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM programmes WHERE id = $1").bind(id).execute(&mut *tx).await?;
            let event = AuditEvent::new(now, actor, "programme.remove", format!("programme:{id}"))
                .with_digests(Some(before), None);
            append_audit!(tx, event);
            Ok(())
        })
    }
}
