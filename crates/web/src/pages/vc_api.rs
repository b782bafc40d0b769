//! The W3C VC-API (issue 17 item 6; D06), for other systems and the W3C test suites
//! (vc-data-model-2.0, vc-di-eddsa, vc-bitstring-status-list):
//!
//! - `POST /credentials/issue`: `{"credential", "options"}` signed with `eddsa-rdfc-2022` by the
//!   organisation of the API token (write scope) — as its `did:web`, or with
//!   `options.issuer = "did:key"` (or a `did:key` issuer named) as the `did:key` of the same key;
//!   201 `{"verifiableCredential"}`.
//! - `POST /credentials/verify`: `{"verifiableCredential"}` for anyone, as the verification page
//!   checks it: 200 when verified, 400 with the same result otherwise (the test suites expect a
//!   4xx for a credential that fails), Koshu's verdict and the claims beside `checks`/`errors`.
//! - `POST /presentations/verify`: `{"verifiablePresentation", "options": {challenge, domain}}`:
//!   its proof (`authentication`, bound to the challenge and domain) and each credential.
//!
//! Bodies that are not what the document says are 400s naming the field, never 500s. Errors are
//! JSON (`dto::Error`) on these paths, as under `/api/`.

use crate::AppState;
use crate::api::dto;
use crate::api::providers::{actor, json_body, token_for};
use crate::error::AppError;
use crate::routes::Routes;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use koshu_credentials::verify::{SignatureCheck, StatusCheck, Validity, Verdict};
use koshu_domain::ValidationError;
use koshu_domain::access::policy::TokenScope;
use koshu_workflow::vc_api::{self, Identity, PresentationVerdict};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub const ISSUE: &str = "/credentials/issue";
pub const VERIFY_CREDENTIAL: &str = "/credentials/verify";
pub const VERIFY_PRESENTATION: &str = "/presentations/verify";

/// Whether `path` is one of these endpoints: their errors are JSON, whatever `Accept` says.
pub fn is_vc_api(path: &str) -> bool {
    [ISSUE, VERIFY_CREDENTIAL, VERIFY_PRESENTATION].contains(&path)
}

pub fn routes() -> Routes {
    Routes::new()
        .token_write("POST", ISSUE, post(issue))
        .open_post(VERIFY_CREDENTIAL, verify_credential)
        .open_post(VERIFY_PRESENTATION, verify_presentation)
}

/// The body's `name`: a JSON object, required or not; a 400 naming it otherwise.
fn object<'a>(
    body: &'a Value,
    name: &str,
    required: bool,
) -> Result<Option<&'a Map<String, Value>>, AppError> {
    match body.get(name) {
        Some(Value::Object(o)) => Ok(Some(o)),
        None if !required => Ok(None),
        _ => Err(AppError::Invalid(
            ValidationError::new(
                "vc_api.body",
                format!("{name} は JSON のオブジェクトで送ってください。"),
                format!("{name} is a JSON object."),
            )
            .for_field(name),
        )),
    }
}

fn body_object(bytes: &[u8]) -> Result<Value, AppError> {
    let body: Value = json_body(bytes)?;
    if body.is_object() {
        Ok(body)
    } else {
        Err(AppError::Invalid(ValidationError::new(
            "body.format",
            "本文は JSON のオブジェクトで送ってください。",
            "The body is a JSON object.",
        )))
    }
}

/// What `/credentials/issue` takes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueRequest {
    /// The credential to sign (VC Data Model 2.0, without a proof). `issuer` may be left out:
    /// it is filled in; when given it must be the identifier that signs.
    #[schema(value_type = Object)]
    pub credential: Value,
    pub options: Option<IssueOptions>,
}

/// Options of an issue request; others are ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueOptions {
    /// `did:web` (the default: the organisation's DID document on this site) or `did:key`
    /// (the same key as a `did:key`, resolvable without this site, for the W3C test suites).
    #[schema(pattern = "^did:(web|key)$")]
    pub issuer: Option<String>,
}

