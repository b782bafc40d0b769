//! API tokens of providers' systems (issue 14 item 3) and the responses kept for POSTs sent
//! with an `Idempotency-Key`. A token is stored as the SHA-256 of its secret; creating and
//! revoking one is audited.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::audit::AuditEvent;
use time::OffsetDateTime;

/// A token as stored (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    pub hint: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A token to create.
#[derive(Debug, Clone)]
pub struct NewApiToken<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub name: &'a str,
    pub scope: &'a str,
    pub secret_digest: &'a str,
    pub hint: &'a str,
    pub expires_at: OffsetDateTime,
}

const COLUMNS: &str = "id, organisation_id, name, scope, hint, created_by, created_at, expires_at, last_used_at, revoked_at";

/// What an `Idempotency-Key` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotent {
    /// The key is new: it is now reserved for this request, which goes ahead.
    Reserved,
    /// The first request with this key is still being answered.
    InProgress,
    /// The key was used for another request.
    Mismatch,
    /// The first request's answer, to send again.
    Replay(KeptResponse),
}

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptResponse {
    pub status: u16,
    pub body: String,
    pub etag: Option<String>,
    pub location: Option<String>,
}

/// A kept key's row: the first request's digest, its status (0 while answered), body, ETag,
/// Location, and when it was reserved.
type KeptRow = (
    String,
    i32,
    String,
    Option<String>,
    Option<String>,
    OffsetDateTime,
);

impl Store {
    /// The live token with this secret digest: not revoked, not expired at `now`. Its last
    /// use is recorded (at most once a minute, so reads do not each write).
    pub async fn api_token_by_digest(
        &self,
        digest: &str,
        now: OffsetDateTime,
    ) -> Result<Option<ApiToken>, StoreError> {
        let token: Option<ApiToken> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM api_tokens WHERE secret_digest = $1 AND revoked_at IS NULL AND expires_at > $2"
            )))
            .bind(digest)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        if let Some(t) = &token
            && t.last_used_at
                .is_none_or(|at| now - at > time::Duration::minutes(1))
        {
            on_db!(&self.db, pool => {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&t.id)
                    .execute(pool)
                    .await?
                    .rows_affected()
            });
        }
        Ok(token)
    }

    /// An organisation's tokens, newest first (revoked and expired ones included).
    pub async fn api_tokens_of(&self, organisation_id: &str) -> Result<Vec<ApiToken>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM api_tokens WHERE organisation_id = $1 ORDER BY created_at DESC"
            )))
            .bind(organisation_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Reserves `key` of `token` for the request of `digest`, or says what it holds. A
    /// reservation left by a request that never finished (its process died) is taken over
    /// after a minute.
    pub async fn reserve_idempotency_key(
        &self,
        token: &str,
        key: &str,
        digest: &str,
        now: OffsetDateTime,
    ) -> Result<Idempotent, StoreError> {
        let inserted = on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO idempotency_keys (token_id, key, request_digest, status, body, created_at) \
                 VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (token_id, key) DO NOTHING",
            )
            .bind(token)
            .bind(key)
            .bind(digest)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if inserted == 1 {
            return Ok(Idempotent::Reserved);
        }
        let row: Option<KeptRow> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT request_digest, status, body, etag, location, created_at FROM idempotency_keys \
                 WHERE token_id = $1 AND key = $2",
            )
            .bind(token)
            .bind(key)
            .fetch_optional(pool)
            .await?
        });
        let Some((first, status, body, etag, location, at)) = row else {
            return Ok(Idempotent::InProgress);
        };
        if first != digest {
            return Ok(Idempotent::Mismatch);
        }
        if status == 0 {
            if now - at > time::Duration::minutes(1) {
                let taken = on_db!(&self.db, pool => {
                    sqlx::query("UPDATE idempotency_keys SET created_at = $1 WHERE token_id = $2 AND key = $3 AND status = 0 AND created_at = $4")
                        .bind(now)
                        .bind(token)
                        .bind(key)
                        .bind(at)
                        .execute(pool)
                        .await?
                        .rows_affected()
                });
                if taken == 1 {
                    return Ok(Idempotent::Reserved);
                }
            }
            return Ok(Idempotent::InProgress);
        }
        Ok(Idempotent::Replay(KeptResponse {
            status: u16::try_from(status).unwrap_or(500),
            body,
            etag,
            location,
        }))
    }

    /// Keeps the answer to the request that reserved `key`.
    pub async fn keep_idempotent_response(
        &self,
        token: &str,
        key: &str,
        response: &KeptResponse,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE idempotency_keys SET status = $1, body = $2, etag = $3, location = $4 WHERE token_id = $5 AND key = $6")
                .bind(i32::from(response.status))
                .bind(&response.body)
                .bind(&response.etag)
                .bind(&response.location)
                .bind(token)
                .bind(key)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Frees `key` after its request failed on the server's side, so that a retry runs.
    pub async fn release_idempotency_key(&self, token: &str, key: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2 AND status = 0")
                .bind(token)
                .bind(key)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}

impl UnitOfWork {
    pub async fn create_api_token(
        &mut self,
        token: &NewApiToken<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "create_api_token", tx => {
            sqlx::query(
                "INSERT INTO api_tokens (id, organisation_id, name, scope, secret_digest, hint, created_by, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(token.id)
            .bind(token.organisation_id)
            .bind(token.name)
            .bind(token.scope)
            .bind(token.secret_digest)
            .bind(token.hint)
            .bind(actor)
            .bind(now)
            .bind(token.expires_at)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(now, actor, "api_token.create", format!("api_token:{}", token.id));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Revokes the organisation's token; `NotFound` when it has no such live token.
    pub async fn revoke_api_token(
        &mut self,
        organisation_id: &str,
        id: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "revoke_api_token", tx => {
            let done = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND organisation_id = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::NotFound);
            }
            let event = AuditEvent::new(now, actor, "api_token.revoke", format!("api_token:{id}"));
            append_audit!(tx, event);
            Ok(())
        })
    }
}
