//! A sample 特定講習 application for the demo, submitted and waiting in the ministry's review
//! queue, so that a reviewer trying Koshu has something to review. It is plainly marked as a
//! sample (a fictitious provider, 「サンプル」 in its name), unlike the catalogue's demo data,
//! which comes from the seeds. Loading it twice changes nothing.

use koshu_domain::access::organisation::Organisation;
use koshu_domain::designation::application::Application;
use koshu_domain::designation::application::{DisqualificationDeclaration, DisqualificationItem};
use koshu_domain::designation::documents::b34_file_is_of_an_accepted_type;
use koshu_domain::designation::fixtures::{MEMBER_CORPORATE_NUMBER, complete_application};
use koshu_domain::designation::{DocumentKind, lifecycle};
use koshu_domain::types::CorporateNumber;
use koshu_store::accounts::NewAccount;
use koshu_store::reviews::Move;
use koshu_store::{Store, StoreError, UnitOfWork};
use time::OffsetDateTime;

/// The sample provider's 法人番号 base (its check digit is computed): not a real company's.
const SAMPLE_BASE: &str = "700000000001";
const ACTOR: &str = "system:demo";

#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Workflow(#[from] koshu_workflow::WorkflowError),
    #[error("the sample is not valid: {0}")]
    Invalid(String),
}

/// The sample provider's organisation, once the sample is loaded.
pub async fn sample_organisation(
    store: &Store,
) -> Result<Option<koshu_store::organisations::OrganisationRecord>, StoreError> {
    let Ok(number) = CorporateNumber::from_base(SAMPLE_BASE) else {
        return Ok(None);
    };
    Ok(store
        .organisations()
        .await?
        .into_iter()
        .find(|o| o.organisation.corporate_number == number))
}

/// Loads the sample; `true` when it was created now, `false` when it was there already.
pub async fn load_sample_application(
    store: &Store,
    now: OffsetDateTime,
) -> Result<bool, SampleError> {
    let number = sample_number()?;
    if sample_organisation(store).await?.is_some() {
        return Ok(false);
    }
    let today = now.to_offset(time::macros::offset!(+9)).date();
    let (mut app, org) = sample_application(today, &number)?;
    app.course.name = format!("（サンプル）{}", app.course.name);

    // An owner nobody can sign in as: its password is random and never shown.
    let owner = uuid::Uuid::now_v7().to_string();
    let email = koshu_domain::access::Email::parse("sample-provider@example.jp")
        .map_err(|e| SampleError::Invalid(e.message_en))?;
    let password_hash = koshu_web::auth::password::hash(uuid::Uuid::new_v4().to_string())
        .await
        .map_err(|e| SampleError::Invalid(e.to_string()))?;
    store
        .create_account(
            &NewAccount {
                id: owner.clone(),
                email,
                display_name: "サンプル講座提供者".into(),
                password_hash,
            },
            now,
        )
        .await?;
    let org_id = uuid::Uuid::now_v7().to_string();
    let files = sample_documents(store, &app, now).await?;
    // The sample's organisation, draft, documents and submission: all or nothing.
    let mut unit = store.write().await?;
    unit.register_organisation(&org_id, &org, &owner, now)
        .await?;
    submit_sample(&mut unit, &org_id, app, org, &files, now).await?;
    unit.commit().await?;
    Ok(true)
}

