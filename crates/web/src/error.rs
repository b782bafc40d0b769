//! The application's one error type. Each variant has a stable code and a status; the
//! `render_errors` middleware turns it into an HTML page or a JSON body (once each), in the
//! request's language. Internal causes are logged with the request id and never shown.

use crate::lang::Lang;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use koshu_domain::ValidationError;
use koshu_store::{Conflict, StoreError};
use koshu_workflow::WorkflowError;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input breaks a rule; names the field and the rule.
    #[error("invalid input: {0}")]
    Invalid(ValidationError),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Nobody is signed in; pages answer with a redirect to sign-in.
    #[error("sign-in required")]
    SignInRequired,
    #[error("e-mail address not verified")]
    EmailNotVerified,
    /// The role needs a second factor that is not set up; pages redirect to its set-up.
    #[error("second factor required")]
    SecondFactorRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("cross-site request")]
    CrossSite,
    #[error("CSRF token missing or wrong")]
    CsrfTokenMismatch,
    #[error("request body too large")]
    PayloadTooLarge,
    /// The data changed while the person was looking at it (someone else acted first).
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// Too many attempts; try again after this many minutes.
    #[error("rate limited")]
    RateLimited { minutes: i64 },
    /// Several rules broken at once (an API body): the first is the error, all are listed.
    #[error("invalid: {} problem(s)", .0.len())]
    Rules(Vec<ValidationError>),
    /// The API needs a live token (`Authorization: Bearer …`): none, unknown, revoked or expired.
    #[error("no valid API token")]
    TokenRequired,
    /// The LRS needs a live LRS credential as HTTP Basic auth: none, unknown, revoked or expired.
    #[error("no valid LRS credential")]
    LrsCredentialsRequired,
    /// A write sent without `If-Match`, which the API requires to protect concurrent edits.
    #[error("If-Match required")]
    PreconditionRequired,
    /// `If-Match` names a revision that is no longer current.
    #[error("If-Match does not match")]
    PreconditionFailed,
    /// The first request with this `Idempotency-Key` is still being answered.
    #[error("idempotency key in use")]
    IdempotencyKeyInProgress,
    /// This `Idempotency-Key` was sent before with another request.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What a client sees of an error.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ErrorBody {
    pub code: String,
    pub message_ja: String,
    pub message_en: String,
    pub field: Option<String>,
    pub request_id: Option<String>,
    /// Every problem, when there are several (`Rules`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemBody>,
}

/// One of several problems.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProblemBody {
    pub code: String,
    pub message_ja: String,
    pub message_en: String,
    pub field: Option<String>,
}

