//! WebAuthn passkeys as a second factor (G02), and the short-lived state of a ceremony in
//! progress. The credential itself is opaque here: the web layer serialises what its WebAuthn
//! library needs (public key, signature counter) and this module keeps it.

use crate::accounts::subject;
use crate::audit::append_audit;
use crate::db::{BeginWrite, on_db};
use crate::{Store, StoreError};
use koshu_domain::audit::AuditEvent;
use time::OffsetDateTime;

/// A registered passkey.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredPasskey {
    pub id: String,
    pub account_id: String,
    pub credential_id: String,
    pub name: String,
    /// The library's credential record (JSON).
    pub credential: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// Which half of WebAuthn a ceremony belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceremony {
    Register,
    Authenticate,
}

impl Ceremony {
    fn code(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Authenticate => "authenticate",
        }
    }
}

const COLUMNS: &str = "id, account_id, credential_id, name, credential, created_at, last_used_at";

impl Store {
    /// Registers a passkey. `Conflict` when the authenticator's credential is already
    /// registered (to this or another account).
    pub async fn add_passkey(&self, passkey: &StoredPasskey) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            let inserted = sqlx::query("INSERT INTO passkeys (id, account_id, credential_id, name, credential, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (credential_id) DO NOTHING")
                .bind(&passkey.id)
                .bind(&passkey.account_id)
                .bind(&passkey.credential_id)
                .bind(&passkey.name)
                .bind(&passkey.credential)
                .bind(passkey.created_at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if inserted == 0 {
                return Err(StoreError::Conflict(crate::Conflict::PasskeyTaken));
            }
            let account = subject(&passkey.account_id);
            let event = AuditEvent::new(passkey.created_at, &account, "account.passkey_add", &account);
            append_audit!(tx, event);
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn passkeys_of(&self, account_id: &str) -> Result<Vec<StoredPasskey>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM passkeys WHERE account_id = $1 ORDER BY created_at, id")))
                .bind(account_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Records a sign-in with the passkey and its updated record (the signature counter).
    pub async fn passkey_used(
        &self,
        id: &str,
        credential: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE passkeys SET credential = $2, last_used_at = $3 WHERE id = $1")
                .bind(id)
                .bind(credential)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Removes one of the account's own passkeys. `NotFound` when it is not theirs.
    pub async fn remove_passkey(
        &self,
        account_id: &str,
        id: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            let removed = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND account_id = $2")
                .bind(id)
                .bind(account_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if removed == 0 {
                return Err(StoreError::NotFound);
            }
            let account = subject(account_id);
            let event = AuditEvent::new(now, &account, "account.passkey_remove", &account);
            append_audit!(tx, event);
            tx.commit().await?;
            Ok(())
        })
    }

    /// Keeps a ceremony's state for the session that started it, replacing an earlier one of
    /// the same kind (the person pressed the button again).
    pub async fn put_ceremony(
        &self,
        session_hash: &str,
        kind: Ceremony,
        state: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("INSERT INTO webauthn_ceremonies (session_hash, kind, state, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (session_hash, kind) DO UPDATE SET state = excluded.state, created_at = excluded.created_at")
                .bind(session_hash)
                .bind(kind.code())
                .bind(state)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Takes (and so ends) the session's ceremony of `kind`, if one was started after
    /// `not_before`: a challenge answers once.
    pub async fn take_ceremony(
        &self,
        session_hash: &str,
        kind: Ceremony,
        not_before: OffsetDateTime,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String, OffsetDateTime)> = on_db!(&self.db, pool => {
            sqlx::query_as("DELETE FROM webauthn_ceremonies WHERE session_hash = $1 AND kind = $2 RETURNING state, created_at")
                .bind(session_hash)
                .bind(kind.code())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(state, at)| (at >= not_before).then_some(state)))
    }
}
