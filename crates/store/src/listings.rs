//! A provider's own listings (issue 14): the working copy of each programme it lists, with the
//! listing's state and a revision counted on every save. The public catalogue tables hold only
//! what is published; the workflow writes both in one unit.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Conflict, Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::catalogue::ProgrammeWithSessions;
use koshu_domain::catalogue::listing::ListingState;
use time::OffsetDateTime;

/// A listing as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub organisation_id: String,
    pub state: ListingState,
    pub item: ProgrammeWithSessions,
    /// 1 when created; each save adds one.
    pub revision: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    programme_id: String,
    organisation_id: String,
    state: String,
    doc: String,
    revision: i64,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<Row> for Listing {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(Self {
            state: ListingState::from_code(&r.state)
                .ok_or_else(|| StoreError::Corrupt(format!("listing {}: state", r.programme_id)))?,
            item: serde_json::from_str(&r.doc)?,
            organisation_id: r.organisation_id,
            revision: r.revision,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const COLUMNS: &str = "programme_id, organisation_id, state, doc, revision, created_at, updated_at";

impl Store {
    pub async fn listing(&self, programme_id: &str) -> Result<Option<Listing>, StoreError> {
        let row: Option<Row> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM listings WHERE programme_id = $1")))
                .bind(programme_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(Listing::try_from).transpose()
    }

    /// An organisation's listings, the most recently saved first.
    pub async fn listings_of(&self, organisation_id: &str) -> Result<Vec<Listing>, StoreError> {
        let rows: Vec<Row> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM listings WHERE organisation_id = $1 ORDER BY updated_at DESC, programme_id"
            )))
            .bind(organisation_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(Listing::try_from).collect()
    }
}

impl UnitOfWork {
    /// A new listing, as a draft at revision 1.
    pub async fn create_listing(
        &mut self,
        organisation_id: &str,
        item: &ProgrammeWithSessions,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let doc = serde_json::to_string(item)?;
        let digest = digest_of(doc.as_bytes());
        let id = item.programme.id.as_str().to_owned();
        write_step!(self, "create_listing", tx => {
            sqlx::query(
                "INSERT INTO listings (programme_id, organisation_id, state, doc, revision, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 1, $5, $5)",
            )
            .bind(&id)
            .bind(organisation_id)
            .bind(ListingState::Draft.code())
            .bind(&doc)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(now, actor, "listing.create", format!("listing:{id}"))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Saves a listing made on `revision`, with its new state; returns the new revision.
    /// `Conflict::RevisionChanged` when it was saved since; `NotFound` when there is none.
    /// `action` names what was done, for the audit log (`listing.save`, `listing.publish`, …).
    #[allow(
        clippy::too_many_arguments,
        reason = "one audited write, every part named"
    )]
    pub async fn save_listing(
        &mut self,
        item: &ProgrammeWithSessions,
        revision: i64,
        state: ListingState,
        action: &'static str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        let doc = serde_json::to_string(item)?;
        let digest = digest_of(doc.as_bytes());
        let id = item.programme.id.as_str().to_owned();
        write_step!(self, "save_listing", tx => {
            let before: Option<(String, i64)> =
                sqlx::query_as("SELECT doc, revision FROM listings WHERE programme_id = $1")
                    .bind(&id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((before_doc, stored)) = before else {
                return Err(StoreError::NotFound);
            };
            if stored != revision {
                return Err(StoreError::Conflict(Conflict::RevisionChanged));
            }
            // The revision in the WHERE clause makes two saves of one revision exclusive.
            let done = sqlx::query(
                "UPDATE listings SET state = $1, doc = $2, revision = revision + 1, updated_at = $3 \
                 WHERE programme_id = $4 AND revision = $5",
            )
            .bind(state.code())
            .bind(&doc)
            .bind(now)
            .bind(&id)
            .bind(revision)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict(Conflict::RevisionChanged));
            }
            let event = AuditEvent::new(now, actor, action, format!("listing:{id}"))
                .with_digests(Some(digest_of(before_doc.as_bytes())), Some(digest));
            append_audit!(tx, event);
            Ok(revision + 1)
        })
    }
}
