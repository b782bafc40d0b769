//! Credentials (issue 17; D06, B13): issuers' sealed keys, the credentials as issued (frozen
//! JSON), and the signed status lists served to verifiers. Signing is the workflow's, with
//! `koshu-credentials`; this module keeps what was signed.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use time::OffsetDateTime;

/// One of an organisation's signing keys.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IssuerKey {
    pub id: String,
    pub organisation_id: String,
    pub fragment: String,
    pub public_multibase: String,
    /// hex of the sealed private key; only the master key opens it.
    pub sealed_private: String,
    pub created_at: OffsetDateTime,
    pub retired_at: Option<OffsetDateTime>,
}

/// What a credential's status is, as its issuer last set it: the status list's own states.
pub use koshu_credentials::status::Status as CredentialStatus;

/// A credential as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCredential {
    pub id: String,
    pub organisation_id: String,
    pub session_id: String,
    pub account_id: String,
    pub decision_id: String,
    /// The organisation's running number: its place in the status lists.
    pub seq: u64,
    /// The signed JSON, exactly as issued.
    pub document: String,
    pub status: CredentialStatus,
    pub status_reason: Option<String>,
    pub status_changed_at: Option<OffsetDateTime>,
    pub issued_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct CredentialRow {
    id: String,
    organisation_id: String,
    session_id: String,
    account_id: String,
    decision_id: String,
    seq: i64,
    document: String,
    status: String,
    status_reason: Option<String>,
    status_changed_at: Option<OffsetDateTime>,
    issued_at: OffsetDateTime,
}

impl TryFrom<CredentialRow> for StoredCredential {
    type Error = StoreError;
    fn try_from(r: CredentialRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("credential {}: {what}", r.id));
        Ok(Self {
            status: CredentialStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            seq: u64::try_from(r.seq).map_err(|_| corrupt("seq"))?,
            id: r.id,
            organisation_id: r.organisation_id,
            session_id: r.session_id,
            account_id: r.account_id,
            decision_id: r.decision_id,
            document: r.document,
            status_reason: r.status_reason,
            status_changed_at: r.status_changed_at,
            issued_at: r.issued_at,
        })
    }
}

/// A signed status list as served.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatusListRecord {
    pub organisation_id: String,
    pub number: i64,
    pub document: String,
    pub etag: String,
    pub updated_at: OffsetDateTime,
}

/// A credential to keep.
#[derive(Debug, Clone, Copy)]
pub struct NewCredential<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub session_id: &'a str,
    pub account_id: &'a str,
    pub decision_id: &'a str,
    pub seq: u64,
    pub document: &'a str,
}

const ISSUER_KEY: &str = "SELECT id, organisation_id, fragment, public_multibase, sealed_private, created_at, retired_at \
     FROM issuer_keys";

const CREDENTIAL: &str = "SELECT id, organisation_id, session_id, account_id, decision_id, seq, document, status, \
     status_reason, status_changed_at, issued_at FROM credentials";

fn seq_param(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("credential seq {seq}")))
}

impl Store {
    /// An organisation's keys, oldest first (the last unretired one signs).
    pub async fn issuer_keys(&self, organisation_id: &str) -> Result<Vec<IssuerKey>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ISSUER_KEY} WHERE organisation_id = $1 ORDER BY created_at, fragment"
            )))
            .bind(organisation_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every organisation's keys, by organisation then age (for `koshu keys list`).
    pub async fn all_issuer_keys(&self) -> Result<Vec<IssuerKey>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ISSUER_KEY} ORDER BY organisation_id, created_at, fragment"
            )))
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn credential(&self, id: &str) -> Result<Option<StoredCredential>, StoreError> {
        let row: Option<CredentialRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{CREDENTIAL} WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(StoredCredential::try_from).transpose()
    }

    /// The credential issued on a completion decision, if any.
    pub async fn credential_of_decision(
        &self,
        decision_id: &str,
    ) -> Result<Option<StoredCredential>, StoreError> {
        let row: Option<CredentialRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{CREDENTIAL} WHERE decision_id = $1")))
                .bind(decision_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(StoredCredential::try_from).transpose()
    }

    /// A learner's credentials, newest first.
    pub async fn credentials_of_account(
        &self,
        account_id: &str,
    ) -> Result<Vec<StoredCredential>, StoreError> {
        let rows: Vec<CredentialRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CREDENTIAL} WHERE account_id = $1 ORDER BY issued_at DESC, id"
            )))
            .bind(account_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(StoredCredential::try_from).collect()
    }

    /// Every credential, oldest first (the holders' registry counts them).
    pub async fn all_credentials(&self) -> Result<Vec<StoredCredential>, StoreError> {
        let rows: Vec<CredentialRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{CREDENTIAL} ORDER BY issued_at, id")))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(StoredCredential::try_from).collect()
    }

    /// A session's credentials, oldest first.
    pub async fn credentials_of_session(
        &self,
        session_id: &str,
    ) -> Result<Vec<StoredCredential>, StoreError> {
        let rows: Vec<CredentialRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CREDENTIAL} WHERE session_id = $1 ORDER BY issued_at, id"
            )))
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(StoredCredential::try_from).collect()
    }

    pub async fn status_list(
        &self,
        organisation_id: &str,
        number: i64,
    ) -> Result<Option<StatusListRecord>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT organisation_id, number, document, etag, updated_at FROM status_lists \
                 WHERE organisation_id = $1 AND number = $2",
            )
            .bind(organisation_id)
            .bind(number)
            .fetch_optional(pool)
            .await?
        }))
    }
}

