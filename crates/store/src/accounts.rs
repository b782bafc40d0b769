//! Accounts, sign-in sessions, single-use mail tokens and rate-limit counters (G01, G02).
//!
//! Secrets never reach this module in the clear: passwords arrive as Argon2id hashes, session
//! and mail tokens as SHA-256 digests. Changes to who someone is or what they may do (sign-up,
//! verification, password, second factor, roles) append to the audit log; sessions and rate
//! counters do not, being traffic rather than state.

use crate::audit::append_audit;
use crate::db::{Backend, BeginWrite, on_db};
use crate::{Store, StoreError};
use koshu_domain::access::rate_limit::Limit;
use koshu_domain::access::totp::TotpSecret;
use koshu_domain::access::{Email, MinistryRole, OrgRole, Principal};
use koshu_domain::audit::{AuditEvent, digest_of};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub email: Email,
    pub display_name: String,
    pub password_hash: String,
    pub email_verified: bool,
    pub totp_secret: Option<TotpSecret>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    /// How many WebAuthn passkeys the account has registered.
    pub passkeys: i64,
    pub ministry_role: Option<MinistryRole>,
    pub expert: bool,
    pub created_at: OffsetDateTime,
}

impl Account {
    /// A second factor is set up: an authenticator app, a passkey, or both.
    pub fn has_second_factor(&self) -> bool {
        self.totp_enabled || self.passkeys > 0
    }
}

/// One attempt to be counted under `limit` for `key` (a typed address, a client address, an
/// account id), by [`Store::take_attempts`].
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub kind: &'a str,
    pub key: &'a str,
    pub limit: Limit,
}

/// What [`Store::take_attempts`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// Recorded under every limit: the attempt may go ahead.
    Allowed,
    /// The limit of the attempt at this index was reached already; nothing was recorded.
    Limited(usize),
}

/// The PostgreSQL advisory lock (second key; the first is 7306) for one counter.
fn lock_key(kind: &str, key: &str) -> i32 {
    let digest = Sha256::digest(format!("{kind}\0{key}").as_bytes());
    i32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: String,
    email: String,
    display_name: String,
    password_hash: String,
    email_verified_at: Option<OffsetDateTime>,
    totp_secret: Option<String>,
    totp_enabled_at: Option<OffsetDateTime>,
    totp_last_step: Option<i64>,
    passkeys: i64,
    ministry_role: Option<String>,
    expert: bool,
    created_at: OffsetDateTime,
}

const ACCOUNT_COLUMNS: &str = "id, email, display_name, password_hash, email_verified_at, totp_secret, \
     totp_enabled_at, totp_last_step, ministry_role, expert, created_at, \
     (SELECT COUNT(*) FROM passkeys p WHERE p.account_id = accounts.id) AS passkeys";

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;
    fn try_from(r: AccountRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("account {}: {what}", r.id));
        let totp_secret = r
            .totp_secret
            .as_deref()
            .map(|h| {
                hex::decode(h)
                    .ok()
                    .and_then(|b| <[u8; 20]>::try_from(b).ok())
                    .map(TotpSecret::from_bytes)
                    .ok_or_else(|| corrupt("totp_secret"))
            })
            .transpose()?;
        Ok(Self {
            email: Email::parse(&r.email).map_err(|_| corrupt("email"))?,
            ministry_role: r
                .ministry_role
                .as_deref()
                .map(|c| MinistryRole::from_code(c).ok_or_else(|| corrupt("ministry_role")))
                .transpose()?,
            id: r.id,
            display_name: r.display_name,
            password_hash: r.password_hash,
            email_verified: r.email_verified_at.is_some(),
            totp_secret,
            totp_enabled: r.totp_enabled_at.is_some(),
            totp_last_step: r.totp_last_step,
            passkeys: r.passkeys,
            expert: r.expert,
            created_at: r.created_at,
        })
    }
}

/// What sign-up stores.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: String,
    pub email: Email,
    pub display_name: String,
    pub password_hash: String,
}

/// How far a sign-in has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// The password was right; the second factor is still to come.
    SecondFactor,
    Full,
}

