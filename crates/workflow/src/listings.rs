//! A provider's own programmes in the catalogue (issue 14; A01, A02, A04): listed as drafts,
//! published, unpublished and withdrawn, and their sessions added, copied, edited and
//! cancelled. Each use case writes the listing and, when it is public, the catalogue in one
//! unit; the search index follows the catalogue's audit entries.
//!
//! A designated 特定講習's programme is the designation's: its facts change only through a
//! change notice, but its sessions are the provider's, edited here.

use crate::jobs::JobOutcome;
use crate::mail::{Process, Queued};
use crate::{Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::access::OrgRole;
use koshu_domain::access::organisation::Organisation;
use koshu_domain::catalogue::listing::{
    ListingMove, ListingState, SessionChange, a02_programme_is_classified,
    a02_session_has_dates_and_a_place, a04_programme_page_is_complete,
    a05_information_may_be_stale, a05_stale_from, apply_session_change,
};
use koshu_domain::catalogue::{Programme, ProgrammeWithSessions, Session, Slug};
use koshu_domain::designation::publish::{provider_of, provider_slug};
use koshu_store::UnitOfWork;
use koshu_store::listings::Listing;

/// A use case's answer when the input breaks rules: every problem, each naming its field.
pub type Checked<T> = Result<T, Vec<ValidationError>>;

/// A new programme's catalogue id: `p-` and a UUID, stable whatever the title becomes.
pub fn new_programme_id() -> Slug {
    let id = format!("p-{}", uuid::Uuid::now_v7().simple());
    // 34 lowercase hex digits and letters: always a valid slug.
    Slug::parse(&id).unwrap_or_else(|_| unreachable!("a UUID is a slug"))
}

/// What must hold for a programme to be public: A02 and A04 and every session's A02, with
/// session fields named `sessions[i].field`.
fn publishable(item: &ProgrammeWithSessions, wf: &Workflow) -> Vec<ValidationError> {
    let mut errors = a02_programme_is_classified(&item.programme, &wf.taxonomy);
    errors.extend(a04_programme_page_is_complete(&item.programme));
    errors.extend(session_errors(&item.sessions));
    errors
}

fn session_errors(sessions: &[Session]) -> Vec<ValidationError> {
    sessions
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            a02_session_has_dates_and_a_place(s)
                .into_iter()
                .map(move |e| {
                    let field = format!("sessions[{i}].{}", e.field.clone().unwrap_or_default());
                    e.for_field(field)
                })
        })
        .collect()
}

/// Lists `programme` as a draft of organisation `organisation_id` (A02 checked: a draft is
/// classified from the start); returns its id.
pub async fn create(
    wf: &Workflow,
    organisation_id: &str,
    mut programme: Programme,
    actor: &str,
) -> Result<Checked<Slug>, WorkflowError> {
    let org = wf
        .store
        .organisation(organisation_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    programme.provider = provider_slug(&org.organisation)?;
    programme.designation = None;
    let errors = a02_programme_is_classified(&programme, &wf.taxonomy);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let id = programme.id.clone();
    let item = ProgrammeWithSessions {
        programme,
        sessions: Vec::new(),
    };
    let mut unit = wf.store.write().await?;
    unit.create_listing(organisation_id, &item, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(Ok(id))
}

async fn listing(wf: &Workflow, id: &str) -> Result<Listing, WorkflowError> {
    wf.store.listing(id).await?.ok_or(WorkflowError::NotFound)
}

fn not_editable() -> ValidationError {
    ValidationError::new(
        "listing.withdrawn",
        "掲載を終了した講座は編集できません。",
        "A withdrawn programme cannot be edited.",
    )
}

/// The catalogue provider an organisation publishes as: the one already listed with its
/// 法人番号 when an operator imported it under an id of its own (`nict`), else the
/// organisation's own record (`corp-…`), written with the organisation's current name.
pub(crate) async fn publishing_provider(
    unit: &mut UnitOfWork,
    org: &Organisation,
    actor: &str,
    now: time::OffsetDateTime,
) -> Result<Slug, WorkflowError> {
    let own = provider_slug(org)?;
    if let Some(listed) = unit
        .provider_with_corporate_number(org.corporate_number.as_str())
        .await?
        && listed.id != own
    {
        return Ok(listed.id);
    }
    unit.upsert_provider(&provider_of(org)?, actor, now).await?;
    Ok(own)
}

/// Writes `item` as the listing's new content and state in `unit`: public when the state is
/// `Published` (the provider's catalogue record with it), out of the catalogue when it leaves
/// that state.
#[allow(
    clippy::too_many_arguments,
    reason = "one audited write, every part named"
)]
async fn write(
    wf: &Workflow,
    unit: &mut UnitOfWork,
    org: &Organisation,
    before: ListingState,
    item: &ProgrammeWithSessions,
    revision: i64,
    state: ListingState,
    action: &'static str,
    actor: &str,
) -> Result<i64, WorkflowError> {
    let now = wf.now();
    let next = unit
        .save_listing(item, revision, state, action, actor, now)
        .await?;
    if state == ListingState::Published {
        let mut public = item.clone();
        public.programme.provider = publishing_provider(unit, org, actor, now).await?;
        unit.upsert_programme(&public, actor, now).await?;
        schedule_freshness(unit, item, wf.today(), now).await?;
    } else if before == ListingState::Published {
        unit.remove_programme(item.programme.id.as_str(), actor, now)
            .await?;
    }
    Ok(next)
}

