//! What the console says about a refusal: one message for every error code a till request can
//! get, translated, and the field errors of its inputs.

use super::api::{TillError, NETWORK};
use crate::i18n::*;
use tessera_core::api::error_code as code;
use tessera_core::validation::code as field;

/// Every error code the console can meet, each with its own message ([`error_text`]); any other
/// says "something unexpected happened".
pub const CODES: [&str; 23] = [
    NETWORK,
    code::UNAUTHENTICATED,
    code::RATE_LIMITED,
    code::INVALID_CREDENTIALS,
    code::VALIDATION,
    code::CODE_MALFORMED,
    code::CODE_STALE,
    code::CODE_INVALID,
    code::CODE_USED,
    code::CARD_UNKNOWN,
    code::CARD_CLOSED,
    code::MEMBER_NOT_FOUND,
    code::MEMBER_AMBIGUOUS,
    code::SERVER_BUSY,
    code::REQUEST_TIMEOUT,
    code::TOO_MANY_ATTEMPTS,
    code::TICKET_INVALID,
    code::TICKET_CANNOT_SPEND,
    code::INSUFFICIENT_POINTS,
    code::POINTS_NOT_ACCEPTED,
    code::IDEMPOTENCY_KEY_REQUIRED,
    code::IDEMPOTENCY_KEY_REUSED,
    code::INTERNAL,
];

/// The message for `error` in `locale`, with the wait when the server gave one.
pub fn error_text(error: &TillError, locale: Locale) -> String {
    let seconds = match error {
        TillError::Refused {
            retry_after: Some(seconds),
            ..
        } => Some(seconds.to_string()),
        _ => None,
    };
    let with_seconds =
        |template: &str| fill(template, &[("seconds", seconds.as_deref().unwrap_or(""))]);
    match (error.code(), &seconds) {
        (code::RATE_LIMITED, Some(_)) => with_seconds(td_string!(locale, till.errors.rate_limited)),
        (code::TOO_MANY_ATTEMPTS, Some(_)) => {
            with_seconds(td_string!(locale, till.errors.too_many_attempts))
        }
        (code, _) => code_text(code, locale).to_owned(),
    }
}

/// The message for an error code without a wait.
pub fn code_text(error_code: &str, locale: Locale) -> &'static str {
    match error_code {
        NETWORK => td_string!(locale, till.errors.network),
        code::UNAUTHENTICATED => td_string!(locale, till.errors.unauthenticated),
        code::RATE_LIMITED => td_string!(locale, till.errors.rate_limited_short),
        code::INVALID_CREDENTIALS => td_string!(locale, till.errors.invalid_credentials),
        code::VALIDATION => td_string!(locale, till.errors.validation),
        code::CODE_MALFORMED => td_string!(locale, till.errors.code_malformed),
        code::CODE_STALE => td_string!(locale, till.errors.code_stale),
        code::CODE_INVALID => td_string!(locale, till.errors.code_invalid),
        code::CODE_USED => td_string!(locale, till.errors.code_used),
        code::CARD_UNKNOWN => td_string!(locale, till.errors.card_unknown),
        code::CARD_CLOSED => td_string!(locale, till.errors.card_closed),
        code::MEMBER_NOT_FOUND => td_string!(locale, till.errors.member_not_found),
        code::MEMBER_AMBIGUOUS => td_string!(locale, till.errors.member_ambiguous),
        code::SERVER_BUSY => td_string!(locale, till.errors.server_busy),
        code::REQUEST_TIMEOUT => td_string!(locale, till.errors.request_timeout),
        code::TOO_MANY_ATTEMPTS => td_string!(locale, till.errors.too_many_attempts_short),
        code::TICKET_INVALID => td_string!(locale, till.errors.ticket_invalid),
        code::TICKET_CANNOT_SPEND => td_string!(locale, till.errors.ticket_cannot_spend),
        code::INSUFFICIENT_POINTS => td_string!(locale, till.errors.insufficient_points),
        code::POINTS_NOT_ACCEPTED => td_string!(locale, till.errors.points_not_accepted),
        code::IDEMPOTENCY_KEY_REQUIRED => td_string!(locale, till.errors.idempotency_key_required),
        code::IDEMPOTENCY_KEY_REUSED => td_string!(locale, till.errors.idempotency_key_reused),
        code::INTERNAL => td_string!(locale, till.errors.internal),
        _ => td_string!(locale, till.errors.unexpected),
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