impl SessionStage {
    fn code(self) -> &'static str {
        match self {
            Self::SecondFactor => "second_factor",
            Self::Full => "full",
        }
    }
}

/// A stored sign-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub token_hash: String,
    pub account_id: String,
    pub stage: SessionStage,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub user_agent: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    token_hash: String,
    account_id: String,
    stage: String,
    created_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    user_agent: Option<String>,
}

impl From<SessionRow> for WebSession {
    fn from(r: SessionRow) -> Self {
        Self {
            stage: if r.stage == "full" {
                SessionStage::Full
            } else {
                SessionStage::SecondFactor
            },
            token_hash: r.token_hash,
            account_id: r.account_id,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            user_agent: r.user_agent,
        }
    }
}

/// What a single-use mail link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    Invitation,
}

impl TokenPurpose {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::Invitation => "invitation",
        }
    }
}

/// A single-use link's content once redeemed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemedToken {
    pub email: String,
    pub organisation_id: Option<String>,
    pub role: Option<OrgRole>,
}

/// A new single-use link.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub token_hash: &'a str,
    pub purpose: TokenPurpose,
    pub email: &'a Email,
    pub organisation_id: Option<&'a str>,
    pub role: Option<OrgRole>,
    pub expires_at: OffsetDateTime,
}

fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

pub(crate) fn subject(account_id: &str) -> String {
    format!("account:{account_id}")
}

impl Store {
    /// [`UnitOfWork::create_account`] in a unit of its own.
    pub async fn create_account(
        &self,
        new: &NewAccount,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut unit = self.write().await?;
        let created = unit.create_account(new, now).await?;
        unit.commit().await?;
        Ok(created)
    }