async fn organisation_of(wf: &Workflow, listing: &Listing) -> Result<Organisation, WorkflowError> {
    Ok(wf
        .store
        .organisation(&listing.organisation_id)
        .await?
        .ok_or(WorkflowError::NotFound)?
        .organisation)
}

/// Saves the programme's facts, made on `revision`; a published programme is public with them
/// at once, so it must stay publishable. Returns the new revision.
pub async fn save(
    wf: &Workflow,
    mut programme: Programme,
    revision: i64,
    actor: &str,
) -> Result<Checked<i64>, WorkflowError> {
    let current = listing(wf, programme.id.as_str()).await?;
    if !current.state.editable() {
        return Ok(Err(vec![not_editable()]));
    }
    programme.provider = current.item.programme.provider.clone();
    programme.designation = None;
    let item = ProgrammeWithSessions {
        programme,
        sessions: current.item.sessions.clone(),
    };
    let errors = if current.state == ListingState::Published {
        publishable(&item, wf)
    } else {
        a02_programme_is_classified(&item.programme, &wf.taxonomy)
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let org = organisation_of(wf, &current).await?;
    let mut unit = wf.store.write().await?;
    let next = write(
        wf,
        &mut unit,
        &org,
        current.state,
        &item,
        revision,
        current.state,
        "listing.save",
        actor,
    )
    .await?;
    unit.commit().await?;
    Ok(Ok(next))
}

/// Publishes, unpublishes or withdraws the listing, made on `revision`. Publishing checks
/// everything a public programme must hold (A02, A04, each session's A02).
pub async fn change_state(
    wf: &Workflow,
    id: &str,
    revision: i64,
    m: ListingMove,
    actor: &str,
) -> Result<Checked<i64>, WorkflowError> {
    let current = listing(wf, id).await?;
    let state = match current.state.after(m) {
        Ok(s) => s,
        Err(e) => return Ok(Err(vec![e])),
    };
    if state == ListingState::Published {
        let errors = publishable(&current.item, wf);
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
    }
    let action = match m {
        ListingMove::Publish => "listing.publish",
        ListingMove::Unpublish => "listing.unpublish",
        ListingMove::Withdraw => "listing.withdraw",
    };
    let org = organisation_of(wf, &current).await?;
    let mut unit = wf.store.write().await?;
    let next = write(
        wf,
        &mut unit,
        &org,
        current.state,
        &current.item,
        revision,
        state,
        action,
        actor,
    )
    .await?;
    unit.commit().await?;
    Ok(Ok(next))
}

/// Applies one change to the listing's sessions, as they are now; the changed session must
/// have its dates and a place (A02). Returns the changed session's id.
pub async fn change_session(
    wf: &Workflow,
    id: &str,
    change: SessionChange,
    actor: &str,
) -> Result<Checked<Slug>, WorkflowError> {
    let current = listing(wf, id).await?;
    if !current.state.editable() {
        return Ok(Err(vec![not_editable()]));
    }
    let programme = current.item.programme.clone();
    let (changed, sessions) =
        match apply_session_change(&current.item.sessions, &programme.id, change) {
            Ok(done) => done,
            Err(errors) => return Ok(Err(errors)),
        };
    let item = ProgrammeWithSessions {
        programme,
        sessions,
    };
    let org = organisation_of(wf, &current).await?;
    let mut unit = wf.store.write().await?;
    write(
        wf,
        &mut unit,
        &org,
        current.state,
        &item,
        current.revision,
        current.state,
        "listing.sessions",
        actor,
    )
    .await?;
    unit.commit().await?;
    Ok(Ok(changed))
}

/// Applies one change to the sessions of a designated 特定講習's programme. Its facts are read
/// inside the unit and written back as they are: only a change notice changes them.
pub async fn change_designated_session(
    wf: &Workflow,
    programme_id: &str,
    change: SessionChange,
    actor: &str,
) -> Result<Checked<Slug>, WorkflowError> {
    let mut unit = wf.store.write().await?;
    let current = unit
        .programme_for_update(programme_id)
        .await?
        .filter(|p| p.programme.designation.is_some())
        .ok_or(WorkflowError::NotFound)?;
    let (changed, sessions) =
        match apply_session_change(&current.sessions, &current.programme.id, change) {
            Ok(done) => done,
            Err(errors) => return Ok(Err(errors)),
        };
    unit.upsert_programme(
        &ProgrammeWithSessions {
            programme: current.programme,
            sessions,
        },
        actor,
        wf.now(),
    )
    .await?;
    unit.commit().await?;
    Ok(Ok(changed))
}

/// The job that reminds a provider whose published programme has gone stale (A05).
pub const FRESHNESS: &str = "listing.freshness";

#[derive(serde::Serialize, serde::Deserialize)]
struct FreshnessPayload {
    programme: String,
}

/// Schedules (or moves, one per programme) the reminder for the day `item`, saved on `today`,
/// becomes stale if nothing changes.
async fn schedule_freshness(
    unit: &mut UnitOfWork,
    item: &ProgrammeWithSessions,
    today: time::Date,
    now: time::OffsetDateTime,
) -> Result<(), WorkflowError> {
    let id = item.programme.id.as_str();
    let payload = serde_json::to_string(&FreshnessPayload {
        programme: id.to_owned(),
    })
    .map_err(|e| WorkflowError::Corrupt(e.to_string()))?;
    let day = a05_stale_from(&item.sessions, today);
    crate::jobs::schedule_on(
        unit,
        FRESHNESS,
        day,
        &payload,
        &format!("freshness:{id}"),
        now,
    )
    .await?;
    Ok(())
}

/// A05: a published programme with no session ahead and no change for a year: its owners and
/// editors are asked, once, to bring it up to date (or to end the listing). A programme saved
/// since was rescheduled by that save; one no longer published needs nothing.
pub async fn remind_stale(
    wf: Workflow,
    job: koshu_store::jobs::Job,
) -> Result<JobOutcome, WorkflowError> {
    let payload: FreshnessPayload =
        serde_json::from_str(&job.payload).map_err(|e| WorkflowError::Corrupt(e.to_string()))?;
    let today = wf.today();
    let listing = wf
        .store
        .listing(&payload.programme)
        .await?
        .filter(|l| l.state == ListingState::Published);
    // Everything is read before the unit opens: a unit holds the write lock and its connection.
    let staff: Vec<String> = match &listing {
        Some(l) => wf
            .store
            .staff_of(&l.organisation_id)
            .await?
            .into_iter()
            .filter(|m| m.role >= OrgRole::Editor)
            .map(|m| m.email.as_str().to_owned())
            .collect(),
        None => Vec::new(),
    };
    let mut unit = wf.store.write().await?;
    let Some(l) = listing else {
        unit.complete_job(&job.id, wf.now()).await?;
        unit.commit().await?;
        return Ok(JobOutcome::AlreadyDone);
    };
    let saved_on = l.updated_at.to_offset(crate::JST).date();
    if !a05_information_may_be_stale(&l.item.sessions, saved_on, today) {
        // Not stale yet (a session ahead when it was scheduled): come back when it is.
        let item = &l.item;
        unit.complete_job(&job.id, wf.now()).await?;
        schedule_freshness(&mut unit, item, saved_on, wf.now()).await?;
        unit.commit().await?;
        return Ok(JobOutcome::AlreadyDone);
    }
    let title = &l.item.programme.title_ja;
    let since = koshu_domain::types::date_ja_with_weekday(saved_on);
    let mut queued = Queued::default();
    Process {
        subject: ("講座情報の更新のお願い", "Please bring your programme up to date"),
        ja: format!(
            "講座ポータルに掲載している「{title}」は、今後の開催予定がなく、{since}から更新されていません。講座のページには「情報が更新されていない可能性があります」と表示されています。\n開催日程を追加するか、内容を最新に更新してください。実施を終えた講座は、掲載を終了できます。"
        ),
        en: format!(
            "\"{title}\", listed in the portal, has no session ahead and has not changed since {since}. Its page now says its information may be out of date.\nAdd sessions or bring its content up to date; a programme that is no longer run can be withdrawn."
        ),
        path: format!("/organisations/{}/programmes/{}", l.organisation_id, payload.programme),
    }
    .queue(&wf, &mut unit, &mut queued, &staff)
    .await?;
    unit.complete_job(&job.id, wf.now()).await?;
    unit.commit().await?;
    queued.log(&wf);
    Ok(JobOutcome::Done)
}

/// One programme of a spreadsheet upload, as read and typed: whether to publish it.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub item: ProgrammeWithSessions,
    pub publish: bool,
}

