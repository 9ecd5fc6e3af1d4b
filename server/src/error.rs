//! The one error type of the API: a status, a stable code and a safe message. Internal causes are
//! logged here and never reach the response.

use axum::extract::rejection::JsonRejection;
use axum::extract::FromRequest;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tessera_core::api::{error_code, ErrorBody, FieldError};

/// An error answered as `{ "error": code, "message": ... }`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after_secs: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, error_code::NOT_FOUND, "Not found.")
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            error_code::UNAUTHENTICATED,
            "Please sign in.",
        )
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        Self {
            fields,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                error_code::VALIDATION,
                "Some fields need attention.",
            )
        }
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                error_code::RATE_LIMITED,
                "Too many attempts. Please wait and try again.",
            )
        }
    }

    /// A failure whose cause is for the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_code::INTERNAL,
            "Something went wrong on our side. Please try again.",
        )
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self::internal(format!("database: {e}"))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // The rejection text can quote the body; it names fields and types only, never server state.
        let (status, code, message) = match &rejection {
            JsonRejection::JsonSyntaxError(_) => (
                StatusCode::BAD_REQUEST,
                error_code::MALFORMED_JSON,
                "The request body is not valid JSON.".to_owned(),
            ),
            JsonRejection::JsonDataError(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                error_code::INVALID_BODY,
                format!(
                    "The request body has a missing or wrong field: {}",
                    e.body_text()
                ),
            ),
            JsonRejection::MissingJsonContentType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                error_code::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as application/json.".to_owned(),
            ),
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => (
                StatusCode::PAYLOAD_TOO_LARGE,
                error_code::BODY_TOO_LARGE,
                "The request body is too large.".to_owned(),
            ),
            _ => (
                StatusCode::BAD_REQUEST,
                error_code::MALFORMED_JSON,
                "The request body could not be read.".to_owned(),
            ),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.to_owned(),
            message: self.message,
            fields: self.fields,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// `axum::Json` whose rejections are [`ApiError`]s, so bad bodies get the same JSON error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