impl UnitOfWork {
    /// The organisation's keys as this unit sees them, oldest first: a key made by a unit
    /// before this one is seen, so two units never both make the first.
    pub async fn issuer_keys(
        &mut self,
        organisation_id: &str,
    ) -> Result<Vec<IssuerKey>, StoreError> {
        write_step!(self, "issuer_keys", tx => {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ISSUER_KEY} WHERE organisation_id = $1 ORDER BY created_at, fragment"
            )))
            .bind(organisation_id)
            .fetch_all(&mut *tx)
            .await?)
        })
    }

    /// Adds a key; `retire` (the current key's id) is retired at the same moment.
    pub async fn add_issuer_key(
        &mut self,
        key: &IssuerKey,
        retire: Option<&str>,
        actor: &str,
    ) -> Result<(), StoreError> {
        write_step!(self, "add_issuer_key", tx => {
            if let Some(old) = retire {
                sqlx::query("UPDATE issuer_keys SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL")
                    .bind(key.created_at)
                    .bind(old)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO issuer_keys (id, organisation_id, fragment, public_multibase, sealed_private, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&key.id)
            .bind(&key.organisation_id)
            .bind(&key.fragment)
            .bind(&key.public_multibase)
            .bind(&key.sealed_private)
            .bind(key.created_at)
            .execute(&mut *tx)
            .await?;
            let action = if retire.is_some() { "issuer_key.rotate" } else { "issuer_key.create" };
            let summary = format!("{}|{}|{}|{:?}", key.id, key.fragment, key.public_multibase, retire);
            let audit = AuditEvent::new(key.created_at, actor.to_owned(), action, format!("organisation:{}", key.organisation_id))
                .with_digests(None, Some(digest_of(summary.as_bytes())));
            append_audit!(tx, audit);
            Ok(())
        })
    }

    /// The organisation's next running number for a credential (writes are serialised, so
    /// no other unit takes it before this one commits).
    pub async fn next_credential_seq(&mut self, organisation_id: &str) -> Result<u64, StoreError> {
        let max: Option<i64> = write_step!(self, "next_credential_seq", tx => {
            Ok(sqlx::query_scalar("SELECT MAX(seq) FROM credentials WHERE organisation_id = $1")
                .bind(organisation_id)
                .fetch_one(&mut *tx)
                .await?)
        })?;
        Ok(max.map_or(0, |m| u64::try_from(m).unwrap_or(0) + 1))
    }

    /// Keeps a signed credential, with its audit entry.
    pub async fn add_credential(
        &mut self,
        c: NewCredential<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let seq = seq_param(c.seq)?;
        write_step!(self, "add_credential", tx => {
            sqlx::query(
                "INSERT INTO credentials (id, organisation_id, session_id, account_id, decision_id, seq, document, status, issued_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8)",
            )
            .bind(c.id)
            .bind(c.organisation_id)
            .bind(c.session_id)
            .bind(c.account_id)
            .bind(c.decision_id)
            .bind(seq)
            .bind(c.document)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let audit = AuditEvent::new(now, actor.to_owned(), "credential.issue", format!("credential:{}", c.id))
                .with_digests(None, Some(digest_of(c.document.as_bytes())));
            append_audit!(tx, audit);
            Ok(())
        })
    }

    /// Sets a credential's status, with the reason in the audit log. Refused as a conflict when
    /// the credential is not in `from` (someone changed it meanwhile) or is revoked (final).
    pub async fn set_credential_status(
        &mut self,
        id: &str,
        from: CredentialStatus,
        to: CredentialStatus,
        reason: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "set_credential_status", tx => {
            let changed = sqlx::query(
                "UPDATE credentials SET status = $1, status_reason = $2, status_changed_at = $3 \
                 WHERE id = $4 AND status = $5 AND status <> 'revoked'",
            )
            .bind(to.code())
            .bind(reason)
            .bind(now)
            .bind(id)
            .bind(from.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                return Err(StoreError::Conflict(crate::Conflict::CredentialChanged));
            }
            let summary = format!("{id}|{}|{}|{reason}", from.code(), to.code());
            let audit = AuditEvent::new(now, actor.to_owned(), format!("credential.{}", to.code()), format!("credential:{id}"))
                .with_digests(None, Some(digest_of(summary.as_bytes())));
            append_audit!(tx, audit);
            Ok(())
        })
    }

    /// The statuses in one of an organisation's lists, as this unit sees them: (index, status)
    /// of every credential not active.
    pub async fn list_statuses(
        &mut self,
        organisation_id: &str,
        first_seq: u64,
        entries: u64,
    ) -> Result<Vec<(u64, CredentialStatus)>, StoreError> {
        let (from, to) = (seq_param(first_seq)?, seq_param(first_seq + entries)?);
        let rows: Vec<(i64, String)> = write_step!(self, "list_statuses", tx => {
            Ok(sqlx::query_as(
                "SELECT seq, status FROM credentials WHERE organisation_id = $1 AND seq >= $2 AND seq < $3 AND status <> 'active'",
            )
            .bind(organisation_id)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *tx)
            .await?)
        })?;
        rows.into_iter()
            .map(|(seq, status)| {
                let status = CredentialStatus::parse(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("credential status {status}")))?;
                Ok((u64::try_from(seq).unwrap_or(0), status))
            })
            .collect()
    }

    /// Replaces (or creates) a signed status list.
    pub async fn put_status_list(&mut self, list: &StatusListRecord) -> Result<(), StoreError> {
        write_step!(self, "put_status_list", tx => {
            sqlx::query(
                "INSERT INTO status_lists (organisation_id, number, document, etag, updated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (organisation_id, number) DO UPDATE SET document = excluded.document, etag = excluded.etag, updated_at = excluded.updated_at",
            )
            .bind(&list.organisation_id)
            .bind(list.number)
            .bind(&list.document)
            .bind(&list.etag)
            .bind(list.updated_at)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }
}