/// What an upload does (or did), programme by programme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub published: usize,
}

/// The catalogue id of the programme with the provider's 管理番号 `key`: the same every
/// upload, so an upload finds the programmes of the one before.
pub fn uploaded_programme_id(organisation_id: &str, key: &str) -> Slug {
    use sha2::{Digest, Sha256};
    let digest = hex::encode(Sha256::digest(
        format!("{organisation_id}\0{key}").as_bytes(),
    ));
    Slug::parse(&format!("p-{}", &digest[..32])).unwrap_or_else(|_| unreachable!("hex is a slug"))
}

/// Keeps an uploaded file for the step that applies it (after the person has seen the check).
pub async fn keep_upload(
    wf: &Workflow,
    name: &str,
    bytes: bytes::Bytes,
    actor: &str,
) -> Result<koshu_store::files::StoredFile, WorkflowError> {
    Ok(wf
        .store
        .save_file(name, "application/octet-stream", bytes, actor, wf.now())
        .await?)
}

/// Checks every programme of an upload against the rules (A02, each session's A02, and A04
/// for those to publish); with `apply`, writes them all in one unit, or none: a new programme
/// is listed (a draft unless published), a listed one updated, an unchanged one left alone,
/// so the same file uploaded again changes nothing. Rule problems come back by the item's
/// index.
pub async fn upload(
    wf: &Workflow,
    organisation_id: &str,
    items: &[Uploaded],
    apply: bool,
    actor: &str,
) -> Result<Result<UploadSummary, Vec<(usize, ValidationError)>>, WorkflowError> {
    let org = wf
        .store
        .organisation(organisation_id)
        .await?
        .ok_or(WorkflowError::NotFound)?
        .organisation;
    let mut problems = Vec::new();
    let mut plan = Vec::new();
    let mut summary = UploadSummary::default();
    for (i, u) in items.iter().enumerate() {
        let current = wf.store.listing(u.item.programme.id.as_str()).await?;
        let public = u.publish
            || current
                .as_ref()
                .is_some_and(|l| l.state == ListingState::Published);
        let mut errors = a02_programme_is_classified(&u.item.programme, &wf.taxonomy);
        errors.extend(session_errors(&u.item.sessions));
        if public {
            // Public with the upload: it must tell a learner what they need (A04).
            errors.extend(a04_programme_page_is_complete(&u.item.programme));
        }
        if let Some(l) = &current
            && (l.organisation_id != organisation_id || !l.state.editable())
        {
            errors.push(not_editable());
        }
        if !errors.is_empty() {
            problems.extend(errors.into_iter().map(|e| (i, e)));
            continue;
        }
        let state = match (&current, u.publish) {
            (_, true) => ListingState::Published,
            (Some(l), false) => l.state,
            (None, false) => ListingState::Draft,
        };
        match &current {
            None => summary.created += 1,
            Some(l) if l.item == u.item && l.state == state => summary.unchanged += 1,
            Some(_) => summary.updated += 1,
        }
        if state == ListingState::Published && current.as_ref().is_none_or(|l| l.state != state) {
            summary.published += 1;
        }
        plan.push((u, current, state));
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    if !apply {
        return Ok(Ok(summary));
    }
    let mut unit = wf.store.write().await?;
    for (u, current, state) in plan {
        let (before, revision) = match &current {
            Some(l) if l.item == u.item && l.state == state => continue,
            Some(l) => (l.state, l.revision),
            None => {
                unit.create_listing(organisation_id, &u.item, actor, wf.now())
                    .await?;
                if state == ListingState::Draft {
                    continue;
                }
                (ListingState::Draft, 1)
            }
        };
        write(
            wf,
            &mut unit,
            &org,
            before,
            &u.item,
            revision,
            state,
            "listing.upload",
            actor,
        )
        .await?;
    }
    unit.commit().await?;
    Ok(Ok(summary))
}