impl AppError {
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(e))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) | Self::Rules(_) => StatusCode::BAD_REQUEST,
            Self::TokenRequired | Self::LrsCredentialsRequired => StatusCode::UNAUTHORIZED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::IdempotencyKeyInProgress => StatusCode::CONFLICT,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::SignInRequired => StatusCode::UNAUTHORIZED,
            Self::EmailNotVerified
            | Self::SecondFactorRequired
            | Self::Forbidden
            | Self::CrossSite
            | Self::CsrfTokenMismatch => StatusCode::FORBIDDEN,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self, request_id: Option<String>) -> ErrorBody {
        let (code, ja, en, field): (&str, String, String, Option<String>) = match self {
            Self::Invalid(e) => (e.code, e.message_ja.clone(), e.message_en.clone(), e.field.clone()),
            Self::Rules(all) => match all.first() {
                Some(e) => (e.code, e.message_ja.clone(), e.message_en.clone(), e.field.clone()),
                None => ("invalid", "入力内容に誤りがあります。".into(), "There is a problem with the input.".into(), None),
            },
            Self::TokenRequired => (
                "auth.token",
                "有効な API トークンが必要です（Authorization: Bearer …）。トークンがない、失効した、または期限切れです。".into(),
                "A valid API token is needed (Authorization: Bearer …): it is missing, revoked or expired.".into(),
                None,
            ),
            Self::LrsCredentialsRequired => (
                "auth.lrs",
                "LRS の認証情報（Basic 認証：ユーザー名にキー、パスワードに秘密の値）が必要です。ない、失効した、または期限切れです。".into(),
                "LRS credentials are needed (Basic auth: the key as user name, the secret as password): they are missing, revoked or expired.".into(),
                None,
            ),
            Self::PreconditionRequired => (
                "precondition.required",
                "変更には If-Match ヘッダー（取得したときの ETag）が必要です。".into(),
                "A change needs an If-Match header with the ETag you read.".into(),
                Some("If-Match".to_owned()),
            ),
            Self::PreconditionFailed => (
                "precondition.failed",
                "取得した後に別の変更が保存されています。最新の内容を取得し直してから変更してください。何も変更していません。".into(),
                "It was changed after you read it. Read it again, then make your change. Nothing was changed.".into(),
                Some("If-Match".to_owned()),
            ),
            Self::IdempotencyKeyInProgress => (
                "idempotency.in_progress",
                "同じ Idempotency-Key の要求を処理中です。少し待ってからもう一度送ってください。".into(),
                "A request with this Idempotency-Key is still being answered. Send it again shortly.".into(),
                Some("Idempotency-Key".to_owned()),
            ),
            Self::IdempotencyKeyReused => (
                "idempotency.reused",
                "この Idempotency-Key は別の要求に使われています。要求ごとに新しいキーを使ってください。".into(),
                "This Idempotency-Key was used for another request. Use a new key for each request.".into(),
                Some("Idempotency-Key".to_owned()),
            ),
            Self::NotFound => (
                "not_found",
                "お探しのページは見つかりませんでした。URLをご確認いただくか、トップページからお探しください。".into(),
                "The page you are looking for was not found. Please check the URL or start from the home page.".into(),
                None,
            ),
            Self::MethodNotAllowed => (
                "method_not_allowed",
                "このURLはその操作を受け付けません。".into(),
                "This URL does not accept that method.".into(),
                None,
            ),
            Self::SignInRequired => (
                "auth.sign_in_required",
                "このページを見るにはログインしてください。".into(),
                "Please sign in to see this page.".into(),
                None,
            ),
            Self::EmailNotVerified => (
                "auth.email_not_verified",
                "メールアドレスの確認が済んでいません。登録時にお送りしたメールのリンクを開いてください。".into(),
                "Your e-mail address is not verified yet. Please open the link in the mail we sent when you signed up.".into(),
                None,
            ),
            Self::SecondFactorRequired => (
                "auth.second_factor_required",
                "この操作には二要素認証の設定が必要です。アカウントページで設定してください。".into(),
                "This needs two-factor authentication. Please set it up on your account page.".into(),
                None,
            ),
            Self::Forbidden => (
                "auth.forbidden",
                "このページを見る権限がありません。所属する組織や役割をご確認ください。".into(),
                "You do not have permission to see this page. Please check your organisation and role.".into(),
                None,
            ),
            Self::CrossSite => (
                "csrf.cross_site",
                "他のサイトから送られた操作は受け付けません。Koshu のページから操作してください。".into(),
                "Requests sent from another site are refused. Please use Koshu's own pages.".into(),
                None,
            ),
            Self::CsrfTokenMismatch => (
                "csrf.token",
                "フォームの有効期限が切れたか、正しく送信されませんでした。ページを再読み込みしてもう一度送信してください。".into(),
                "The form expired or was not sent correctly. Please reload the page and send it again.".into(),
                Some("csrf".to_owned()),
            ),
            Self::PayloadTooLarge => (
                "request.too_large",
                "送信された内容が大きすぎます。".into(),
                "What was sent is too large.".into(),
                None,
            ),
            Self::Conflict(c) => (
                "conflict",
                format!("{}ページを再読み込みして最新の内容を確認してから、もう一度操作してください。何も変更していません。", conflict_ja(*c)),
                format!("{} Reload the page to see the latest state, then try again. Nothing was changed.", conflict_en(*c)),
                None,
            ),
            Self::RateLimited { minutes } => (
                "auth.rate_limited",
                format!("試行回数が多すぎるため、一時的に受け付けを停止しています。{minutes}分ほど待ってから、もう一度お試しください。"),
                format!("Too many attempts. Please wait about {minutes} minutes and try again."),
                None,
            ),
            Self::Internal(_) => (
                "internal",
                "システム内部でエラーが発生しました。時間をおいて再度お試しください。お問い合わせの際は下記の受付番号をお伝えください。".into(),
                "Something went wrong on our side. Please try again later. If you contact us, quote the reference below.".into(),
                None,
            ),
        };
        let errors = match self {
            Self::Rules(all) if all.len() > 1 => all
                .iter()
                .map(|e| ProblemBody {
                    code: e.code.to_owned(),
                    message_ja: e.message_ja.clone(),
                    message_en: e.message_en.clone(),
                    field: e.field.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        ErrorBody {
            code: code.to_owned(),
            message_ja: ja,
            message_en: en,
            field,
            request_id,
            errors,
        }
    }

    pub fn title(&self, lang: Lang) -> &'static str {
        match self {
            Self::Invalid(_) | Self::Rules(_) => lang.pick(
                "入力内容に誤りがあります",
                "There is a problem with the input",
            ),
            Self::TokenRequired => lang.pick("API トークンが必要です", "API token required"),
            Self::LrsCredentialsRequired => {
                lang.pick("LRS の認証情報が必要です", "LRS credentials required")
            }
            Self::PreconditionRequired | Self::PreconditionFailed => lang.pick(
                "ほかの変更と重なりました",
                "Someone else changed this first",
            ),
            Self::IdempotencyKeyInProgress | Self::IdempotencyKeyReused => {
                lang.pick("要求を受け付けられません", "The request cannot be taken")
            }
            Self::NotFound => lang.pick("ページが見つかりません", "Page not found"),
            Self::MethodNotAllowed => lang.pick("この操作はできません", "Method not allowed"),
            Self::SignInRequired => lang.pick("ログインが必要です", "Sign-in required"),
            Self::EmailNotVerified => lang.pick(
                "メールアドレスの確認が必要です",
                "E-mail address not verified",
            ),
            Self::SecondFactorRequired => {
                lang.pick("二要素認証が必要です", "Two-factor authentication required")
            }
            Self::Forbidden | Self::CrossSite | Self::CsrfTokenMismatch => {
                lang.pick("この操作はできません", "Not allowed")
            }
            Self::PayloadTooLarge => lang.pick("送信内容が大きすぎます", "Too large"),
            Self::Conflict(Conflict::AlreadyAnswered) => {
                lang.pick("回答済みです", "Already answered")
            }
            Self::Conflict(_) => lang.pick(
                "ほかの操作と重なりました",
                "Someone else changed this first",
            ),
            Self::RateLimited { .. } => lang.pick("しばらくお待ちください", "Please wait a while"),
            Self::Internal(_) => lang.pick("エラーが発生しました", "Something went wrong"),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        Self::Invalid(e)
    }
}

fn conflict_ja(c: Conflict) -> &'static str {
    match c {
        Conflict::StatusChanged => {
            "この申請の状態は、あなたが画面を開いた後に他の操作で変わりました。"
        }
        Conflict::AlreadyDeclared => "この申告はすでに行われています。",
        Conflict::CorporateNumberTaken => "この法人番号の組織はすでに登録されています。",
        Conflict::PasskeyTaken => "このパスキーはすでに登録されています。",
        Conflict::LastOwner => {
            "組織には管理者が1人以上必要です。先に別の担当者を管理者にしてください。"
        }
        Conflict::RevisionChanged => {
            "この講座は、あなたが画面を開いた後に別の人（または別の画面）が保存しました。"
        }
        Conflict::AlreadySealed => "この日の出欠はすでに確定（封印）されています。",
        Conflict::AlreadyEnrolled => "この回にはすでに申し込んでいます。",
        Conflict::AlreadyHidden => "この投稿はすでに非表示になっています。",
        Conflict::CredentialChanged => {
            "この修了証の状態は、画面を開いた後に変わりました（取消し済みの修了証は変更できません）。"
        }
        Conflict::AlreadyDecided => {
            "この受講者の修了判定はすでに確定しています。変更するには、理由を付けて訂正してください。"
        }
        Conflict::DecisionChanged => {
            "この受講者の修了判定は、あなたが画面を開いた後に別の操作で訂正されました。"
        }
        Conflict::AlreadyAnswered => {
            "この修了アンケートには回答済みです。回答は1人1回までで、送った回答は変更できません。"
        }
        Conflict::SurveyLocked => {
            "このアンケートにはすでに回答が届いているため、項目は変更できません（変えると集計が合わなくなります）。"
        }
        Conflict::SurveyChanged => "アンケートの項目は、あなたが画面を開いた後に変更されました。",
        Conflict::StatementIdTaken => {
            "この id のステートメントは別の内容ですでに記録されています。記録したステートメントは変更できません。"
        }
        Conflict::DocumentExists => {
            "この文書はすでにあります。置き換えるには If-Match（または新規なら If-None-Match: *）を付けてください。"
        }
    }
}

fn conflict_en(c: Conflict) -> &'static str {
    match c {
        Conflict::StatusChanged => "This application's status changed after you opened the page.",
        Conflict::AlreadyDeclared => "The declaration has been made already.",
        Conflict::CorporateNumberTaken => {
            "An organisation with this corporate number is registered already."
        }
        Conflict::PasskeyTaken => "This passkey is registered already.",
        Conflict::LastOwner => {
            "An organisation needs at least one owner: make another member an owner first."
        }
        Conflict::RevisionChanged => {
            "Someone else (or another page) saved this programme after you opened it."
        }
        Conflict::AlreadySealed => "This day's attendance has been sealed already.",
        Conflict::AlreadyEnrolled => "You have applied for this session already.",
        Conflict::AlreadyHidden => "This post is hidden already.",
        Conflict::CredentialChanged => {
            "This certificate's status changed after you opened the page (a revoked certificate cannot change)."
        }
        Conflict::AlreadyDecided => {
            "This learner's completion is decided already: to change it, correct it with a reason."
        }
        Conflict::DecisionChanged => {
            "This learner's completion decision was corrected after you opened the page."
        }
        Conflict::AlreadyAnswered => {
            "You have answered this end-of-course survey already: one answer each, and an answer sent cannot be changed."
        }
        Conflict::SurveyLocked => {
            "Answers to this survey have arrived, so its items can no longer change (the counts would no longer add up)."
        }
        Conflict::SurveyChanged => "The survey's items changed after you opened the page.",
        Conflict::StatementIdTaken => {
            "A different statement is recorded under this id already; recorded statements cannot change."
        }
        Conflict::DocumentExists => {
            "This document exists already: send If-Match to replace it (or If-None-Match: * to create one only when there is none)."
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(c) => Self::Conflict(c),
            other => Self::internal(other),
        }
    }
}

impl From<WorkflowError> for AppError {
    fn from(e: WorkflowError) -> Self {
        match e {
            WorkflowError::Invalid(v) => Self::Invalid(v),
            WorkflowError::NotFound => Self::NotFound,
            WorkflowError::Conflict(c) => Self::Conflict(c),
            WorkflowError::PreconditionFailed => Self::PreconditionFailed,
            WorkflowError::Store(s) => s.into(),
            corrupt @ WorkflowError::Corrupt(_) => Self::internal(corrupt),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::internal(e)
    }
}

/// Carried in the response's extensions until `render_errors` gives it a body.
#[derive(Debug, Clone)]
pub struct PendingError(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
        if matches!(self, Self::LrsCredentialsRequired) {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Basic realm=\"koshu-lrs\""),
            );
        }
        if matches!(self, Self::TokenRequired) {
            // RFC 6750: say which scheme the API takes.
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"koshu\""),
            );
        }
        res.extensions_mut().insert(PendingError(Arc::new(self)));
        res
    }
}
