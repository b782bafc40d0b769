//! Certificates (issue 17; D06, B13): the issuers' DID documents and signed status lists that
//! verifiers fetch, the public verification page (no sign-in: a QR code must never lead to a
//! login) for a certificate by its address or for one pasted or uploaded, the learner's page
//! with what they take away, and the provider's list with suspension, reinstatement and
//! revocation. Each write is one use case of `koshu_workflow::credentials`.

use super::delivery::{base, download, organisation, own_session};
use super::forms::parse;
use super::rendered;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::lang::Lang;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use koshu_credentials::achievement::Claims;
use koshu_credentials::status::Status;
use koshu_credentials::verify::{SignatureCheck, StatusCheck, Validity, Verdict};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_forms::certificate::{self, CertificateText};
use koshu_store::credentials::CredentialStatus;
use koshu_workflow::credentials::{self as wf_credentials, DesignationToday, Issued, StatusChange};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Verifiers may keep a DID document or a status list this long; a revocation shows within it.
const PUBLIC_CACHE: &str = "public, max-age=300, stale-while-revalidate=60";

fn json_response(content_type: &'static str, body: String, cache: &'static str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /issuers/{id}/did.json`: the `did:web` document of an organisation's keys.
pub async fn did_document(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let doc = wf_credentials::did_document(&state.workflow, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(json_response(
        "application/did+json",
        doc.to_string(),
        PUBLIC_CACHE,
    ))
}

/// `GET /status/{id}/{n}`: a signed Bitstring Status List, with its ETag (a verifier that has
/// it gets 304).
pub async fn status_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let number: i64 = number.parse().map_err(|_| AppError::NotFound)?;
    let list = state
        .store
        .status_list(&id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let etag = HeaderValue::from_str(&list.etag).map_err(|_| AppError::NotFound)?;
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == list.etag || t.trim() == "*")
        });
    if matches {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(PUBLIC_CACHE),
                ),
            ],
        )
            .into_response());
    }
    let mut response = json_response("application/vc+ld+json", list.document, PUBLIC_CACHE);
    response.headers_mut().insert(header::ETAG, etag);
    Ok(response)
}

/// A verdict as the page shows it.
struct VerdictView {
    verified: bool,
    code: &'static str,
    headline: String,
    signature: String,
    status: String,
    validity: String,
    claims: Vec<(String, String)>,
    designation_today: Option<String>,
}

fn when(lang: Lang, text: &str) -> String {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| view::date(lang, t.to_offset(koshu_workflow::JST).date()))
        .unwrap_or_else(|_| text.to_owned())
}

fn hours(page: &PageCtx, h: f64) -> String {
    format!("{h}{}", page.t("時間", " hours"))
}

fn claim_rows(page: &PageCtx, c: &Claims) -> Vec<(String, String)> {
    let lang = page.lang;
    let mut rows = vec![
        (
            page.t("氏名（発行時の表記）", "Name as issued").to_owned(),
            c.learner_name.clone(),
        ),
        (page.t("講座", "Course").to_owned(), c.course.clone()),
        (
            page.t("発行者（提供者）", "Issuer (provider)").to_owned(),
            c.issuer.name.clone(),
        ),
        (
            // The credential counts quarter hours; the English statement gives the minutes.
            page.t(
                "受講時間（15分単位・端数切り捨て）",
                "Hours attended (in quarter hours, rounded down)",
            )
            .to_owned(),
            hours(page, c.hours_earned),
        ),
        (
            page.t("講座の時間", "Course hours").to_owned(),
            hours(page, c.course_hours),
        ),
        (
            page.t("受講期間", "Attended").to_owned(),
            format!(
                "{}〜{}",
                when(lang, &c.activity_start),
                when(lang, &c.activity_end)
            ),
        ),
        (
            page.t("発行日", "Issued").to_owned(),
            when(lang, &c.valid_from),
        ),
        (
            page.t("有効期限", "Valid until").to_owned(),
            c.valid_until
                .as_deref()
                .map(|u| when(lang, u))
                .unwrap_or_else(|| page.t("なし（無期限）", "No end").to_owned()),
        ),
    ];
    if let Some(d) = &c.designation {
        rows.push((
            page.t("特定講習の指定番号", "Specified Course (特定講習) number")
                .to_owned(),
            d.number.clone(),
        ));
        rows.push((
            page.t("指定期間（発行時）", "Designated for (at issue)")
                .to_owned(),
            d.period.clone(),
        ));
    }
    if let Some(riss) = &c.riss_number {
        rows.push((
            page.t("登録セキスペの登録番号", "RISS registration number")
                .to_owned(),
            riss.clone(),
        ));
    }
    let fields: Vec<&str> = c.fields.iter().map(|f| f.name.as_str()).collect();
    if !fields.is_empty() {
        rows.push((
            page.t("分野・シラバス項目", "Fields and syllabus items")
                .to_owned(),
            fields.join("、"),
        ));
    }
    rows.push((
        page.t("修了の基準", "Completion criteria").to_owned(),
        c.criteria.clone(),
    ));
    rows.push((
        page.t("英文の記載", "Statement in English").to_owned(),
        c.statement_en.clone(),
    ));
    rows.push((
        page.t("発行者の識別子", "Issuer identifier").to_owned(),
        c.issuer.id.clone(),
    ));
    rows
}

fn designation_text(page: &PageCtx, d: DesignationToday) -> String {
    let date = |d| view::date(page.lang, d);
    match d {
        DesignationToday::InForce { ends_on } => format!(
            "{}（{}{}）",
            page.t("指定中", "In force"),
            date(ends_on),
            page.t("まで", " is its last day")
        ),
        DesignationToday::NotYet { starts_on } => format!(
            "{}（{}{}）",
            page.t("指定期間の前", "Not yet in force"),
            date(starts_on),
            page.t("から", " is its first day")
        ),
        DesignationToday::Expired { on } => {
            format!("{}（{}）", page.t("指定期間の満了", "Expired"), date(on))
        }
        DesignationToday::Abolished { on } => {
            format!("{}（{}）", page.t("廃止", "Abolished"), date(on))
        }
        DesignationToday::Revoked { on } => format!(
            "{}（{}）",
            page.t("指定の取消し", "Designation revoked"),
            date(on)
        ),
        DesignationToday::Unknown => page
            .t(
                "この番号の指定は Koshu に記録されていません",
                "No designation with this number is on record in Koshu",
            )
            .to_owned(),
    }
}

fn status_label(page: &PageCtx, s: Status) -> String {
    page.t(s.label_ja(), s.label_en()).to_owned()
}

async fn verdict_view(
    state: &AppState,
    page: &PageCtx,
    v: &Verdict,
) -> Result<VerdictView, AppError> {
    let headline = match v.code() {
        "verified" => page.t("有効な修了証です。", "This certificate is valid."),
        "invalid_signature" => page.t(
            "この修了証は検証できません。発行後に書き換えられたか、発行者のものではありません。",
            "This certificate does not verify: it was changed after it was issued, or is not its issuer's.",
        ),
        "revoked" => page.t("この修了証は取消しされています。", "This certificate is revoked."),
        "suspended" => page.t("この修了証は一時停止されています。", "This certificate is suspended."),
        "expired" => page.t("この修了証は有効期限切れです。", "This certificate has expired."),
        "not_yet_valid" => page.t("この修了証はまだ有効になっていません。", "This certificate is not valid yet."),
        _ => page.t(
            "この修了証の状態を確認できませんでした。時間をおいて再度お試しください。",
            "This certificate's status could not be checked: try again later.",
        ),
    }
    .to_owned();
    let signature = match &v.signature {
        SignatureCheck::Valid {
            verification_method,
        } => format!(
            "{}（{verification_method}）",
            page.t("正しい署名", "Valid signature")
        ),
        SignatureCheck::Invalid { reason } => format!(
            "{}：{reason}",
            page.t("署名が正しくありません", "Invalid signature")
        ),
    };
    let status = match &v.status {
        StatusCheck::Known(s) => status_label(page, *s),
        StatusCheck::NoStatus => page.t("状態の記載なし", "No status given").to_owned(),
        StatusCheck::Unavailable { reason } => format!(
            "{}：{reason}",
            page.t("確認できません", "Cannot be checked")
        ),
    };
    let validity = match v.validity {
        Validity::Valid => page.t("有効期間内", "Within its validity"),
        Validity::Expired => page.t("有効期限切れ", "Expired"),
        Validity::NotYetValid => page.t("有効期間の前", "Not yet valid"),
    }
    .to_owned();
    let mut designation_today = None;
    if let Some(d) = v.claims.as_ref().and_then(|c| c.designation.as_ref()) {
        let today = wf_credentials::designation_today(&state.workflow, &d.number).await?;
        designation_today = Some(designation_text(page, today));
    }
    Ok(VerdictView {
        verified: v.verified(),
        code: v.code(),
        headline,
        signature,
        status,
        validity,
        claims: v
            .claims
            .as_ref()
            .map(|c| claim_rows(page, c))
            .unwrap_or_default(),
        designation_today,
    })
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    page: PageCtx,
    verdict: VerdictView,
    /// For a certificate kept here: its address and the JSON verdict's.
    id: Option<String>,
}

/// `GET /verify/{id}`: anyone, signed in or not.
pub async fn verify_issued(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issued = wf_credentials::issued(&state.workflow, &id).await?;
    let verdict = wf_credentials::verify_credential(&state.workflow, &issued.document).await?;
    let view = verdict_view(&state, &page, &verdict).await?;
    rendered(
        StatusCode::OK,
        VerifyPage {
            page,
            verdict: view,
            id: Some(id),
        },
    )
}

/// The verdict for machines: the same checks and claims as the page.
fn verdict_json(v: &Verdict, designation_today: Option<DesignationToday>) -> Value {
    let status = match &v.status {
        StatusCheck::Known(s) => {
            json!({"state": s.code(), "label_ja": s.label_ja(), "label_en": s.label_en()})
        }
        StatusCheck::NoStatus => json!({"state": "none"}),
        StatusCheck::Unavailable { reason } => json!({"state": "unavailable", "reason": reason}),
    };
    let signature = match &v.signature {
        SignatureCheck::Valid {
            verification_method,
        } => json!({"valid": true, "verificationMethod": verification_method}),
        SignatureCheck::Invalid { reason } => json!({"valid": false, "reason": reason}),
    };
    let claims = v.claims.as_ref().map(|c| {
        json!({
            "id": c.id, "learnerName": c.learner_name, "course": c.course,
            "issuer": {"id": c.issuer.id, "name": c.issuer.name, "url": c.issuer.url},
            "hoursEarned": c.hours_earned, "courseHours": c.course_hours,
            "activityStartDate": c.activity_start, "activityEndDate": c.activity_end,
            "validFrom": c.valid_from, "validUntil": c.valid_until,
            "designation": c.designation.as_ref().map(|d| json!({"number": d.number, "period": d.period})),
            "rissNumber": c.riss_number,
        })
    });
    let today = designation_today.map(|d| match d {
        DesignationToday::InForce { ends_on } => {
            json!({"state": "in_force", "endsOn": ends_on.to_string()})
        }
        DesignationToday::NotYet { starts_on } => {
            json!({"state": "not_yet", "startsOn": starts_on.to_string()})
        }
        DesignationToday::Expired { on } => json!({"state": "expired", "on": on.to_string()}),
        DesignationToday::Abolished { on } => json!({"state": "abolished", "on": on.to_string()}),
        DesignationToday::Revoked { on } => json!({"state": "revoked", "on": on.to_string()}),
        DesignationToday::Unknown => json!({"state": "unknown"}),
    });
    json!({
        "verified": v.verified(),
        "verdict": v.code(),
        "signature": signature,
        "status": status,
        "validity": v.validity.code(),
        "claims": claims,
        "designationToday": today,
    })
}

/// `GET /verify/{id}/verdict.json`.
pub async fn verify_issued_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issued = wf_credentials::issued(&state.workflow, &id).await?;
    let verdict = wf_credentials::verify_credential(&state.workflow, &issued.document).await?;
    let today = match verdict.claims.as_ref().and_then(|c| c.designation.as_ref()) {
        Some(d) => Some(wf_credentials::designation_today(&state.workflow, &d.number).await?),
        None => None,
    };
    Ok(json_response(
        "application/json",
        verdict_json(&verdict, today).to_string(),
        "no-store",
    ))
}

#[derive(Template)]
#[template(path = "verify_form.html")]
struct VerifyForm {
    page: PageCtx,
    errors: Vec<String>,
    pasted: String,
}

/// `GET /verify`: paste or upload a certificate.
pub async fn verify_form(page: PageCtx) -> Result<Response, AppError> {
    rendered(
        StatusCode::OK,
        VerifyForm {
            page,
            errors: Vec::new(),
            pasted: String::new(),
        },
    )
}

/// The credential in what was sent: a JSON file or pasted text, or an Open Badges baked PNG
/// or SVG image.
fn credential_in(bytes: &[u8]) -> Result<Value, ValidationError> {
    let unreadable = |detail: String| {
        ValidationError::new(
            "credential.unreadable",
            format!("修了証として読めません（{detail}）。Koshu の修了証のJSONファイルかバッジ画像（PNG・SVG）を選ぶか、その内容を貼り付けてください。"),
            format!("This cannot be read as a certificate ({detail}): choose a Koshu certificate's JSON file or badge image (PNG, SVG), or paste its content."),
        )
        .for_field("file")
    };
    let text = certificate::credential_in_file(bytes).map_err(|e| unreadable(e.to_string()))?;
    koshu_credentials::verify::parse(&text).map_err(|e| unreadable(e.to_string()))
}

/// `POST /verify`: the verdict on what was pasted or uploaded (a file wins over the text).
pub async fn verify_submit(
    State(state): State<AppState>,
    page: PageCtx,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let (mut pasted, mut file) = (String::new(), None::<(String, Bytes)>);
    if let Ok(mut form) = form {
        while let Ok(Some(field)) = form.next_field().await {
            match field.name() {
                Some("credential") => pasted = field.text().await.unwrap_or_default(),
                Some("file") => {
                    let name = field.file_name().unwrap_or("credential.json").to_owned();
                    file = field
                        .bytes()
                        .await
                        .ok()
                        .filter(|b| !b.is_empty())
                        .map(|b| (name, b));
                }
                _ => {}
            }
        }
    }
    let parsed = match (&file, pasted.trim()) {
        (Some((_, bytes)), _) => credential_in(bytes),
        (None, "") => Err(ValidationError::new(
            "credential.missing",
            "修了証のファイルを選ぶか、その内容を貼り付けてください。",
            "Choose the certificate's file, or paste its content.",
        )
        .for_field("credential")),
        (None, text) => credential_in(text.as_bytes()),
    };
    match parsed {
        Ok(credential) => {
            let verdict = wf_credentials::verify_credential(&state.workflow, &credential).await?;
            let view = verdict_view(&state, &page, &verdict).await?;
            rendered(
                StatusCode::OK,
                VerifyPage {
                    page,
                    verdict: view,
                    id: None,
                },
            )
        }
        Err(e) => {
            let message = page.t(&e.message_ja, &e.message_en).to_owned();
            rendered(
                StatusCode::UNPROCESSABLE_ENTITY,
                VerifyForm {
                    page,
                    errors: vec![message],
                    pasted,
                },
            )
        }
    }
}

// The learner's certificate.

/// The learner's own certificate, or 404 (another's is not theirs to download).
async fn own_credential(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
) -> Result<Issued, AppError> {
    let me = auth.require(Action::Learn)?;
    let issued = wf_credentials::issued(&state.workflow, id).await?;
    if issued.stored.account_id != me.account.id {
        return Err(AppError::NotFound);
    }
    Ok(issued)
}

#[derive(Template)]
#[template(path = "credential_learner.html")]
struct LearnerPage {
    page: PageCtx,
    id: String,
    course: String,
    status: String,
    active: bool,
    claims: Vec<(String, String)>,
    verify_url: String,
}

/// `GET /learning/credentials/{id}`.
pub async fn learner_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issued = own_credential(&state, &auth, &id).await?;
    rendered(
        StatusCode::OK,
        LearnerPage {
            course: issued.claims.course.clone(),
            status: status_label(&page, issued.stored.status),
            active: issued.stored.status == CredentialStatus::Active,
            claims: claim_rows(&page, &issued.claims),
            verify_url: issued.claims.id.clone(),
            id,
            page,
        },
    )
}

/// `GET /learning/credentials/{id}/credential.json`: the credential exactly as issued.
pub async fn learner_json(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issued = own_credential(&state, &auth, &id).await?;
    Ok(download(
        "application/vc+ld+json",
        &format!("certificate-{id}.json"),
        issued.stored.document.into_bytes(),
    ))
}

fn day(text: &str) -> Option<time::Date> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(|t| t.to_offset(koshu_workflow::JST).date())
}

/// What the PDF and the badges print: read from the credential as issued, in Japan's days.
fn certificate_text(c: &Claims) -> Result<CertificateText, AppError> {
    let required = |text: &str| day(text).ok_or(AppError::NotFound);
    Ok(CertificateText {
        verification_url: c.id.clone(),
        learner_name: c.learner_name.clone(),
        course_title: c.course.clone(),
        description_en: c.statement_en.clone(),
        provider_name: c.issuer.name.clone(),
        hours_attended: c.hours_earned,
        course_hours: c.course_hours,
        activity_start: required(&c.activity_start)?,
        activity_end: required(&c.activity_end)?,
        issued_on: required(&c.valid_from)?,
        valid_until: c.valid_until.as_deref().and_then(day),
        designation_number: c.designation.as_ref().map(|d| d.number.clone()),
        designation_period: c.designation.as_ref().map(|d| d.period.clone()),
        riss_number: c.riss_number.clone(),
        criteria: c.criteria.clone(),
    })
}

/// `GET /learning/credentials/{id}/certificate.pdf`: A4, Japanese then English, with the QR
/// code of the verification page.
pub async fn learner_pdf(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issued = own_credential(&state, &auth, &id).await?;
    let pdf = certificate::certificate_pdf(&certificate_text(&issued.claims)?)
        .map_err(AppError::internal)?;
    Ok(download(
        "application/pdf",
        &format!("certificate-{id}.pdf"),
        pdf,
    ))
}

/// `GET /learning/credentials/{id}/badge.png`: the badge with the credential baked in.
pub async fn learner_png(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issued = own_credential(&state, &auth, &id).await?;
    let png =
        certificate::badge_png(&certificate_text(&issued.claims)?).map_err(AppError::internal)?;
    let baked = certificate::bake_png(&png, &issued.stored.document).map_err(AppError::internal)?;
    Ok(download("image/png", &format!("badge-{id}.png"), baked))
}

/// `GET /learning/credentials/{id}/badge.svg`: the badge with the credential baked in.
pub async fn learner_svg(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let issued = own_credential(&state, &auth, &id).await?;
    let svg = certificate::badge_svg(&certificate_text(&issued.claims)?);
    let baked = certificate::bake_svg(&svg, &issued.stored.document).map_err(AppError::internal)?;
    Ok(download(
        "image/svg+xml",
        &format!("badge-{id}.svg"),
        baked.into_bytes(),
    ))
}

/// The learner's certificate for an enrolment, for the enrolment page: (id, status label).
pub(crate) async fn for_enrolment(
    state: &AppState,
    page: &PageCtx,
    session_id: &str,
    account_id: &str,
) -> Result<Option<(String, String)>, AppError> {
    let mine = wf_credentials::issued_to(&state.workflow, account_id).await?;
    Ok(mine
        .into_iter()
        .find(|c| c.stored.session_id == session_id && c.stored.status != CredentialStatus::Revoked)
        .map(|c| (c.stored.id.clone(), status_label(page, c.stored.status))))
}

// The provider's list.

struct StaffRow {
    id: String,
    name: String,
    issued: String,
    hours: String,
    status: String,
    status_code: &'static str,
    reason: String,
    changes: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "credentials_staff.html")]
struct StaffPage {
    page: PageCtx,
    title: String,
    base: String,
    rows: Vec<StaffRow>,
    can_run: bool,
    notice: Option<String>,
    errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

async fn staff_page(
    state: &AppState,
    page: PageCtx,
    auth: &AuthContext,
    id: &str,
    session_id: &str,
    done: &str,
    errors: Vec<String>,
) -> Result<StaffPage, AppError> {
    let (org, _) = organisation(state, auth, id, false).await?;
    let session = own_session(state, &org, session_id).await?;
    let can_run = auth.require(Action::RunDelivery(id)).is_ok();
    let rows = wf_credentials::issued_in(&state.workflow, session_id)
        .await?
        .into_iter()
        .map(|c| {
            let changes = match c.stored.status {
                CredentialStatus::Active => vec![
                    ("suspend", page.t("一時停止する", "Suspend").to_owned()),
                    ("revoke", page.t("取り消す", "Revoke").to_owned()),
                ],
                CredentialStatus::Suspended => vec![
                    (
                        "reinstate",
                        page.t("一時停止を解除する", "Reinstate").to_owned(),
                    ),
                    ("revoke", page.t("取り消す", "Revoke").to_owned()),
                ],
                CredentialStatus::Revoked => Vec::new(),
            };
            StaffRow {
                name: c.claims.learner_name.clone(),
                issued: view::date_time(page.lang, c.stored.issued_at),
                hours: hours(&page, c.claims.hours_earned),
                status: status_label(&page, c.stored.status),
                status_code: c.stored.status.code(),
                reason: c.stored.status_reason.clone().unwrap_or_default(),
                id: c.stored.id,
                changes,
            }
        })
        .collect();
    let notice = match done {
        "suspended" => Some(page.t(
            "一時停止しました。受講者にメールで知らせました。",
            "Suspended; the learner was told by mail.",
        )),
        "active" => Some(page.t(
            "一時停止を解除しました。受講者にメールで知らせました。",
            "Reinstated; the learner was told by mail.",
        )),
        "revoked" => Some(page.t(
            "取り消しました。受講者にメールで知らせました。",
            "Revoked; the learner was told by mail.",
        )),
        _ => None,
    }
    .map(str::to_owned);
    Ok(StaffPage {
        title: session.title().to_owned(),
        base: base(&org.id, session_id),
        rows,
        can_run,
        notice,
        errors,
        page,
    })
}

/// `GET /organisations/{id}/sessions/{session}/credentials`.
pub async fn staff_list(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let p = staff_page(&state, page, &auth, &id, &session_id, &q.done, Vec::new()).await?;
    rendered(StatusCode::OK, p)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    change: String,
    expected: String,
    reason: String,
}

/// `POST /organisations/{id}/sessions/{session}/credentials/{credential}/status`.
pub async fn change_status(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, credential)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    own_session(&state, &org, &session_id).await?;
    let form: StatusForm = parse(&body)?;
    let issued = wf_credentials::issued(&state.workflow, &credential).await?;
    if issued.stored.session_id != session_id {
        return Err(AppError::NotFound);
    }
    let change = StatusChange::from_code(&form.change).ok_or_else(|| {
        AppError::Invalid(
            ValidationError::new(
                "credential.change",
                "一時停止・解除・取消しのいずれかを選んでください。",
                "Choose suspend, reinstate or revoke.",
            )
            .for_field("change"),
        )
    })?;
    let expected = CredentialStatus::parse(&form.expected)
        .ok_or(AppError::Conflict(koshu_store::Conflict::CredentialChanged))?;
    match wf_credentials::change_status(
        &state.workflow,
        &credential,
        change,
        expected,
        &form.reason,
        &actor,
    )
    .await
    {
        Ok(()) => {
            let done = match change {
                StatusChange::Suspend => "suspended",
                StatusChange::Reinstate => "active",
                StatusChange::Revoke => "revoked",
            };
            Ok(Redirect::to(&page.href(&format!(
                "{}/credentials?done={done}",
                base(&org.id, &session_id)
            )))
            .into_response())
        }
        Err(koshu_workflow::WorkflowError::Invalid(e)) => {
            let message = page.t(&e.message_ja, &e.message_en).to_owned();
            let p = staff_page(&state, page, &auth, &id, &session_id, "", vec![message]).await?;
            rendered(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(e) => Err(e.into()),
    }
}
