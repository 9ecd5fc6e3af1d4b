//! What the wallet and the console say about a refusal: one table of messages keyed by
//! [`ErrorCode`] for each audience (a customer, a cashier), each naming every code (no
//! catch-all: a new code does not compile until both say something about it), and one
//! [`error_text`] that adds the wait the server asked for.
//!
//! The audiences differ in wording, not in codes: a customer is told what to do next on their
//! phone, a cashier what to ask the customer. [`error_text`] is generic over the audience, so the
//! wallet's first load links none of the console's wording and the console none of the wallet's.

use crate::api::ApiError;
use crate::i18n::*;
use tessera_core::api::ErrorCode;
use tessera_core::validation::FieldCode;

/// Who reads a message, and its table of messages.
pub trait Audience {
    /// The message for `code`; `None` is a request that got no answer.
    fn text(code: Option<ErrorCode>, locale: Locale) -> &'static str;

    /// The message with a `{seconds}` placeholder for a code the server sends with
    /// `Retry-After`, in the form for `seconds`, when this audience has one.
    fn with_wait(code: ErrorCode, seconds: u32, locale: Locale) -> Option<&'static str>;
}

/// The message for `error` in `A`'s words and `locale`, with the wait when the server gave one.
pub fn error_text<A: Audience>(error: &ApiError, locale: Locale) -> String {
    if let (Some(code), Some(seconds)) = (error.code(), error.retry_after()) {
        if let Some(template) = A::with_wait(code, seconds, locale) {
            return fill(template, &[("seconds", &seconds.to_string())]);
        }
    }
    A::text(error.code(), locale).to_owned()
}

/// A customer in the wallet.
pub struct Customer;

impl Audience for Customer {
    fn text(code: Option<ErrorCode>, _locale: Locale) -> &'static str {
        let Some(code) = code else {
            return text_of(td_entry!(errors.network));
        };
        text_of(match code {
            ErrorCode::Unauthenticated => td_entry!(errors.unauthenticated),
            ErrorCode::RateLimited => td_entry!(errors.rate_limited_short),
            ErrorCode::Validation => td_entry!(errors.validation),
            ErrorCode::NotFound => td_entry!(errors.not_found),
            ErrorCode::Internal => td_entry!(errors.internal),
            ErrorCode::ServerBusy => td_entry!(errors.server_busy),
            // Spending points: redeeming a reward, paying a club.
            ErrorCode::InsufficientPoints => td_entry!(errors.insufficient_points),
            ErrorCode::TermsNotAccepted => td_entry!(errors.terms_not_accepted),
            // Not what a customer's request gets from this server: a bug, or a newer server.
            ErrorCode::MalformedJson
            | ErrorCode::InvalidBody
            | ErrorCode::UnsupportedMediaType
            | ErrorCode::BodyTooLarge
            | ErrorCode::InvalidQuery
            | ErrorCode::MethodNotAllowed
            | ErrorCode::RequestTimeout
            | ErrorCode::TooManyAttempts
            | ErrorCode::CodeMalformed
            | ErrorCode::CodeStale
            | ErrorCode::CodeInvalid
            | ErrorCode::CodeUsed
            | ErrorCode::CardUnknown
            | ErrorCode::CardClosed
            | ErrorCode::MemberNotFound
            | ErrorCode::MemberAmbiguous
            | ErrorCode::TicketInvalid
            | ErrorCode::TicketCannotSpend
            | ErrorCode::PointsNotAccepted
            | ErrorCode::IdempotencyKeyRequired
            | ErrorCode::IdempotencyKeyReused
            // The till's refusals of a voucher.
            | ErrorCode::VoucherUnknown
            | ErrorCode::VoucherNotYours
            | ErrorCode::VoucherWrongPartner
            // The clubs screens' (`club_error_message`): kept out of every other build.
            | ErrorCode::AlreadyMember
            | ErrorCode::NotAMember
            | ErrorCode::MembershipLapsed
            | ErrorCode::ApplicationPending
            | ErrorCode::InvitationInvalid
            | ErrorCode::InvitationUsed
            | ErrorCode::InvitationExpired
            | ErrorCode::InvitationsUsedUp
            // The reset screen's (`pages::password_reset` words it): kept out of every other build.
            | ErrorCode::ResetLinkInvalid
            // The account forms' (`account_error_message`) and the rewards screens'
            // (`reward_error_message`): kept out of every other build.
            | ErrorCode::EmailTaken
            | ErrorCode::InvalidCredentials
            | ErrorCode::OutOfStock
            | ErrorCode::LimitReached
            | ErrorCode::NotEligible
            | ErrorCode::NotYetAvailable
            | ErrorCode::NoLongerAvailable
            | ErrorCode::VoucherUsed
            | ErrorCode::VoucherExpired
            | ErrorCode::VoucherCancelled
            // The till's, for managers.
            | ErrorCode::ApplicationDecided
            | ErrorCode::ManagersOnly
            | ErrorCode::Unknown => td_entry!(errors.unexpected),
        })
    }

    fn with_wait(code: ErrorCode, seconds: u32, locale: Locale) -> Option<&'static str> {
        (code == ErrorCode::RateLimited).then(|| td_plural!(locale, errors.rate_limited, seconds))
    }
}