/// The body as `T`, once its members were checked by name: what is left wrong is in `options`.
fn request<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, AppError> {
    serde_json::from_value(body).map_err(|e| {
        AppError::Invalid(
            ValidationError::new(
                "vc_api.option",
                format!("options を読み取れません：{e}"),
                format!("options cannot be read: {e}"),
            )
            .for_field("options"),
        )
    })
}

/// The signed credential.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueResponse {
    #[schema(value_type = Object)]
    verifiable_credential: Value,
}

/// Issue a credential
///
/// Signs the credential as the API token's organisation (a write token), with the
/// `eddsa-rdfc-2022` cryptosuite; each signature is in the audit log. Contexts are Koshu's
/// local copies (VC 2.0, Open Badges 3.0, the W3C examples): any other is refused.
#[utoipa::path(
    post,
    path = "/credentials/issue",
    tag = "vc-api",
    extensions(
        ("x-summary-ja" = json!("資格情報に署名する")),
        ("x-description-ja" = json!("API トークン（書込み）の組織として、credential に eddsa-rdfc-2022 で署名します。署名は監査ログに残ります。JSON-LD のコンテキストは Koshu が持つ写し（VC 2.0、Open Badges 3.0、W3C の examples）に限ります。"))
    ),
    request_body = IssueRequest,
    security(("token" = [])),
    responses(
        (status = 201, description = "Signed", body = IssueResponse),
        (status = 400, description = "The credential breaks a rule of the data model; `field` names it (`credential.validFrom`, …)", body = dto::Error),
        (status = 401, description = "No valid token", body = dto::Error),
        (status = 403, description = "A read token", body = dto::Error),
        (status = 429, description = "Too many requests with this token", body = dto::Error),
    )
)]
pub async fn issue(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let token = token_for(&state, &headers, None, TokenScope::Write).await?;
    let body = body_object(&body)?;
    object(&body, "credential", true)?;
    object(&body, "options", false)?;
    let req: IssueRequest = request(body)?;
    let option = req.options.as_ref().and_then(|o| o.issuer.as_deref());
    let identity = Identity::choose(option, &req.credential).map_err(AppError::Invalid)?;
    let signed = vc_api::issue(
        &state.workflow,
        &token.organisation_id,
        &req.credential,
        identity,
        &actor(&token),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssueResponse {
            verifiable_credential: signed,
        }),
    )
        .into_response())
}

/// A problem found while verifying.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationProblem {
    /// `proof`, `credentialStatus` or `validity`.
    check: String,
    /// `invalid_signature`, `revoked`, `suspended`, `status_unavailable`, `expired`,
    /// `not_yet_valid`.
    code: String,
    message_ja: String,
    message_en: String,
}

/// Koshu's verdict, as the verification page gives it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictBody {
    /// `verified`, `invalid_signature`, `revoked`, `suspended`, `status_unavailable`,
    /// `expired` or `not_yet_valid` (most serious first).
    code: String,
    label_ja: String,
    label_en: String,
}

/// The result of verifying a credential.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationResult {
    verified: bool,
    /// The checks made: `proof`, `credentialStatus` (when it has one), `validity`.
    checks: Vec<String>,
    warnings: Vec<VerificationProblem>,
    errors: Vec<VerificationProblem>,
    verdict: VerdictBody,
    /// What a Koshu completion credential says (learner, course, hours, dates, designation),
    /// as issued; null for a credential of another shape.
    #[schema(value_type = Option<Object>)]
    claims: Option<Value>,
}

fn problem(check: &str, code: &str, ja: String, en: String) -> VerificationProblem {
    VerificationProblem {
        check: check.to_owned(),
        code: code.to_owned(),
        message_ja: ja,
        message_en: en,
    }
}

