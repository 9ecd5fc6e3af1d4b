//! The one error type of the API: a status, a stable code and a safe message. Internal causes are
//! logged here and never reach the response.

use crate::store::StoreError;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tessera_core::api::{ErrorBody, ErrorCode, FieldError};

/// An error answered as `{ "error": code, "message": ... }`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after_secs: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "Not found.")
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "Please sign in.",
        )
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        Self {
            fields,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::Validation,
                "Some fields need attention.",
            )
        }
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "Too many attempts. Please wait and try again.",
            )
        }
    }

    /// Password hashing is at capacity (see [`crate::auth::password`]).
    pub fn busy() -> Self {
        Self {
            retry_after_secs: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServerBusy,
                "We are busy right now. Please try again in a moment.",
            )
        }
    }

    /// The body is larger than [`crate::BODY_LIMIT_BYTES`].
    pub fn body_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BodyTooLarge,
            "The request body is too large.",
        )
    }

    /// The request (its body) did not arrive within the server's time.
    pub fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::RequestTimeout,
            "The request took too long to arrive. Please try again.",
        )
    }

    /// A failure whose cause is for the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Something went wrong on our side. Please try again.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::internal(format!("storage: {e}"))
    }
}

impl From<crate::auth::password::Busy> for ApiError {
    fn from(_: crate::auth::password::Busy) -> Self {
        Self::busy()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send the body as application/json.",
            ),
            JsonRejection::BytesRejection(rejection) => rejection.into(),
            // Parsed into a JSON value, only the syntax can be wrong.
            _ => Self::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedJson,
                "The request body is not valid JSON.",
            ),
        }
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::body_too_large();
        }
        // tower-http's body timeout ends the body with its error; anything else is a client
        // that went away mid-body.
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&rejection);
        while let Some(e) = cause {
            if e.is::<tower_http::timeout::TimeoutError>() {
                return Self::request_timeout();
            }
            cause = e.source();
        }
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            "The request body could not be read.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code,
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

pub type ApiResult<T> = Result<T, ApiError>;