impl Customer {
    /// The message for a field error code of the wallet's forms.
    pub fn field(code: FieldCode, _locale: Locale) -> &'static str {
        text_of(match code {
            FieldCode::Required => td_entry!(field_errors.required),
            FieldCode::EmailInvalid => td_entry!(field_errors.email_invalid),
            FieldCode::PasswordTooShort => td_entry!(field_errors.password_too_short),
            FieldCode::TooLong => td_entry!(field_errors.too_long),
            FieldCode::PhoneInvalid => td_entry!(field_errors.phone_invalid),
            FieldCode::TermsNotAccepted => td_entry!(field_errors.terms_not_accepted),
            FieldCode::InvalidCharacters => td_entry!(field_errors.invalid_characters),
            // A questionnaire's answer of the wrong kind; else not what the wallet's forms get:
            // the console's checks, or a newer server.
            FieldCode::NotPositive
            | FieldCode::TooLarge
            | FieldCode::Invalid
            | FieldCode::TooManyDecimals
            | FieldCode::Unknown => td_entry!(field_errors.invalid),
        })
    }
}

/// A cashier at the console.
pub struct Cashier;

impl Cashier {
    /// Every error the console can meet, each with its own message: no answer (`None`), then
    /// the server's codes that till requests get. Any other code says "something unexpected
    /// happened".
    pub const CODES: [Option<ErrorCode>; 32] = [
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
        Some(ErrorCode::TermsNotAccepted),
        Some(ErrorCode::IdempotencyKeyRequired),
        Some(ErrorCode::IdempotencyKeyReused),
        Some(ErrorCode::Internal),
        Some(ErrorCode::VoucherUnknown),
        Some(ErrorCode::VoucherNotYours),
        Some(ErrorCode::VoucherUsed),
        Some(ErrorCode::VoucherExpired),
        Some(ErrorCode::VoucherCancelled),
        Some(ErrorCode::VoucherWrongPartner),
        Some(ErrorCode::ManagersOnly),
        Some(ErrorCode::ApplicationDecided),
    ];

    /// The message for a field error code: the console's own input checks
    /// ([`crate::till::amount::InputError::code`]) and the server's (`not_positive`,
    /// `too_large`, ...). `points` picks the wording for a number of points.
    pub fn field(code: FieldCode, points: bool, _locale: Locale) -> &'static str {
        text_of(match code {
            FieldCode::Required => td_entry!(till.field_errors.required),
            FieldCode::Invalid if points => td_entry!(till.field_errors.points_invalid),
            FieldCode::TooManyDecimals => td_entry!(till.field_errors.too_many_decimals),
            FieldCode::NotPositive => td_entry!(till.field_errors.not_positive),
            FieldCode::TooLarge => td_entry!(till.field_errors.too_large),
            FieldCode::PhoneInvalid => td_entry!(till.field_errors.phone_invalid),
            // Not what the console's fields get: the wallet's forms, or a newer server.
            FieldCode::Invalid
            | FieldCode::EmailInvalid
            | FieldCode::PasswordTooShort
            | FieldCode::TooLong
            | FieldCode::TermsNotAccepted
            | FieldCode::InvalidCharacters
            | FieldCode::Unknown => td_entry!(till.field_errors.invalid),
        })
    }
}