/// A second application of the sample provider's, for the course `title`, submitted, taken
/// into review and designated from `designated_on` through the ministry's use case (so with
/// its number, letter, mail and jobs, and its programme published with the 特定講習 label),
/// for the sample delivery to run. Returns the designated programme's id.
pub async fn designate_sample_course(
    wf: &koshu_workflow::Workflow,
    title: &str,
    designated_on: time::Date,
) -> Result<koshu_domain::catalogue::Slug, SampleError> {
    let store = &wf.store;
    let number = sample_number()?;
    let org_id = sample_organisation(store)
        .await?
        .ok_or_else(|| SampleError::Invalid("the sample provider is not loaded".into()))?
        .id;
    let now = wf.now();
    let (mut app, org) = sample_application(wf.today(), &number)?;
    app.course.name = title.to_owned();
    let files = sample_documents(store, &app, now).await?;
    let mut unit = store.write().await?;
    let id = submit_sample(&mut unit, &org_id, app, org, &files, now).await?;
    // Taken into review without a reviewer: the sample's reviewer is nobody's account.
    let review = Move::of(lifecycle::Status::Submitted, &lifecycle::Event::StartReview)
        .map_err(|e| SampleError::Invalid(e.to_string()))?;
    unit.move_application(&id, review, ACTOR, now).await?;
    unit.commit().await?;
    koshu_workflow::designation::designate(
        wf,
        &id,
        designated_on,
        "（サンプル）デモ用に指定した講習です。",
        Some(lifecycle::Status::UnderReview),
        ACTOR,
    )
    .await?;
    koshu_domain::designation::publish::programme_slug(&id)
        .map_err(|e| SampleError::Invalid(e.message_en))
}

fn sample_number() -> Result<CorporateNumber, SampleError> {
    CorporateNumber::from_base(SAMPLE_BASE).map_err(|e| SampleError::Invalid(e.message_en))
}

/// The complete fixture application as the sample provider's (its organisation apart), with
/// the provider's declarations.
fn sample_application(
    today: time::Date,
    number: &CorporateNumber,
) -> Result<(Application, Organisation), SampleError> {
    let mut app = complete_application(today);
    let mut org = app
        .provider
        .organisation
        .take()
        .ok_or_else(|| SampleError::Invalid("the fixture has no organisation".into()))?;
    org.corporate_number = number.clone();
    org.name_ja = format!("（サンプル）{}", org.name_ja);
    app.provider.declarations = [number.as_str(), MEMBER_CORPORATE_NUMBER]
        .into_iter()
        .map(|n| DisqualificationDeclaration {
            corporate_number: n.to_owned(),
            not_applicable: DisqualificationItem::ALL.to_vec(),
        })
        .collect();
    Ok((app, org))
}

/// Stores a PDF for each document `app` requires: (file id, kind).
async fn sample_documents(
    store: &Store,
    app: &Application,
    now: OffsetDateTime,
) -> Result<Vec<(String, DocumentKind)>, SampleError> {
    let mut files = Vec::new();
    for kind in DocumentKind::ALL
        .into_iter()
        .filter(|k| k.required_for(app))
    {
        // A PDF, as a provider would attach: accepted for every kind by the upload rule.
        let name = format!("（サンプル）{}.pdf", kind.label_ja());
        let body = sample_pdf(&format!("Koshu demo: sample document ({})", kind.code()));
        let accepted = b34_file_is_of_an_accepted_type(kind, &name, &body)
            .map_err(|e| SampleError::Invalid(e.message_en))?;
        let file = store
            .save_file(&name, accepted.media_type, body.into(), ACTOR, now)
            .await?;
        files.push((file.id, kind));
    }
    Ok(files)
}

/// Writes the draft of `app` for the organisation, its documents and its submission, in the
/// caller's unit; returns the application's id.
async fn submit_sample(
    unit: &mut UnitOfWork,
    org_id: &str,
    mut app: Application,
    org: Organisation,
    files: &[(String, DocumentKind)],
    now: OffsetDateTime,
) -> Result<String, SampleError> {
    let submit = Move::of(lifecycle::Status::Draft, &lifecycle::Event::Submit)
        .map_err(|e| SampleError::Invalid(e.to_string()))?;
    let id = uuid::Uuid::now_v7().to_string();
    unit.create_application(&id, org_id, &app, ACTOR, now)
        .await?;
    for (file_id, kind) in files {
        unit.attach_document(&id, file_id, kind.code(), ACTOR, now)
            .await?;
    }
    app.provider.organisation = Some(org);
    unit.submit_application(&id, &app, submit, ACTOR, now)
        .await?;
    Ok(id)
}

/// A one-page PDF that says `line` (ASCII): small, valid, and readable in any viewer.
fn sample_pdf(line: &str) -> Vec<u8> {
    let text = line.replace(['(', ')', '\\'], " ");
    let stream = format!("BT /F1 14 Tf 56 780 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}
