//! The refusals an endpoint documents, declared as sets of error codes: the sets several endpoints
//! share are here, once; an endpoint's own codes sit by its handler. Each status gets one response
//! naming its codes, the status taken from [`crate::error::status_of`], as the answers do.

use crate::error::status_of;
use axum::http::StatusCode;
use std::collections::BTreeMap;
use tessera_core::api::{ErrorBody, ErrorCode};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder, Type,
};
use utoipa::ToSchema;

/// Declares a type for `responses(...)` of `#[utoipa::path]` that documents the refusals with the
/// codes of the given sets (`&[ErrorCode]`s, which may overlap).
macro_rules! refusals {
    ($(#[$attr:meta])* $vis:vis $name:ident = $($set:expr),+ $(,)?) => {
        $(#[$attr])*
        $vis struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<
                String,
                utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
            > {
                $crate::openapi::refusals::responses(&[$($set),+])
            }
        }
    };
}
pub(crate) use refusals;

/// Any endpoint that needs a session, a customer's or a till's.
pub const SIGNED_IN: &[ErrorCode] = &[ErrorCode::Unauthenticated];

/// Any endpoint with a JSON body (`crate::extract::ApiJson`): `validation` names a field with
/// forbidden characters, besides the endpoint's own checks.
pub const JSON_BODY: &[ErrorCode] = &[
    ErrorCode::MalformedJson,
    ErrorCode::InvalidBody,
    ErrorCode::UnsupportedMediaType,
    ErrorCode::BodyTooLarge,
    ErrorCode::RequestTimeout,
    ErrorCode::Validation,
];

/// Any endpoint that hashes a password: its attempt limits and the hashing queue being full.
pub const PASSWORD_HASHING: &[ErrorCode] = &[ErrorCode::RateLimited, ErrorCode::ServerBusy];

/// Any till write (`crate::till::idempotency`).
pub const IDEMPOTENCY_KEY: &[ErrorCode] = &[
    ErrorCode::IdempotencyKeyRequired,
    ErrorCode::IdempotencyKeyReused,
];

refusals! {
    /// An endpoint that needs a session and refuses nothing else.
    pub SessionRefusals = SIGNED_IN
}

refusals! {
    /// Signing in, a customer or staff.
    pub SignInRefusals = JSON_BODY, PASSWORD_HASHING, &[ErrorCode::InvalidCredentials]
}

/// Any path naming a card of the signed-in customer: another customer's card is not found either.
pub const CUSTOMER_CARD: &[ErrorCode] = &[ErrorCode::NotFound];

refusals! {
    /// One card of the signed-in customer.
    pub CustomerCardRefusals = SIGNED_IN, CUSTOMER_CARD
}

/// The responses for the codes of `sets`: one per status, listing its codes in `ErrorCode::ALL`'s
/// order.
pub fn responses(sets: &[&[ErrorCode]]) -> BTreeMap<String, RefOr<Response>> {
    let mut by_status: BTreeMap<StatusCode, Vec<&str>> = BTreeMap::new();
    for code in ErrorCode::ALL {
        if sets.iter().any(|set| set.contains(&code)) {
            by_status
                .entry(status_of(code))
                .or_default()
                .push(code.as_str());
        }
    }
    by_status
        .into_iter()
        .map(|(status, codes)| (status.as_str().to_owned(), refusal(status, &codes).into()))
        .collect()
}

fn refusal(status: StatusCode, codes: &[&str]) -> Response {
    let body = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(ErrorBody::name())))
        .build();
    let response = ResponseBuilder::new()
        .description(codes.join(", "))
        .content("application/json", body);
    // `ApiError::rate_limited` and `ApiError::busy` are the only sources of these statuses, and
    // both set the header.
    if matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    ) {
        let seconds = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::Integer))
            .description(Some("Seconds to wait before trying again."))
            .build();
        return response.header("Retry-After", seconds).build();
    }
    response.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(responses: &BTreeMap<String, RefOr<Response>>, status: &str) -> (String, bool) {
        let Some(RefOr::T(response)) = responses.get(status) else {
            panic!("no response {status}");
        };
        let retry_after = response.headers.contains_key("Retry-After");
        (response.description.clone(), retry_after)
    }

    #[test]
    fn overlapping_sets_share_one_response_per_status() {
        let responses = responses(&[SIGNED_IN, JSON_BODY, IDEMPOTENCY_KEY, SIGNED_IN]);
        let statuses: Vec<&str> = responses.keys().map(String::as_str).collect();
        assert_eq!(statuses, ["400", "401", "408", "413", "415", "422"]);
        assert_eq!(
            described(&responses, "400"),
            ("malformed_json, idempotency_key_required".into(), false)
        );
        assert_eq!(
            described(&responses, "422"),
            (
                "invalid_body, validation, idempotency_key_reused".into(),
                false
            )
        );
    }

    #[test]
    fn waits_are_documented_with_retry_after() {
        let responses = responses(&[PASSWORD_HASHING, &[ErrorCode::TooManyAttempts]]);
        assert_eq!(
            described(&responses, "429"),
            ("rate_limited, too_many_attempts".into(), true)
        );
        assert_eq!(described(&responses, "503"), ("server_busy".into(), true));
    }
}