impl Audience for Cashier {
    fn text(code: Option<ErrorCode>, _locale: Locale) -> &'static str {
        let Some(code) = code else {
            return text_of(td_entry!(till.errors.network));
        };
        text_of(match code {
            ErrorCode::Unauthenticated => td_entry!(till.errors.unauthenticated),
            ErrorCode::RateLimited => td_entry!(till.errors.rate_limited_short),
            ErrorCode::InvalidCredentials => td_entry!(till.errors.invalid_credentials),
            ErrorCode::Validation => td_entry!(till.errors.validation),
            ErrorCode::CodeMalformed => td_entry!(till.errors.code_malformed),
            ErrorCode::CodeStale => td_entry!(till.errors.code_stale),
            ErrorCode::CodeInvalid => td_entry!(till.errors.code_invalid),
            ErrorCode::CodeUsed => td_entry!(till.errors.code_used),
            ErrorCode::CardUnknown => td_entry!(till.errors.card_unknown),
            ErrorCode::CardClosed => td_entry!(till.errors.card_closed),
            ErrorCode::MemberNotFound => td_entry!(till.errors.member_not_found),
            ErrorCode::MemberAmbiguous => td_entry!(till.errors.member_ambiguous),
            ErrorCode::ServerBusy => td_entry!(till.errors.server_busy),
            ErrorCode::RequestTimeout => td_entry!(till.errors.request_timeout),
            ErrorCode::TooManyAttempts => td_entry!(till.errors.too_many_attempts_short),
            ErrorCode::TicketInvalid => td_entry!(till.errors.ticket_invalid),
            ErrorCode::TicketCannotSpend => td_entry!(till.errors.ticket_cannot_spend),
            ErrorCode::InsufficientPoints => td_entry!(till.errors.insufficient_points),
            ErrorCode::PointsNotAccepted => td_entry!(till.errors.points_not_accepted),
            ErrorCode::TermsNotAccepted => td_entry!(till.errors.terms_not_accepted),
            ErrorCode::IdempotencyKeyRequired => {
                td_entry!(till.errors.idempotency_key_required)
            }
            ErrorCode::IdempotencyKeyReused => {
                td_entry!(till.errors.idempotency_key_reused)
            }
            ErrorCode::Internal => td_entry!(till.errors.internal),
            ErrorCode::VoucherUnknown => td_entry!(till.errors.voucher_unknown),
            ErrorCode::VoucherNotYours => td_entry!(till.errors.voucher_not_yours),
            ErrorCode::VoucherUsed => td_entry!(till.errors.voucher_used),
            ErrorCode::VoucherExpired => td_entry!(till.errors.voucher_expired),
            ErrorCode::VoucherCancelled => td_entry!(till.errors.voucher_cancelled),
            ErrorCode::VoucherWrongPartner => {
                td_entry!(till.errors.voucher_wrong_partner)
            }
            ErrorCode::ManagersOnly => td_entry!(till.errors.managers_only),
            ErrorCode::ApplicationDecided => td_entry!(till.errors.application_decided),
            // The wallet's, from clubs: not what a till request gets.
            ErrorCode::AlreadyMember
            | ErrorCode::NotAMember
            | ErrorCode::MembershipLapsed
            | ErrorCode::ApplicationPending
            | ErrorCode::InvitationInvalid
            | ErrorCode::InvitationUsed
            | ErrorCode::InvitationExpired
            | ErrorCode::InvitationsUsedUp
            // The wallet's, from resetting a password.
            | ErrorCode::ResetLinkInvalid => td_entry!(till.errors.internal),
            // Not what a till request gets from this server: a bug, or a newer server.
            ErrorCode::MalformedJson
            | ErrorCode::InvalidBody
            | ErrorCode::UnsupportedMediaType
            | ErrorCode::BodyTooLarge
            | ErrorCode::EmailTaken
            | ErrorCode::InvalidQuery
            | ErrorCode::NotFound
            | ErrorCode::MethodNotAllowed
            | ErrorCode::OutOfStock
            | ErrorCode::LimitReached
            | ErrorCode::NotEligible
            | ErrorCode::NotYetAvailable
            | ErrorCode::NoLongerAvailable
            | ErrorCode::Unknown => td_entry!(till.errors.unexpected),
        })
    }

    fn with_wait(code: ErrorCode, seconds: u32, locale: Locale) -> Option<&'static str> {
        match code {
            ErrorCode::RateLimited => Some(td_plural!(locale, till.errors.rate_limited, seconds)),
            ErrorCode::TooManyAttempts => {
                Some(td_plural!(locale, till.errors.too_many_attempts, seconds))
            }
            _ => None,
        }
    }
}

