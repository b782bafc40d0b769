//! A provider's draft of a 特定講習 application (B01–B34): created, saved section by section or
//! from an imported workbook, documents attached and taken off. Submission is a lifecycle
//! move ([`crate::designation::submit`]).

use crate::{Workflow, WorkflowError};
use bytes::Bytes;
use koshu_domain::ValidationError;
use koshu_domain::designation::Application;
use koshu_domain::designation::documents::{DocumentKind, b34_file_is_of_an_accepted_type};
use koshu_domain::designation::lifecycle::Status;
use koshu_domain::types::text::{TextKind, check_text};

/// A new draft for organisation `organisation_id`; returns its id.
pub async fn create(
    wf: &Workflow,
    organisation_id: &str,
    draft: &Application,
    actor: &str,
) -> Result<String, WorkflowError> {
    wf.store
        .organisation(organisation_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut unit = wf.store.write().await?;
    unit.create_application(&id, organisation_id, draft, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(id)
}

/// Saves the whole draft (a section's fields merged into it, or an imported workbook).
pub async fn save_draft(
    wf: &Workflow,
    id: &str,
    draft: &Application,
    actor: &str,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.save_draft(id, draft, actor, wf.now()).await?;
    unit.commit().await?;
    Ok(())
}

/// Stores an uploaded document and attaches it to the draft as `kind` (4-2, B34). The bytes
/// are stored first, in a unit of their own: an attachment never points at nothing, and bytes
/// whose attachment failed are an unreferenced file, never a broken record. The content must
/// be of a type the kind accepts; it is stored as the type it is.
pub async fn attach_document(
    wf: &Workflow,
    id: &str,
    kind: DocumentKind,
    file: (&str, Bytes),
    actor: &str,
) -> Result<(), WorkflowError> {
    let (name, bytes) = file;
    // The name goes into pages, headers (Content-Disposition) and the forms: one bounded line.
    check_text(name, TextKind::Line).map_err(|e| e.for_field("file"))?;
    let accepted = b34_file_is_of_an_accepted_type(kind, name, &bytes)?;
    let now = wf.now();
    let stored = wf
        .store
        .save_file(name, accepted.media_type, bytes, actor, now)
        .await?;
    let mut unit = wf.store.write().await?;
    unit.attach_document(id, &stored.id, kind.code(), actor, now)
        .await?;
    unit.commit().await?;
    Ok(())
}

/// Takes a document off the draft; submitted versions keep it.
pub async fn detach_document(
    wf: &Workflow,
    id: &str,
    file_id: &str,
    actor: &str,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.detach_document(id, file_id, actor, wf.now()).await?;
    unit.commit().await?;
    Ok(())
}

/// Deletes a draft that was never submitted (issue 13 item 17). A submitted application is
/// the ministry's record too and stays; a draft submitted meanwhile is a conflict.
pub async fn delete_draft(wf: &Workflow, id: &str, actor: &str) -> Result<(), WorkflowError> {
    let record = wf
        .store
        .application(id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    if record.status != Status::Draft || record.latest_version.is_some() {
        return Err(ValidationError::new(
            "application.not_deletable",
            "提出したことのある申請は削除できません。経済産業省の記録として残ります。",
            "An application that was ever submitted cannot be deleted: it is part of the ministry's record.",
        )
        .into());
    }
    let mut unit = wf.store.write().await?;
    unit.delete_draft(id, actor, wf.now()).await?;
    unit.commit().await?;
    Ok(())
}
