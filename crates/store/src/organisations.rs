//! Provider organisations and their staff (B21, B24, B25; G01). An organisation is stored whole
//! as JSON with its 法人番号 as a unique column: one legal entity, one organisation.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::access::organisation::Organisation;
use koshu_domain::access::{Email, OrgRole};
use koshu_domain::audit::{AuditEvent, digest_of};
use time::OffsetDateTime;

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationRecord {
    pub id: String,
    pub organisation: Organisation,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A member of an organisation's staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub account_id: String,
    pub email: Email,
    pub display_name: String,
    pub role: OrgRole,
}

/// An invitation waiting to be accepted. `id` is its link's digest: it names the invitation
/// without revealing the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub id: String,
    pub email: String,
    pub role: OrgRole,
    pub expires_at: OffsetDateTime,
}

/// An organisation one belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub organisation_id: String,
    pub name_ja: String,
    pub role: OrgRole,
}

/// What registering an organisation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    Created,
    /// Another organisation has this 法人番号 already.
    CorporateNumberTaken,
}

type OrgRow = (String, String, OffsetDateTime, OffsetDateTime);

fn record(row: OrgRow) -> Result<OrganisationRecord, StoreError> {
    let (id, doc, created_at, updated_at) = row;
    Ok(OrganisationRecord {
        id,
        organisation: serde_json::from_str(&doc)?,
        created_at,
        updated_at,
    })
}

fn role(code: &str) -> Result<OrgRole, StoreError> {
    OrgRole::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("membership role {code}")))
}

impl Store {
    pub async fn organisation(&self, id: &str) -> Result<Option<OrganisationRecord>, StoreError> {
        let row: Option<OrgRow> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT id, doc, created_at, updated_at FROM organisations WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(record).transpose()
    }

    /// Every organisation, by name, for the ministry.
    pub async fn organisations(&self) -> Result<Vec<OrganisationRecord>, StoreError> {
        let rows: Vec<OrgRow> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT id, doc, created_at, updated_at FROM organisations ORDER BY name_ja, id")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(record).collect()
    }

    pub async fn memberships_of(&self, account_id: &str) -> Result<Vec<Membership>, StoreError> {
        let rows: Vec<(String, String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT m.organisation_id, o.name_ja, m.role FROM memberships m \
                 JOIN organisations o ON o.id = m.organisation_id WHERE m.account_id = $1 ORDER BY o.name_ja",
            )
            .bind(account_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(organisation_id, name_ja, r)| {
                Ok(Membership {
                    organisation_id,
                    name_ja,
                    role: role(&r)?,
                })
            })
            .collect()
    }

    /// Invitations to the organisation not used, withdrawn or expired at `now`, soonest to
    /// expire first.
    pub async fn pending_invitations(
        &self,
        organisation_id: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<PendingInvitation>, StoreError> {
        let rows: Vec<(String, String, Option<String>, OffsetDateTime)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT token_hash, email, role, expires_at FROM account_tokens WHERE purpose = 'invitation' AND organisation_id = $1 AND used_at IS NULL")
                .bind(organisation_id)
                .fetch_all(pool)
                .await?
        });
        // Compared here, as `peek_token` does: SQLite keeps times as text.
        let mut pending: Vec<PendingInvitation> = rows
            .into_iter()
            .filter(|(_, _, _, expires_at)| *expires_at > now)
            .filter_map(|(id, email, role, expires_at)| {
                Some(PendingInvitation {
                    id,
                    email,
                    role: role.as_deref().and_then(OrgRole::from_code)?,
                    expires_at,
                })
            })
            .collect();
        pending.sort_by(|a, b| (a.expires_at, &a.id).cmp(&(b.expires_at, &b.id)));
        Ok(pending)
    }

    pub async fn staff_of(&self, organisation_id: &str) -> Result<Vec<StaffMember>, StoreError> {
        let rows: Vec<(String, String, String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT a.id, a.email, a.display_name, m.role FROM memberships m \
                 JOIN accounts a ON a.id = m.account_id WHERE m.organisation_id = $1 ORDER BY a.email",
            )
            .bind(organisation_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(account_id, email, display_name, r)| {
                Ok(StaffMember {
                    email: Email::parse(&email)
                        .map_err(|_| StoreError::Corrupt(format!("account {account_id}: email")))?,
                    account_id,
                    display_name,
                    role: role(&r)?,
                })
            })
            .collect()
    }
}