impl VerificationResult {
    fn of(v: &Verdict) -> Self {
        let mut checks = vec!["proof".to_owned()];
        let mut errors = Vec::new();
        if let SignatureCheck::Invalid { reason } = &v.signature {
            errors.push(problem(
                "proof",
                "invalid_signature",
                format!("署名を確認できません：{reason}"),
                format!("The proof does not verify: {reason}"),
            ));
        }
        match &v.status {
            StatusCheck::NoStatus => {}
            StatusCheck::Known(s) => {
                checks.push("credentialStatus".to_owned());
                if s.code() != "active" {
                    errors.push(problem(
                        "credentialStatus",
                        s.code(),
                        format!("発行者が{}にしています。", s.label_ja()),
                        format!("The issuer has set it {}.", s.label_en().to_lowercase()),
                    ));
                }
            }
            StatusCheck::Unavailable { reason } => {
                checks.push("credentialStatus".to_owned());
                errors.push(problem(
                    "credentialStatus",
                    "status_unavailable",
                    format!("状態を確認できません：{reason}"),
                    format!("The status cannot be checked: {reason}"),
                ));
            }
        }
        checks.push("validity".to_owned());
        match v.validity {
            Validity::Valid => {}
            Validity::Expired => errors.push(problem(
                "validity",
                "expired",
                "有効期限（validUntil）を過ぎています。".to_owned(),
                "It is past its validUntil.".to_owned(),
            )),
            Validity::NotYetValid => errors.push(problem(
                "validity",
                "not_yet_valid",
                "有効期間の開始（validFrom）前です。".to_owned(),
                "It is before its validFrom.".to_owned(),
            )),
        }
        Self {
            verified: v.verified(),
            checks,
            warnings: Vec::new(),
            errors,
            verdict: VerdictBody {
                code: v.code().to_owned(),
                label_ja: v.label_ja().to_owned(),
                label_en: v.label_en().to_owned(),
            },
            claims: v.claims.as_ref().and_then(|c| serde_json::to_value(c).ok()),
        }
    }
}

/// 200 when verified, 400 otherwise: the body is the result either way.
fn answer(verified: bool, body: impl Serialize) -> Response {
    let status = if verified {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (status, Json(body)).into_response()
}

/// What `/credentials/verify` takes. No `options` apply to a credential: an object given is
/// ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyCredentialRequest {
    /// A signed credential.
    #[schema(value_type = Object)]
    pub verifiable_credential: Value,
}

/// A 400 from a verification: the result of a credential that does not verify, or the error
/// of a body that is not a request.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "documents the 400 body")]
pub enum VerifyFailure {
    NotVerified(VerificationResult),
    BadRequest(dto::Error),
}

/// Verify a credential
///
/// Anyone may ask; nothing is fetched: the issuer is a `did:key`, or an organisation of this
/// site; the status is read from this site's signed lists. 200 when verified; 400 with the same
/// result when not (signature, status or validity), or with an `Error` when the body is not a
/// request.
#[utoipa::path(
    post,
    path = "/credentials/verify",
    tag = "vc-api",
    extensions(
        ("x-summary-ja" = json!("資格情報を検証する")),
        ("x-description-ja" = json!("誰でも使えます。外部から何も取得しません（発行者は did:key か、このサイトの組織。状態はこのサイトの署名済みリストから）。検証できれば 200、署名・状態・有効期間のいずれかで検証できなければ同じ形の結果で 400、本文が要求の形でなければ Error で 400 を返します。"))
    ),
    request_body = VerifyCredentialRequest,
    responses(
        (status = 200, description = "Verified", body = VerificationResult),
        (status = 400, description = "Not verified (the result says why), or not a request (an Error naming the field)", body = VerifyFailure),
    )
)]
pub async fn verify_credential(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, AppError> {
    let body = body_object(&body)?;
    object(&body, "verifiableCredential", true)?;
    object(&body, "options", false)?;
    let req: VerifyCredentialRequest = request(body)?;
    let verdict = vc_api::verify_credential(&state.workflow, &req.verifiable_credential).await?;
    let result = VerificationResult::of(&verdict);
    Ok(answer(result.verified, result))
}

/// What `/presentations/verify` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyPresentationRequest {
    /// A presentation: `type` VerifiablePresentation, its credentials in
    /// `verifiableCredential`, optionally a proof (`authentication`).
    #[schema(value_type = Object)]
    pub verifiable_presentation: Value,
    pub options: Option<PresentationOptions>,
}