    pub async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(Account::try_from).transpose()
    }

    pub async fn account_by_email(&self, email: &Email) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1")))
                .bind(email.as_str())
                .fetch_optional(pool)
                .await?
        });
        row.map(Account::try_from).transpose()
    }

    /// Every account, for administrators, newest first.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows: Vec<AccountRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY created_at DESC, id")))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(Account::try_from).collect()
    }

    /// The ministry's staff (reviewers and administrators) and the registered external
    /// experts: who can be assigned to a review, and who hears of submissions.
    pub async fn review_staff(&self) -> Result<Vec<Account>, StoreError> {
        let rows: Vec<AccountRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE ministry_role IS NOT NULL OR expert ORDER BY created_at, id")))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(Account::try_from).collect()
    }

    /// [`UnitOfWork::mark_email_verified`] in a unit of its own.
    pub async fn mark_email_verified(
        &self,
        account_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut unit = self.write().await?;
        unit.mark_email_verified(account_id, now).await?;
        unit.commit().await
    }

    /// Stores a new TOTP secret, not yet enabled, replacing any earlier unconfirmed one.
    pub async fn set_pending_totp(
        &self,
        account_id: &str,
        secret: &TotpSecret,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE accounts SET totp_secret = $2, totp_last_step = NULL WHERE id = $1 AND totp_enabled_at IS NULL")
                .bind(account_id)
                .bind(hex::encode(secret.as_bytes()))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Turns the pending secret on, with the step of the confirming code and fresh recovery
    /// codes (digests), in one audited transaction.
    pub async fn enable_totp(
        &self,
        account_id: &str,
        step: i64,
        recovery_code_hashes: &[String],
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE accounts SET totp_enabled_at = $2, totp_last_step = $3 WHERE id = $1")
                .bind(account_id)
                .bind(now)
                .bind(step)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1").bind(account_id).execute(&mut *tx).await?;
            for hash in recovery_code_hashes {
                sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
                    .bind(account_id)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            let event = AuditEvent::new(now, subject(account_id), "account.totp_enable", subject(account_id));
            append_audit!(tx, event);
            tx.commit().await?;
            Ok(())
        })
    }

    /// Turns the second factor off and forgets its secret and recovery codes. `actor` is the
    /// account itself (its own authenticator app only), or the administrator who reset it after
    /// a lost device: then the passkeys go too, so that the person starts again from the
    /// password alone.
    pub async fn disable_totp(
        &self,
        account_id: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let by_administrator = actor != subject(account_id);
        let action = if by_administrator {
            "account.second_factor_reset_by_administrator"
        } else {
            "account.totp_disable"
        };
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1").bind(account_id).execute(&mut *tx).await?;
            if by_administrator {
                sqlx::query("DELETE FROM passkeys WHERE account_id = $1").bind(account_id).execute(&mut *tx).await?;
            }
            let event = AuditEvent::new(now, actor, action, subject(account_id));
            append_audit!(tx, event);
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records the step of an accepted code, so that it cannot be used again. `false` when a
    /// concurrent sign-in used this or a later step first.
    pub async fn record_totp_step(&self, account_id: &str, step: i64) -> Result<bool, StoreError> {
        let changed = on_db!(&self.db, pool => {
            sqlx::query("UPDATE accounts SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)")
                .bind(account_id)
                .bind(step)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(changed == 1)
    }

    /// Uses up a recovery code. `true` when it was valid and unused.
    pub async fn use_recovery_code(
        &self,
        account_id: &str,
        code_hash: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            let changed = sqlx::query("UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL")
                .bind(account_id)
                .bind(code_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            let event = AuditEvent::new(now, subject(account_id), "account.recovery_code_use", subject(account_id));
            append_audit!(tx, event);
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn unused_recovery_codes(&self, account_id: &str) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL")
                .bind(account_id)
                .fetch_one(pool)
                .await?
        });
        Ok(n)
    }

    /// Grants or removes a ministry role (`None`) and the external-expert flag.
    pub async fn set_ministry_roles(
        &self,
        account_id: &str,
        role: Option<MinistryRole>,
        expert: bool,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let role = role.map(MinistryRole::code);
        let state = format!("{}|{expert}", role.unwrap_or("-"));
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            let before: Option<(Option<String>, bool)> = sqlx::query_as("SELECT ministry_role, expert FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((before_role, before_expert)) = before else {
                return Err(StoreError::NotFound);
            };
            sqlx::query("UPDATE accounts SET ministry_role = $2, expert = $3 WHERE id = $1")
                .bind(account_id)
                .bind(role)
                .bind(expert)
                .execute(&mut *tx)
                .await?;
            let before_state = format!("{}|{before_expert}", before_role.as_deref().unwrap_or("-"));
            let event = AuditEvent::new(now, actor, "account.role_change", subject(account_id))
                .with_digests(Some(digest_of(before_state.as_bytes())), Some(digest_of(state.as_bytes())));
            append_audit!(tx, event);
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        // A change of privilege ends the sessions that were granted under the old one.
        self.delete_sessions_of(account_id).await?;
        Ok(())
    }

    /// The account as the authorization policy sees it, with its memberships.
    pub async fn principal(&self, account: &Account) -> Result<Principal, StoreError> {
        let rows: Vec<(String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT organisation_id, role FROM memberships WHERE account_id = $1 ORDER BY organisation_id")
                .bind(&account.id)
                .fetch_all(pool)
                .await?
        });
        let memberships = rows
            .into_iter()
            .map(|(org, role)| {
                OrgRole::from_code(&role)
                    .map(|r| (org, r))
                    .ok_or_else(|| StoreError::Corrupt(format!("membership role {role}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Principal {
            account_id: account.id.clone(),
            email_verified: account.email_verified,
            second_factor: account.has_second_factor(),
            ministry_role: account.ministry_role,
            expert: account.expert,
            memberships,
        })
    }

    // Sessions.

    pub async fn create_session(
        &self,
        token_hash: &str,
        account_id: &str,
        stage: SessionStage,
        user_agent: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("INSERT INTO web_sessions (token_hash, account_id, stage, created_at, last_seen_at, user_agent) VALUES ($1, $2, $3, $4, $4, $5)")
                .bind(token_hash)
                .bind(account_id)
                .bind(stage.code())
                .bind(now)
                .bind(user_agent.map(|ua| ua.chars().take(200).collect::<String>()))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<WebSession>, StoreError> {
        let row: Option<SessionRow> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT token_hash, account_id, stage, created_at, last_seen_at, user_agent FROM web_sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Into::into))
    }

    pub async fn sessions_of(&self, account_id: &str) -> Result<Vec<WebSession>, StoreError> {
        let rows: Vec<SessionRow> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT token_hash, account_id, stage, created_at, last_seen_at, user_agent FROM web_sessions WHERE account_id = $1 AND stage = 'full' ORDER BY created_at DESC")
                .bind(account_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE web_sessions SET last_seen_at = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await?;
        });
        Ok(())
    }

    /// Ends every session of an account ("sign out everywhere"); returns how many ended.
    pub async fn delete_sessions_of(&self, account_id: &str) -> Result<u64, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM web_sessions WHERE account_id = $1").bind(account_id).execute(pool).await?.rows_affected()
        }))
    }

    // Single-use mail links.

    /// A link on its own (a sign-up's or a password reset's), in a unit of its own.
    pub async fn create_token(&self, t: &NewToken<'_>) -> Result<(), StoreError> {
        let mut unit = self.write().await?;
        unit.create_token(t).await?;
        unit.commit().await
    }

    /// Reads a link without using it up: `None` when unknown, of another purpose, used, or
    /// expired at `now`.
    pub async fn peek_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> Result<Option<RedeemedToken>, StoreError> {
        type Row = (String, Option<String>, Option<String>, OffsetDateTime);
        let row: Option<Row> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT email, organisation_id, role, expires_at FROM account_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL",
            )
            .bind(token_hash)
            .bind(purpose.code())
            .fetch_optional(pool)
            .await?
        });
        Ok(row.filter(|(_, _, _, expires_at)| *expires_at > now).map(
            |(email, organisation_id, role, _)| RedeemedToken {
                email,
                organisation_id,
                role: role.as_deref().and_then(OrgRole::from_code),
            },
        ))
    }

    /// [`UnitOfWork::redeem_token`] in a unit of its own.
    pub async fn redeem_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> Result<Option<RedeemedToken>, StoreError> {
        let mut unit = self.write().await?;
        let redeemed = unit.redeem_token(token_hash, purpose, now).await?;
        unit.commit().await?;
        Ok(redeemed)
    }

    // Rate-limit counters.

    /// Counts `attempts` against their limits and, when every limit allows one more, records
    /// one attempt under each; otherwise records nothing. Count and record are one write
    /// transaction holding a lock on each key (SQLite's one writer, a PostgreSQL advisory
    /// lock), so parallel requests cannot all pass the count (G02).
    pub async fn take_attempts(
        &self,
        attempts: &[Attempt<'_>],
        now: OffsetDateTime,
    ) -> Result<Taken, StoreError> {
        let postgres = self.db.backend() == Backend::Postgres;
        let begin = if postgres { "BEGIN" } else { "BEGIN IMMEDIATE" };
        // In one order, so that two requests locking the same keys cannot deadlock.
        let mut locks: Vec<i32> = attempts.iter().map(|a| lock_key(a.kind, a.key)).collect();
        locks.sort_unstable();
        locks.dedup();
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_with(begin).await?;
            if postgres {
                for key in &locks {
                    sqlx::query("SELECT pg_advisory_xact_lock(7306, $1)")
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            for (i, a) in attempts.iter().enumerate() {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM auth_attempts WHERE kind = $1 AND key = $2 AND at_us > $3",
                )
                .bind(a.kind)
                .bind(a.key)
                .bind(micros(now - a.limit.window))
                .fetch_one(&mut *tx)
                .await?;
                if !a.limit.allows(u32::try_from(n).unwrap_or(u32::MAX)) {
                    tx.rollback().await?;
                    return Ok(Taken::Limited(i));
                }
            }
            for a in attempts {
                sqlx::query("INSERT INTO auth_attempts (kind, key, at_us) VALUES ($1, $2, $3)")
                    .bind(a.kind)
                    .bind(a.key)
                    .bind(micros(now))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(Taken::Allowed)
    }

    /// Takes back one attempt recorded at `at` by [`Store::take_attempts`]: it succeeded, so it
    /// does not count. Rows of one kind, key and time are alike, so any one of them goes.
    pub async fn release_attempt(
        &self,
        kind: &str,
        key: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let row = match self.db.backend() {
            Backend::Sqlite => "rowid",
            Backend::Postgres => "ctid",
        };
        let sql = format!(
            "DELETE FROM auth_attempts WHERE {row} = (SELECT {row} FROM auth_attempts \
             WHERE kind = $1 AND key = $2 AND at_us = $3 LIMIT 1)"
        );
        on_db!(&self.db, pool => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(kind)
                .bind(key)
                .bind(micros(at))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Forgets the failures of `key` after a success, and every counter older than `before`.
    pub async fn clear_attempts(
        &self,
        kind: &str,
        key: &str,
        before: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM auth_attempts WHERE (kind = $1 AND key = $2) OR at_us < $3")
                .bind(kind)
                .bind(key)
                .bind(micros(before))
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

impl crate::UnitOfWork {
    /// Creates an account. `false` when the address is taken (the caller must not say so).
    pub async fn create_account(
        &mut self,
        new: &NewAccount,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let after = digest_of(new.email.as_str().as_bytes());
        crate::unit::write_step!(self, "create_account", tx => {
            let inserted = sqlx::query(
                "INSERT INTO accounts (id, email, display_name, password_hash, expert, created_at) \
                 VALUES ($1, $2, $3, $4, FALSE, $5) ON CONFLICT (email) DO NOTHING",
            )
            .bind(&new.id)
            .bind(new.email.as_str())
            .bind(&new.display_name)
            .bind(&new.password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            let event = AuditEvent::new(now, subject(&new.id), "account.create", subject(&new.id))
                .with_digests(None, Some(after));
            append_audit!(tx, event);
            Ok(true)
        })
    }

    /// The address counts as verified from `now` (once: a second call changes nothing).
    pub async fn mark_email_verified(
        &mut self,
        account_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        crate::unit::write_step!(self, "mark_email_verified", tx => {
            let done = sqlx::query("UPDATE accounts SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL")
                .bind(account_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                let event = AuditEvent::new(now, subject(account_id), "account.verify_email", subject(account_id));
                append_audit!(tx, event);
            }
            Ok(())
        })
    }

    /// Replaces the password and ends every session of the account (after a reset the old
    /// password may be known to someone else).
    pub async fn set_password(
        &mut self,
        account_id: &str,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        crate::unit::write_step!(self, "set_password", tx => {
            sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
                .bind(account_id)
                .bind(password_hash)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM web_sessions WHERE account_id = $1").bind(account_id).execute(&mut *tx).await?;
            let event = AuditEvent::new(now, subject(account_id), "account.password_change", subject(account_id));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Uses up a link: `None` when unknown, of another purpose, used, or expired at `now`.
    pub async fn redeem_token(
        &mut self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> Result<Option<RedeemedToken>, StoreError> {
        type Row = (String, Option<String>, Option<String>, OffsetDateTime);
        crate::unit::write_step!(self, "redeem_token", tx => {
            let row: Option<Row> = sqlx::query_as(
                "SELECT email, organisation_id, role, expires_at FROM account_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL",
            )
            .bind(token_hash)
            .bind(purpose.code())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((email, organisation_id, role, expires_at)) = row else {
                return Ok(None);
            };
            if expires_at <= now {
                return Ok(None);
            }
            sqlx::query("UPDATE account_tokens SET used_at = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            Ok(Some(RedeemedToken {
                email,
                organisation_id,
                role: role.as_deref().and_then(OrgRole::from_code),
            }))
        })
    }

    /// Records a single-use mail link.
    pub async fn create_token(&mut self, t: &NewToken<'_>) -> Result<(), StoreError> {
        crate::unit::write_step!(self, "create_token", tx => {
            sqlx::query("INSERT INTO account_tokens (token_hash, purpose, email, organisation_id, role, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(t.token_hash)
                .bind(t.purpose.code())
                .bind(t.email.as_str())
                .bind(t.organisation_id)
                .bind(t.role.map(OrgRole::code))
                .bind(t.expires_at)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }
}
