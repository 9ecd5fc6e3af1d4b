//! The one error type of the API: a stable code (which decides the status) and a safe message.
//! Internal causes are logged here and never reach the response.

use crate::store::StoreError;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tessera_core::api::{ErrorBody, ErrorCode, FieldError};

/// The HTTP status of every refusal with `code`: one place, so a response and the OpenAPI
/// document (`openapi::refusals`) cannot disagree.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::MalformedJson | ErrorCode::InvalidQuery | ErrorCode::IdempotencyKeyRequired => {
            StatusCode::BAD_REQUEST
        }
        ErrorCode::InvalidCredentials | ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::CardClosed
        | ErrorCode::TicketCannotSpend
        | ErrorCode::NotEligible
        | ErrorCode::VoucherNotYours
        | ErrorCode::VoucherWrongPartner
        | ErrorCode::ManagersOnly => StatusCode::FORBIDDEN,
        ErrorCode::NotFound | ErrorCode::CardUnknown | ErrorCode::MemberNotFound => {
            StatusCode::NOT_FOUND
        }
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        ErrorCode::EmailTaken
        | ErrorCode::CodeUsed
        | ErrorCode::MemberAmbiguous
        | ErrorCode::OutOfStock
        | ErrorCode::LimitReached
        | ErrorCode::NotYetAvailable
        | ErrorCode::NoLongerAvailable
        | ErrorCode::VoucherUsed
        | ErrorCode::VoucherExpired
        | ErrorCode::VoucherCancelled
        | ErrorCode::AlreadyMember
        | ErrorCode::NotAMember
        | ErrorCode::MembershipLapsed
        | ErrorCode::ApplicationPending
        | ErrorCode::ApplicationDecided
        | ErrorCode::InvitationUsed
        | ErrorCode::InvitationExpired
        | ErrorCode::InvitationsUsedUp => StatusCode::CONFLICT,
        ErrorCode::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::InvalidBody
        | ErrorCode::Validation
        | ErrorCode::CodeMalformed
        | ErrorCode::CodeStale
        | ErrorCode::CodeInvalid
        | ErrorCode::TicketInvalid
        | ErrorCode::InsufficientPoints
        | ErrorCode::PointsNotAccepted
        | ErrorCode::TermsNotAccepted
        | ErrorCode::ResetLinkInvalid
        | ErrorCode::VoucherUnknown
        | ErrorCode::InvitationInvalid
        | ErrorCode::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::RateLimited | ErrorCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        // `Unknown` is the wallet's reading of a newer code; this server never sends it.
        ErrorCode::Internal | ErrorCode::Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::ServerBusy => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// An error answered as `{ "error": code, "message": ... }` with the code's status.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after_secs: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "Not found.")
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "Please sign in.")
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        Self {
            fields,
            ..Self::new(ErrorCode::Validation, "Some fields need attention.")
        }
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(
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
                ErrorCode::ServerBusy,
                "We are busy right now. Please try again in a moment.",
            )
        }
    }

    /// The body is larger than [`crate::BODY_LIMIT_BYTES`].
    pub fn body_too_large() -> Self {
        Self::new(ErrorCode::BodyTooLarge, "The request body is too large.")
    }

    /// The request (its body) did not arrive within the server's time.
    pub fn request_timeout() -> Self {
        Self::new(
            ErrorCode::RequestTimeout,
            "The request took too long to arrive. Please try again.",
        )
    }

    /// A failure whose cause is for the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
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
                ErrorCode::UnsupportedMediaType,
                "Send the body as application/json.",
            ),
            JsonRejection::BytesRejection(rejection) => rejection.into(),
            // Parsed into a JSON value, only the syntax can be wrong.
            _ => Self::new(
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
        let mut response = (status_of(self.code), axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
