//! The application's one error type. Each variant has a stable code and a status; the
//! `render_errors` middleware turns it into an HTML page or a JSON body (once each), in the
//! request's language. Internal causes are logged with the request id and never shown.

use crate::lang::Lang;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use koshu_domain::ValidationError;
use koshu_store::StoreError;
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
}

impl AppError {
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(e))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self, request_id: Option<String>) -> ErrorBody {
        let (code, ja, en, field): (&str, String, String, Option<String>) = match self {
            Self::Invalid(e) => (e.code, e.message_ja.clone(), e.message_en.clone(), e.field.clone()),
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
            Self::Internal(_) => (
                "internal",
                "システム内部でエラーが発生しました。時間をおいて再度お試しください。お問い合わせの際は下記の受付番号をお伝えください。".into(),
                "Something went wrong on our side. Please try again later. If you contact us, quote the reference below.".into(),
                None,
            ),
        };
        ErrorBody {
            code: code.to_owned(),
            message_ja: ja,
            message_en: en,
            field,
            request_id,
        }
    }

    pub fn title(&self, lang: Lang) -> &'static str {
        match self {
            Self::Invalid(_) => lang.pick(
                "入力内容に誤りがあります",
                "There is a problem with the input",
            ),
            Self::NotFound => lang.pick("ページが見つかりません", "Page not found"),
            Self::MethodNotAllowed => lang.pick("この操作はできません", "Method not allowed"),
            Self::Internal(_) => lang.pick("エラーが発生しました", "Something went wrong"),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        Self::Invalid(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::internal(other),
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
        res.extensions_mut().insert(PendingError(Arc::new(self)));
        res
    }
}