/// A refusal in the wallet's words, in the current language (tracked).
pub fn error_message(error: &ApiError) -> String {
    error_text::<Customer>(error, use_i18n().get_locale())
}

/// A refusal of a club write in the wallet's words (tracked): the clubs' own codes, else
/// [`error_message`]. Apart from `Customer`, so only the memberships module carries their words.
pub fn club_error_message(error: &ApiError) -> String {
    let locale = use_i18n().get_locale();
    let text = match error.code() {
        Some(ErrorCode::AlreadyMember) => td_string!(locale, errors.already_member),
        Some(ErrorCode::NotAMember) => td_string!(locale, errors.not_a_member),
        Some(ErrorCode::MembershipLapsed) => td_string!(locale, errors.membership_lapsed),
        Some(ErrorCode::ApplicationPending) => td_string!(locale, errors.application_pending),
        Some(ErrorCode::InvitationInvalid) => td_string!(locale, errors.invitation_invalid),
        Some(ErrorCode::InvitationUsed) => td_string!(locale, errors.invitation_used),
        Some(ErrorCode::InvitationExpired) => td_string!(locale, errors.invitation_expired),
        Some(ErrorCode::InvitationsUsedUp) => td_string!(locale, errors.invitations_used_up),
        _ => return error_message(error),
    };
    text.to_owned()
}

/// A refusal of joining or of a password (signing in, changing it, deleting the account) in the
/// wallet's words: their own codes, else [`error_message`]. Apart from `Customer`, so only the
/// builds with those forms carry their words.
pub fn account_error_message(error: &ApiError) -> String {
    let locale = use_i18n().get_locale();
    let text = match error.code() {
        Some(ErrorCode::EmailTaken) => td_string!(locale, errors.email_taken),
        Some(ErrorCode::InvalidCredentials) => td_string!(locale, errors.invalid_credentials),
        _ => return error_message(error),
    };
    text.to_owned()
}

/// A refusal of redeeming a reward or cancelling a voucher in the wallet's words: their own
/// codes, else [`error_message`]. Apart from `Customer`, so only the rewards module carries
/// their words.
pub fn reward_error_message(error: &ApiError) -> String {
    let locale = use_i18n().get_locale();
    let text = match error.code() {
        Some(ErrorCode::OutOfStock) => td_string!(locale, errors.out_of_stock),
        Some(ErrorCode::LimitReached) => td_string!(locale, errors.limit_reached),
        Some(ErrorCode::NotEligible) => td_string!(locale, errors.not_eligible),
        Some(ErrorCode::NotYetAvailable) => td_string!(locale, errors.not_yet_available),
        Some(ErrorCode::NoLongerAvailable) => td_string!(locale, errors.no_longer_available),
        Some(ErrorCode::VoucherUsed) => td_string!(locale, errors.voucher_used),
        Some(ErrorCode::VoucherExpired) => td_string!(locale, errors.voucher_expired),
        Some(ErrorCode::VoucherCancelled) => td_string!(locale, errors.voucher_cancelled),
        _ => return error_message(error),
    };
    text.to_owned()
}

/// A wallet form's field error code in the current language (tracked).
pub fn field_error_message(code: FieldCode) -> String {
    Customer::field(code, use_i18n().get_locale()).to_owned()
}