impl UnitOfWork {
    /// Registers an organisation with `owner` as its first owner, in one audited transaction.
    pub async fn register_organisation(
        &mut self,
        id: &str,
        org: &Organisation,
        owner: &str,
        now: OffsetDateTime,
    ) -> Result<Registration, StoreError> {
        let doc = serde_json::to_string(org)?;
        let digest = digest_of(doc.as_bytes());
        let actor = format!("account:{owner}");
        write_step!(self, "register_organisation", tx => {
            let inserted = sqlx::query(
                "INSERT INTO organisations (id, corporate_number, name_ja, doc, digest, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (corporate_number) DO NOTHING",
            )
            .bind(id)
            .bind(org.corporate_number.as_str())
            .bind(&org.name_ja)
            .bind(&doc)
            .bind(&digest)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(Registration::CorporateNumberTaken);
            }
            sqlx::query("INSERT INTO memberships (organisation_id, account_id, role, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(owner)
                .bind(OrgRole::Owner.code())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let event = AuditEvent::new(now, &actor, "organisation.register", format!("organisation:{id}"))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            let event = AuditEvent::new(now, &actor, "membership.grant", format!("organisation:{id}/account:{owner}"))
                .with_digests(None, Some(digest_of(OrgRole::Owner.code().as_bytes())));
            append_audit!(tx, event);
            Ok(Registration::Created)
        })
    }

    /// Replaces an organisation's details. The 法人番号 may not change: that is another entity.
    pub async fn update_organisation(
        &mut self,
        id: &str,
        org: &Organisation,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let doc = serde_json::to_string(org)?;
        let digest = digest_of(doc.as_bytes());
        write_step!(self, "update_organisation", tx => {
            let before: Option<(String, String)> = sqlx::query_as("SELECT digest, corporate_number FROM organisations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((before, corporate_number)) = before else {
                return Err(StoreError::NotFound);
            };
            if corporate_number != org.corporate_number.as_str() {
                return Err(StoreError::Conflict(crate::Conflict::CorporateNumberTaken));
            }
            if before == digest {
                return Ok(());
            }
            sqlx::query("UPDATE organisations SET name_ja = $2, doc = $3, digest = $4, updated_at = $5 WHERE id = $1")
                .bind(id)
                .bind(&org.name_ja)
                .bind(&doc)
                .bind(&digest)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let event = AuditEvent::new(now, actor, "organisation.update", format!("organisation:{id}"))
                .with_digests(Some(before), Some(digest));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Gives `account_id` a role in the organisation, or changes it.
    pub async fn grant_membership(
        &mut self,
        organisation_id: &str,
        account_id: &str,
        role: OrgRole,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "grant_membership", tx => {
            let before: Option<(String,)> = sqlx::query_as("SELECT role FROM memberships WHERE organisation_id = $1 AND account_id = $2")
                .bind(organisation_id)
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO memberships (organisation_id, account_id, role, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (organisation_id, account_id) DO UPDATE SET role = excluded.role",
            )
            .bind(organisation_id)
            .bind(account_id)
            .bind(role.code())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(now, actor, "membership.grant", format!("organisation:{organisation_id}/account:{account_id}"))
                .with_digests(before.map(|(r,)| digest_of(r.as_bytes())), Some(digest_of(role.code().as_bytes())));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Changes a member's role; refused (`Conflict::LastOwner`) when it would leave the
    /// organisation without an owner, checked in the same statement so that two owners
    /// demoting each other at once cannot both succeed.
    pub async fn change_role(
        &mut self,
        organisation_id: &str,
        account_id: &str,
        role: OrgRole,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "change_role", tx => {
            let changed = sqlx::query(
                "UPDATE memberships SET role = $3 WHERE organisation_id = $1 AND account_id = $2 \
                 AND ($3 = 'owner' OR EXISTS (SELECT 1 FROM memberships o WHERE o.organisation_id = $1 AND o.role = 'owner' AND o.account_id <> $2))",
            )
            .bind(organisation_id)
            .bind(account_id)
            .bind(role.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                let member: Option<(String,)> = sqlx::query_as("SELECT role FROM memberships WHERE organisation_id = $1 AND account_id = $2")
                    .bind(organisation_id)
                    .bind(account_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                return Err(match member {
                    Some(_) => StoreError::Conflict(crate::Conflict::LastOwner),
                    None => StoreError::NotFound,
                });
            }
            let event = AuditEvent::new(now, actor, "membership.change", format!("organisation:{organisation_id}/account:{account_id}"))
                .with_digests(None, Some(digest_of(role.code().as_bytes())));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Records an invitation (its link's digest, the address and role), audited.
    pub async fn invite(
        &mut self,
        t: &crate::accounts::NewToken<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.create_token(t).await?;
        write_step!(self, "invite", tx => {
            let event = AuditEvent::new(now, actor, "invitation.create", format!("organisation:{}/invitation:{}", t.organisation_id.unwrap_or(""), t.token_hash))
                .with_digests(None, Some(digest_of(t.email.as_str().as_bytes())));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Withdraws an invitation not yet used: its link stops working.
    pub async fn withdraw_invitation(
        &mut self,
        organisation_id: &str,
        token_hash: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "withdraw_invitation", tx => {
            let changed = sqlx::query("UPDATE account_tokens SET used_at = $3 WHERE token_hash = $1 AND organisation_id = $2 AND purpose = 'invitation' AND used_at IS NULL")
                .bind(token_hash)
                .bind(organisation_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            let event = AuditEvent::new(now, actor, "invitation.withdraw", format!("organisation:{organisation_id}/invitation:{token_hash}"));
            append_audit!(tx, event);
            Ok(())
        })
    }
}
