//! What the console says about a refusal: one message for every error code a till request can
//! get, translated, and the field errors of its inputs.

use crate::api::ApiError;
use crate::i18n::*;
use tessera_core::api::ErrorCode;
use tessera_core::validation::code as field;

/// Every error the console can meet, each with its own message ([`error_text`]): no answer
/// (`None`), then the server's codes that till requests get. Any other code says "something
/// unexpected happened".
pub const CODES: [Option<ErrorCode>; 23] = [
    None,
    Some(ErrorCode::Unauthenticated),
    Some(ErrorCode::RateLimited),
    Some(ErrorCode::InvalidCredentials),
    Some(ErrorCode::Validation),
    Some(ErrorCode::CodeMalformed),
    Some(ErrorCode::CodeStale),
    Some(ErrorCode::CodeInvalid),
    Some(ErrorCode::CodeUsed),
    Some(ErrorCode::CardUnknown),
    Some(ErrorCode::CardClosed),
    Some(ErrorCode::MemberNotFound),
    Some(ErrorCode::MemberAmbiguous),
    Some(ErrorCode::ServerBusy),
    Some(ErrorCode::RequestTimeout),
    Some(ErrorCode::TooManyAttempts),
    Some(ErrorCode::TicketInvalid),
    Some(ErrorCode::TicketCannotSpend),
    Some(ErrorCode::InsufficientPoints),
    Some(ErrorCode::PointsNotAccepted),
    Some(ErrorCode::IdempotencyKeyRequired),
    Some(ErrorCode::IdempotencyKeyReused),
    Some(ErrorCode::Internal),
];

/// The message for `error` in `locale`, with the wait when the server gave one.
pub fn error_text(error: &ApiError, locale: Locale) -> String {
    let seconds = error.retry_after().map(|s| s.to_string());
    let with_seconds =
        |template: &str| fill(template, &[("seconds", seconds.as_deref().unwrap_or(""))]);
    match (error.code(), &seconds) {
        (Some(ErrorCode::RateLimited), Some(_)) => {
            with_seconds(td_string!(locale, till.errors.rate_limited))
        }
        (Some(ErrorCode::TooManyAttempts), Some(_)) => {
            with_seconds(td_string!(locale, till.errors.too_many_attempts))
        }
        (code, _) => code_text(code, locale).to_owned(),
    }
}

/// The message for an error without a wait: `None` is a request that got no answer.
pub fn code_text(code: Option<ErrorCode>, locale: Locale) -> &'static str {
    let Some(code) = code else {
        return td_string!(locale, till.errors.network);
    };
    match code {
        ErrorCode::Unauthenticated => td_string!(locale, till.errors.unauthenticated),
        ErrorCode::RateLimited => td_string!(locale, till.errors.rate_limited_short),
        ErrorCode::InvalidCredentials => td_string!(locale, till.errors.invalid_credentials),
        ErrorCode::Validation => td_string!(locale, till.errors.validation),
        ErrorCode::CodeMalformed => td_string!(locale, till.errors.code_malformed),
        ErrorCode::CodeStale => td_string!(locale, till.errors.code_stale),
        ErrorCode::CodeInvalid => td_string!(locale, till.errors.code_invalid),
        ErrorCode::CodeUsed => td_string!(locale, till.errors.code_used),
        ErrorCode::CardUnknown => td_string!(locale, till.errors.card_unknown),
        ErrorCode::CardClosed => td_string!(locale, till.errors.card_closed),
        ErrorCode::MemberNotFound => td_string!(locale, till.errors.member_not_found),
        ErrorCode::MemberAmbiguous => td_string!(locale, till.errors.member_ambiguous),
        ErrorCode::ServerBusy => td_string!(locale, till.errors.server_busy),
        ErrorCode::RequestTimeout => td_string!(locale, till.errors.request_timeout),
        ErrorCode::TooManyAttempts => td_string!(locale, till.errors.too_many_attempts_short),
        ErrorCode::TicketInvalid => td_string!(locale, till.errors.ticket_invalid),
        ErrorCode::TicketCannotSpend => td_string!(locale, till.errors.ticket_cannot_spend),
        ErrorCode::InsufficientPoints => td_string!(locale, till.errors.insufficient_points),
        ErrorCode::PointsNotAccepted => td_string!(locale, till.errors.points_not_accepted),
        ErrorCode::IdempotencyKeyRequired => {
            td_string!(locale, till.errors.idempotency_key_required)
        }
        ErrorCode::IdempotencyKeyReused => td_string!(locale, till.errors.idempotency_key_reused),
        ErrorCode::Internal => td_string!(locale, till.errors.internal),
        // Not what a till request gets from this server: a bug, or a newer server.
        ErrorCode::MalformedJson
        | ErrorCode::InvalidBody
        | ErrorCode::UnsupportedMediaType
        | ErrorCode::BodyTooLarge
        | ErrorCode::EmailTaken
        | ErrorCode::InvalidQuery
        | ErrorCode::NotFound
        | ErrorCode::MethodNotAllowed
        | ErrorCode::Unknown => td_string!(locale, till.errors.unexpected),
    }
}

/// The message for a field error code: the console's own input checks
/// ([`super::amount::InputError::code`]) and the server's (`not_positive`, `too_large`, ...).
/// `points` picks the wording for a number of points.
pub fn field_text(field_code: &str, points: bool, locale: Locale) -> &'static str {
    match field_code {
        field::REQUIRED => td_string!(locale, till.field_errors.required),
        "invalid" if points => td_string!(locale, till.field_errors.points_invalid),
        "too_many_decimals" => td_string!(locale, till.field_errors.too_many_decimals),
        field::NOT_POSITIVE => td_string!(locale, till.field_errors.not_positive),
        field::TOO_LARGE => td_string!(locale, till.field_errors.too_large),
        field::PHONE_INVALID => td_string!(locale, till.field_errors.phone_invalid),
        _ => td_string!(locale, till.field_errors.invalid),
    }
}