/// What the verifier asked the holder to sign; other options are ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PresentationOptions {
    /// The proof must carry this challenge (a signed presentation is then required).
    pub challenge: Option<String>,
    /// The proof must carry this domain.
    pub domain: Option<String>,
}

/// The result of verifying a presentation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresentationResult {
    verified: bool,
    /// `proof` when the presentation's own proof was checked.
    checks: Vec<String>,
    warnings: Vec<VerificationProblem>,
    /// The presentation's own problems (each credential's are in its result).
    errors: Vec<VerificationProblem>,
    credential_results: Vec<VerificationResult>,
}

impl PresentationResult {
    fn of(v: &PresentationVerdict) -> Self {
        let mut checks = Vec::new();
        let mut errors = Vec::new();
        if let Some(proof) = &v.proof {
            checks.push("proof".to_owned());
            if let SignatureCheck::Invalid { reason } = proof {
                errors.push(problem(
                    "proof",
                    "invalid_signature",
                    format!("提示の署名を確認できません：{reason}"),
                    format!("The presentation's proof does not verify: {reason}"),
                ));
            }
        }
        Self {
            verified: v.verified(),
            checks,
            warnings: Vec::new(),
            errors,
            credential_results: v.credentials.iter().map(VerificationResult::of).collect(),
        }
    }
}

/// A 400 from a presentation's verification.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "documents the 400 body")]
pub enum PresentationFailure {
    NotVerified(PresentationResult),
    BadRequest(dto::Error),
}

/// Verify a presentation
///
/// Its own proof, when it has one (`authentication` by a `did:key`, the `holder`'s when it
/// names one; required, with this challenge, when `options.challenge` is given), and each
/// credential it carries, as `/credentials/verify` does. 200 when all verify.
#[utoipa::path(
    post,
    path = "/presentations/verify",
    tag = "vc-api",
    extensions(
        ("x-summary-ja" = json!("提示（プレゼンテーション）を検証する")),
        ("x-description-ja" = json!("提示そのものの署名（authentication。holder があればその鍵。options.challenge があれば、その challenge を含む署名が必要）と、含まれる各資格情報を /credentials/verify と同じく検証します。すべて検証できれば 200 を返します。"))
    ),
    request_body = VerifyPresentationRequest,
    responses(
        (status = 200, description = "Verified", body = PresentationResult),
        (status = 400, description = "Not verified (the result says why), or not a request (an Error naming the field)", body = PresentationFailure),
    )
)]
pub async fn verify_presentation(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, AppError> {
    let body = body_object(&body)?;
    object(&body, "verifiablePresentation", true)?;
    object(&body, "options", false)?;
    let req: VerifyPresentationRequest = request(body)?;
    let options = req.options.as_ref();
    let verdict = vc_api::verify_presentation(
        &state.workflow,
        &req.verifiable_presentation,
        options.and_then(|o| o.challenge.as_deref()),
        options.and_then(|o| o.domain.as_deref()),
    )
    .await?;
    let result = PresentationResult::of(&verdict);
    Ok(answer(result.verified, result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_these_paths_speak_json() {
        assert!(is_vc_api("/credentials/verify"));
        assert!(!is_vc_api("/credentials/verify/x"));
        assert!(!is_vc_api("/verify"));
    }

    #[test]
    fn a_body_names_the_member_that_is_not_an_object() {
        let body = json!({"verifiableCredential": "x"});
        let err = object(&body, "verifiableCredential", true).err();
        assert!(
            matches!(err, Some(AppError::Invalid(e)) if e.field.as_deref() == Some("verifiableCredential"))
        );
        assert!(matches!(object(&body, "options", false), Ok(None)));
        assert!(body_object(b"[1]").is_err());
        assert!(body_object(b"{").is_err());
    }
}
