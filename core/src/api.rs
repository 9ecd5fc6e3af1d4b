//! Request and response bodies of the HTTP API (`/api/v1`), defined once for both sides.
//!
//! Times are UTC unix milliseconds (`*_at: i64`), points are `i64`, money is [`crate::Money`].

use crate::money::Currency;
use serde::{Deserialize, Serialize};

/// What a staff account may do (`role` in the configuration's `[[staff]]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    /// Identifies members, records purchases, takes points as payment.
    Cashier,
    /// A cashier who may also correct points (later).
    Manager,
}

/// The JSON body of every error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// A stable machine-readable code.
    pub error: ErrorCode,
    /// A human-readable explanation, safe to show (never internal detail).
    pub message: String,
    /// Per-field problems for form submissions; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

pub use crate::validation::FieldCode;

/// One invalid field of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The JSON field name, e.g. `email`.
    pub field: String,
    /// What is wrong.
    pub code: FieldCode,
}

/// The `error` of an [`ErrorBody`]: what went wrong, as a stable code (its snake_case name on
/// the wire). A code this build does not know reads as [`ErrorCode::Unknown`], so an older
/// wallet keeps working with a newer server.
///
/// On the wire through [`ErrorCode::as_str`] and [`ErrorCode::from_name`] (`serde(from, into)`):
/// one table of names in every build rather than serde's second one (its derive would match
/// every name again, about 100 bytes of each wasm per code). `rename_all` is the OpenAPI
/// schema's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", from = "String", into = "&'static str")]
pub enum ErrorCode {
    /// The body is not valid JSON.
    MalformedJson,
    /// The JSON is valid but a field is missing or has the wrong type.
    InvalidBody,
    /// The request did not say `Content-Type: application/json`.
    UnsupportedMediaType,
    /// The body is larger than the server accepts.
    BodyTooLarge,
    /// One or more fields are invalid; see `fields`.
    Validation,
    /// An account with this e-mail address exists.
    EmailTaken,
    /// E-mail or password is wrong.
    InvalidCredentials,
    /// No session, or it expired or was ended.
    Unauthenticated,
    /// Too many attempts; retry after the `Retry-After` header's seconds.
    RateLimited,
    /// A query parameter is invalid (e.g. a history cursor not from the server).
    InvalidQuery,
    /// No such resource (or not yours).
    NotFound,
    /// The path exists but not with this method.
    MethodNotAllowed,
    /// Till: the text is not a checkout code (or the card number's check digit is wrong).
    CodeMalformed,
    /// Till: the code's time has passed (an old screenshot, or a phone clock far off).
    CodeStale,
    /// Till: the code's proof is wrong (forged, or the phone signed out since).
    CodeInvalid,
    /// Till: this code, or a newer one of the card, was used already.
    CodeUsed,
    /// Till: no card with that number in the program.
    CardUnknown,
    /// Till: the card is closed.
    CardClosed,
    /// Till: no member with that phone number in the program.
    MemberNotFound,
    /// Till: several members share the phone number; list them (`POST /till/phone-lookup`)
    /// and identify with the chosen `card_id`.
    MemberAmbiguous,
    /// Till: too many wrong typed codes for the card; retry after `Retry-After` seconds.
    TooManyAttempts,
    /// Till: the ticket is unknown, of another till session, or expired; identify again.
    TicketInvalid,
    /// Till: the ticket came from a phone number; spending points needs a checkout code.
    TicketCannotSpend,
    /// Till: more points than the card can spend now.
    InsufficientPoints,
    /// Till: the program does not take points as payment.
    PointsNotAccepted,
    /// The program's terms changed and the member has not accepted the new ones in the wallet:
    /// their card earns as before, but spending points and redeeming wait.
    TermsNotAccepted,
    /// A password reset link used already, expired, or not one of ours: ask for a new one.
    ResetLinkInvalid,
    /// Rewards: none of this reward is left.
    OutOfStock,
    /// Rewards: the member has redeemed this reward as often as allowed.
    LimitReached,
    /// Rewards: only for other levels, clubs (or, at the till, partners).
    NotEligible,
    /// Rewards: its window has not begun.
    NotYetAvailable,
    /// Rewards: its window has ended.
    NoLongerAvailable,
    /// Vouchers: no voucher has this code.
    VoucherUnknown,
    /// Vouchers: the voucher is another member's (a voucher is not a bearer code).
    VoucherNotYours,
    /// Vouchers: used already.
    VoucherUsed,
    /// Vouchers: its time ran out.
    VoucherExpired,
    /// Vouchers: the member cancelled it (its points came back).
    VoucherCancelled,
    /// Vouchers: its reward is only for other partners than this till's.
    VoucherWrongPartner,
    /// Clubs: the member belongs to the club already.
    AlreadyMember,
    /// Clubs: the member does not belong to the club (leaving, renewing, invitations).
    NotAMember,
    /// Clubs: the paid membership ended unrenewed; join again.
    MembershipLapsed,
    /// Clubs: an application to the club waits for staff.
    ApplicationPending,
    /// Clubs (staff): the application was approved or rejected already.
    ApplicationDecided,
    /// Clubs: no invitation of the club has this code (or its member left).
    InvitationInvalid,
    /// Clubs: the invitation code was used already.
    InvitationUsed,
    /// Clubs: the invitation code's time ran out.
    InvitationExpired,
    /// Clubs: the member made this year's invitation codes already.
    InvitationsUsedUp,
    /// Till: only a manager's account may do this.
    ManagersOnly,
    /// A write needs an `Idempotency-Key` header (1–100 visible ASCII characters).
    IdempotencyKeyRequired,
    /// The `Idempotency-Key` was used for a different request.
    IdempotencyKeyReused,
    /// The server is at capacity for this kind of work (password checks); retry after the
    /// `Retry-After` header's seconds.
    ServerBusy,
    /// The request body did not arrive in time.
    RequestTimeout,
    /// Something failed on the server; details are in its log.
    Internal,
    /// A code newer than this build (never sent by this server).
    Unknown,
}

impl ErrorCode {
    /// Every code this build knows, [`ErrorCode::Unknown`] last.
    pub const ALL: [ErrorCode; 54] = [
        ErrorCode::MalformedJson,
        ErrorCode::InvalidBody,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::BodyTooLarge,
        ErrorCode::Validation,
        ErrorCode::EmailTaken,
        ErrorCode::InvalidCredentials,
        ErrorCode::Unauthenticated,
        ErrorCode::RateLimited,
        ErrorCode::InvalidQuery,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::CodeMalformed,
        ErrorCode::CodeStale,
        ErrorCode::CodeInvalid,
        ErrorCode::CodeUsed,
        ErrorCode::CardUnknown,
        ErrorCode::CardClosed,
        ErrorCode::MemberNotFound,
        ErrorCode::MemberAmbiguous,
        ErrorCode::TooManyAttempts,
        ErrorCode::TicketInvalid,
        ErrorCode::TicketCannotSpend,
        ErrorCode::InsufficientPoints,
        ErrorCode::PointsNotAccepted,
        ErrorCode::TermsNotAccepted,
        ErrorCode::ResetLinkInvalid,
        ErrorCode::OutOfStock,
        ErrorCode::LimitReached,
        ErrorCode::NotEligible,
        ErrorCode::NotYetAvailable,
        ErrorCode::NoLongerAvailable,
        ErrorCode::VoucherUnknown,
        ErrorCode::VoucherNotYours,
        ErrorCode::VoucherUsed,
        ErrorCode::VoucherExpired,
        ErrorCode::VoucherCancelled,
        ErrorCode::VoucherWrongPartner,
        ErrorCode::AlreadyMember,
        ErrorCode::NotAMember,
        ErrorCode::MembershipLapsed,
        ErrorCode::ApplicationPending,
        ErrorCode::ApplicationDecided,
        ErrorCode::InvitationInvalid,
        ErrorCode::InvitationUsed,
        ErrorCode::InvitationExpired,
        ErrorCode::InvitationsUsedUp,
        ErrorCode::ManagersOnly,
        ErrorCode::IdempotencyKeyRequired,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::ServerBusy,
        ErrorCode::RequestTimeout,
        ErrorCode::Internal,
        ErrorCode::Unknown,
    ];

    /// The code as sent in [`ErrorBody::error`].
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::Validation => "validation",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::CodeMalformed => "code_malformed",
            ErrorCode::CodeStale => "code_stale",
            ErrorCode::CodeInvalid => "code_invalid",
            ErrorCode::CodeUsed => "code_used",
            ErrorCode::CardUnknown => "card_unknown",
            ErrorCode::CardClosed => "card_closed",
            ErrorCode::MemberNotFound => "member_not_found",
            ErrorCode::MemberAmbiguous => "member_ambiguous",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::TicketInvalid => "ticket_invalid",
            ErrorCode::TicketCannotSpend => "ticket_cannot_spend",
            ErrorCode::InsufficientPoints => "insufficient_points",
            ErrorCode::PointsNotAccepted => "points_not_accepted",
            ErrorCode::TermsNotAccepted => "terms_not_accepted",
            ErrorCode::ResetLinkInvalid => "reset_link_invalid",
            ErrorCode::OutOfStock => "out_of_stock",
            ErrorCode::LimitReached => "limit_reached",
            ErrorCode::NotEligible => "not_eligible",
            ErrorCode::NotYetAvailable => "not_yet_available",
            ErrorCode::NoLongerAvailable => "no_longer_available",
            ErrorCode::VoucherUnknown => "voucher_unknown",
            ErrorCode::VoucherNotYours => "voucher_not_yours",
            ErrorCode::VoucherUsed => "voucher_used",
            ErrorCode::VoucherExpired => "voucher_expired",
            ErrorCode::VoucherCancelled => "voucher_cancelled",
            ErrorCode::VoucherWrongPartner => "voucher_wrong_partner",
            ErrorCode::AlreadyMember => "already_member",
            ErrorCode::NotAMember => "not_a_member",
            ErrorCode::MembershipLapsed => "membership_lapsed",
            ErrorCode::ApplicationPending => "application_pending",
            ErrorCode::ApplicationDecided => "application_decided",
            ErrorCode::InvitationInvalid => "invitation_invalid",
            ErrorCode::InvitationUsed => "invitation_used",
            ErrorCode::InvitationExpired => "invitation_expired",
            ErrorCode::InvitationsUsedUp => "invitations_used_up",
            ErrorCode::ManagersOnly => "managers_only",
            ErrorCode::IdempotencyKeyRequired => "idempotency_key_required",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::ServerBusy => "server_busy",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::Internal => "internal",
            ErrorCode::Unknown => "unknown",
        }
    }

    /// The code named `name`; [`ErrorCode::Unknown`] for a name this build does not know.
    pub fn from_name(name: &str) -> ErrorCode {
        Self::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
            .unwrap_or(ErrorCode::Unknown)
    }
}

impl From<String> for ErrorCode {
    fn from(name: String) -> Self {
        ErrorCode::from_name(&name)
    }
}

impl From<ErrorCode> for &'static str {
    fn from(code: ErrorCode) -> Self {
        code.as_str()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `GET /health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` when the server can reach its database.
    pub status: String,
    /// The server's version.
    pub version: String,
}

/// `GET /terms`: the terms a new customer accepts when joining.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Terms {
    /// The version to send back as `accepted_terms_version`.
    pub version: String,
    /// When this version was last updated, `YYYY-MM-DD`.
    pub updated: String,
    /// Where the full text is published.
    pub url: String,
    /// The text, in the language asked for when the configuration has it (paragraphs parted by
    /// blank lines).
    #[serde(default)]
    pub text: String,
}

/// `GET /privacy`: the privacy notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Privacy {
    pub version: String,
    /// When this version was last updated, `YYYY-MM-DD`.
    pub updated: String,
    /// The text, in the language asked for when the configuration has it (paragraphs parted by
    /// blank lines).
    pub text: String,
}

/// `POST /auth/register`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterRequest {
    /// Sign-in e-mail; compared case-insensitively.
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    /// The name shown on the card and at the till.
    pub display_name: String,
    /// Optional phone number, so a cashier can find the card without the app.
    #[serde(default)]
    pub phone: Option<String>,
    /// The [`Terms::version`] the customer read and accepted.
    pub accepted_terms_version: String,
    /// Separate, optional consent to marketing messages.
    #[serde(default)]
    pub marketing_opt_in: bool,
    /// The language the customer joined in (one of `validation::LANGUAGES`), kept on the account.
    #[serde(default)]
    pub preferred_language: Option<String>,
}

/// `POST /auth/login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// Sign-in e-mail.
    pub email: String,
    /// Password.
    pub password: String,
}

/// One of the customer's sessions, as their list shows it (`GET /me/sessions`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub id: String,
    /// The browser and system its `User-Agent` named (`crate::device`), when it named them.
    pub browser: Option<String>,
    pub system: Option<String>,
    /// UTC unix ms.
    pub created_at: i64,
    pub last_used_at: i64,
    /// The session of the request.
    pub current: bool,
}

/// `GET /me/sessions`: the customer's live sessions, the last used first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sessions {
    pub sessions: Vec<SessionView>,
}

/// What ending sessions did: `POST /me/sessions/end-others` and `POST /me/lost-phone`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionsEnded {
    /// Sessions ended.
    pub ended: u64,
    /// Checkout secrets revoked (a lost phone's codes are refused from the next scan).
    pub secrets_revoked: u64,
}

/// A new session: returned by register and login.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// Bearer token for `Authorization: Bearer <token>`; shown once, stored only hashed.
    pub token: String,
    /// The session ends if unused until this time; each use moves it forward.
    pub idle_expires_at: i64,
    /// The signed-in customer.
    pub customer: Me,
}

/// The answer of register, login and "I lost my phone": a new [`Session`], which the device
/// keeps, and the language chosen on the account, which the device adopts (apart from the
/// session, which every wallet build reads back).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedIn {
    /// Bearer token for `Authorization: Bearer <token>`; shown once, stored only hashed.
    pub token: String,
    /// The session ends if unused until this time; each use moves it forward.
    pub idle_expires_at: i64,
    /// The signed-in customer.
    pub customer: Me,
    /// The language chosen on the account (one of `validation::LANGUAGES`).
    #[serde(default)]
    pub preferred_language: Option<String>,
}

impl From<SignedIn> for Session {
    fn from(s: SignedIn) -> Self {
        Session {
            token: s.token,
            idle_expires_at: s.idle_expires_at,
            customer: s.customer,
        }
    }
}

/// `GET /me`: the signed-in customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// Customer id.
    pub id: String,
    /// Sign-in e-mail, normalised to lower case.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Phone number, normalised to `+` and digits.
    pub phone: Option<String>,
    /// Whether the customer agreed to marketing messages.
    pub marketing_opt_in: bool,
    /// The terms version accepted when joining.
    pub terms_version: String,
    /// When those terms were accepted.
    pub terms_accepted_at: i64,
    /// When the account was created.
    pub created_at: i64,
}

/// `GET /me/profile`, and the answer of `PATCH /me`: the customer's details as they may change
/// them.
/// Apart from [`Me`], which every screen reads from the device, so that only the screen that
/// edits them carries what only it shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub display_name: String,
    /// Normalised to `+` and digits.
    pub phone: Option<String>,
    /// The language the customer chose for the wallet and messages (one of
    /// [`crate::validation::LANGUAGES`]); `None`: the device's.
    pub preferred_language: Option<String>,
    pub marketing_opt_in: bool,
}

/// `PATCH /me`: the fields to change; an absent field stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileChange {
    /// The name shown on the card and at the till.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The phone number; an empty one removes it.
    #[serde(default)]
    pub phone: Option<String>,
    /// One of [`crate::validation::LANGUAGES`]; an empty one goes back to the device's.
    #[serde(default)]
    pub preferred_language: Option<String>,
    /// Marketing messages on or off (kept in the consent history when it changes).
    #[serde(default)]
    pub marketing_opt_in: Option<bool>,
}

/// What a consent is to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// Tessera's terms, accepted when joining.
    AccountTerms,
    /// A program's terms, accepted when enrolling or when they changed.
    ProgramTerms,
    /// Marketing messages, given or withdrawn.
    Marketing,
    /// A kind newer than this build.
    #[serde(other)]
    Unknown,
}

impl ConsentKind {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::AccountTerms => "account_terms",
            ConsentKind::ProgramTerms => "program_terms",
            ConsentKind::Marketing => "marketing",
            ConsentKind::Unknown => "unknown",
        }
    }

    /// The kind stored as `name` ([`ConsentKind::Unknown`] for any other).
    pub fn parse(name: &str) -> ConsentKind {
        match name {
            "account_terms" => ConsentKind::AccountTerms,
            "program_terms" => ConsentKind::ProgramTerms,
            "marketing" => ConsentKind::Marketing,
            _ => ConsentKind::Unknown,
        }
    }
}

/// One change of consent, as the history keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    pub kind: ConsentKind,
    /// The program, for [`ConsentKind::ProgramTerms`].
    pub program_id: Option<String>,
    /// The program's name, for [`ConsentKind::ProgramTerms`] of a program still configured.
    pub program_name: Option<String>,
    /// The terms version accepted (terms only).
    pub version: Option<String>,
    /// Given (`true`) or withdrawn.
    pub granted: bool,
    /// UTC unix ms.
    pub at: i64,
}

/// `GET /me/consents`: the customer's consent history, the newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consents {
    pub consents: Vec<Consent>,
}

/// Points a card holds, as the deletion's confirmation says they would be lost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsHeld {
    pub program_name: String,
    pub point_name: String,
    pub points: i64,
}

/// `GET /me/deletion`: what deleting the account would end now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletionPreview {
    /// Each open card's spendable points (forfeited).
    pub points: Vec<PointsHeld>,
    /// Vouchers not used yet (cancelled without refund).
    pub active_vouchers: i64,
    /// Club memberships (ended).
    pub memberships: i64,
}

/// `POST /me/delete`: the account's deletion, with the password (counted like a sign-in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeleteAccount {
    pub password: String,
}

/// `GET /auth/password-reset`: whether a forgotten password can be reset by e-mail here, and
/// whom to ask when it cannot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetInfo {
    /// An e-mail server is configured.
    pub available: bool,
    /// Whom to ask otherwise (the configuration's `[support] contact`).
    pub contact: Option<String>,
}

/// `POST /auth/password-reset`: send a reset link to this address, if it has an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetRequest {
    pub email: String,
}

/// `POST /auth/password-reset/confirm`: the link's token and the new password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetConfirm {
    pub token: String,
    /// At least 10 characters.
    pub new_password: String,
}

/// `POST /me/password`: a new password; every other session ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    /// The password now (counted like a sign-in).
    pub current_password: String,
    /// At least 10 characters.
    pub new_password: String,
}

/// `GET /wallet`: every card the customer holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Wallet {
    /// One card per program, oldest enrolment first.
    pub cards: Vec<Card>,
    /// The programs joined by application (`enrolment = "closed"`), in the configuration's
    /// order: to apply to, or, for their cardholders, to invite to.
    #[serde(default)]
    pub by_invitation: Vec<ProgramOffer>,
    /// The cards whose program's terms changed since their member accepted them
    /// (`GET /cards/{id}/terms`): the wallet asks for acceptance; until then the card earns,
    /// but spending points and redeeming wait.
    #[serde(default)]
    pub terms_to_accept: Vec<String>,
}

/// A program joined by application, as the wallet's home lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramOffer {
    pub program_id: String,
    pub name: String,
    /// The customer holds its card.
    pub held: bool,
    /// Their latest application's state, while they hold no card.
    pub application: Option<ApplicationStatus>,
    /// Its cardholders make invitation codes.
    pub invitations: bool,
}

/// A customer's membership of one program (`GET /cards/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Card {
    /// Card id.
    pub id: String,
    /// The program's id from configuration.
    pub program_id: String,
    /// The program's display name.
    pub program_name: String,
    /// What the program calls its points, e.g. "points", "stars".
    pub point_name: String,
    /// The program's currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "GEL"))]
    pub currency: Currency,
    /// Spendable points.
    pub balance: i64,
    /// The program terms version the member accepted (at enrolment, or since).
    pub terms_version: String,
    /// When the customer was enrolled.
    pub enrolled_at: i64,
    /// Earned points not yet spendable, soonest first.
    pub pending: Vec<PointsOn>,
    /// Points expiring within the next 30 days, soonest first, one line per local day.
    pub expiring: Vec<PointsOn>,
    /// The card's level, when the program has tiers.
    pub tier: Option<TierStatus>,
    /// The discount now and the next step.
    pub discount: DiscountView,
    /// The cheapest reward not yet affordable; `None` until the program has a catalog.
    pub next_reward: Option<RewardGoal>,
    /// What time alone will do to the level and the discount over the next year, soonest
    /// first: the wallet brings a kept card forward with it ([`Card::as_of`]) while it cannot
    /// ask. Missing from an older server's answer: then nothing changes.
    #[serde(default)]
    pub changes: Vec<CardChange>,
    /// When the 30-second step of the last checkout code a till accepted began (UTC unix ms):
    /// the code screen says "Scanned" once it is later than a step before the screen opened.
    /// `None` when no code of the card was ever accepted (or from an older server).
    #[serde(default)]
    pub last_code_at: Option<i64>,
    /// The highest discount of the clubs the card is a member of now, in basis points: it
    /// competes with `discount` (the highest rate applies at the till, [`Card::rate_bp`]).
    #[serde(default)]
    pub club_discount_bp: Option<u32>,
}

/// `GET /cards/{id}/terms`: the card's program terms, and whether its member accepted them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramTerms {
    pub program_name: String,
    /// The program's version now: the one to send back in [`AcceptTerms`].
    pub version: String,
    /// When they were updated, `YYYY-MM-DD`, when the program says.
    pub updated: Option<String>,
    /// Where the full text is published, when the program says.
    pub url: Option<String>,
    /// The version the member accepted. When it is not [`ProgramTerms::version`], the card
    /// earns, but spending points and redeeming wait for the member's acceptance.
    pub accepted_version: String,
}

/// `POST /cards/{id}/terms`: the member accepts the program's current terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptTerms {
    /// [`ProgramTerms::version`]: an older one is refused, so what was read is what is accepted.
    pub version: String,
}

/// The level and discount a card shows from `at` on if nothing else happens (no purchase): a
/// month leaving the tier window, a level's retention ending, a decaying discount dropping a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardChange {
    /// From this instant (UTC unix ms).
    pub at: i64,
    /// The level then; `None` for a program without tiers.
    pub tier: Option<TierStatus>,
    /// The discount then.
    pub discount: DiscountView,
}

/// Points that change state at one time: pending points becoming spendable, or points expiring.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsOn {
    /// The instant (UTC unix ms): when the points become spendable, or when they are gone.
    pub at: i64,
    /// The program's local day to show, `YYYY-MM-DD`: the day pending points become spendable,
    /// or the last day expiring points can still be spent.
    pub date: String,
    /// How many points.
    pub points: i64,
}

/// A card's level and what it takes to move up or stay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierStatus {
    /// The level's name ("Silver").
    pub name: String,
    /// Position among the program's levels, 0 = the first.
    pub rank: u32,
    /// How many levels the program has.
    pub levels: u32,
    /// The level's threshold (qualifying spend in minor units, or points).
    pub threshold: i64,
    /// Spend (minor units of the program's currency) or points.
    pub qualify_by: crate::tier::QualifyBy,
    /// Qualifying spend or points in the rolling window now.
    pub qualifying: i64,
    /// Earn multiplier in percent (125 = x1.25).
    pub multiplier_percent: u32,
    /// The level's discount in basis points (used when the program's discount is the tier's).
    pub discount_bp: u32,
    /// The level's other benefits.
    pub perks: Vec<String>,
    /// The next level up and what it takes, if there is one.
    pub next: Option<TierGoal>,
    /// When the level is held only by retention: what keeps it, and until when.
    pub keep: Option<TierGoal>,
}

/// "Spend `remaining` more by `by` to reach (or keep) `name`."
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierGoal {
    /// The level's name.
    pub name: String,
    /// Its threshold.
    pub threshold: i64,
    /// Qualifying spend (minor units) or points still needed.
    pub remaining: i64,
    /// The last local day (`YYYY-MM-DD`) by which `remaining` is enough; `None` when nothing
    /// counted leaves the window (no deadline).
    pub by: Option<String>,
}

/// The discount now and the next step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiscountView {
    /// The program's kind of discount.
    pub kind: crate::discount::DiscountKind,
    /// The rate now, in basis points (500 = 5 %).
    pub rate_bp: u32,
    /// The next higher rate, if any.
    pub next_rate_bp: Option<u32>,
    /// Spend (minor units) still needed for `next_rate_bp` (0: the next purchase reaches it).
    pub next_spend_minor: Option<i64>,
    /// A decaying discount drops a step at this instant without a purchase (UTC unix ms).
    pub drops_at: Option<i64>,
}

/// The cheapest reward the customer cannot yet afford.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardGoal {
    /// The reward's name.
    pub name: String,
    /// Its price in points.
    pub points: i64,
    /// Points still missing.
    pub remaining: i64,
}

/// One line of a card's history (`GET /cards/{id}/history`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// Position in the card's history, increasing.
    pub seq: i64,
    /// `earned`, `welcome`, `spent`, `expired`, `adjusted` or `refunded`.
    pub kind: crate::points::EntryKind,
    /// Points added (positive) or taken (negative).
    pub points: i64,
    /// What it was for ("Purchase", "Free cappuccino").
    pub reason: String,
    /// Where it happened (a store), if anywhere.
    pub place: Option<String>,
    /// The purchase amount (minor units of the card's currency) that earned these points.
    pub spend_minor: Option<i64>,
    /// When (UTC unix ms).
    pub at: i64,
}

/// A page of history, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    /// Up to the page size of entries, newest first.
    pub entries: Vec<HistoryEntry>,
    /// Pass as `?cursor=` for the next (older) page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// `POST /cards/{id}/checkout-secret`: what the wallet keeps on the device to show checkout codes
/// offline. One secret per card and session; it ends with the session (log out revokes it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutSecret {
    /// The card.
    pub card_id: String,
    /// The card's number, in the code and read aloud at the till (ten digits, Luhn-checked).
    pub card_number: String,
    /// The program, part of the code's MAC.
    pub program_id: String,
    /// The secret, 32 bytes in lowercase hex; keep it on the device only.
    pub secret: String,
    /// The server's clock when it answered (UTC unix ms), to correct the device's clock.
    pub server_time: i64,
}

/// A till session: returned by `POST /till/auth/login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillSession {
    /// Bearer token for the till endpoints only; shown once, stored only hashed.
    pub token: String,
    /// The session ends if unused until this time; each use moves it forward.
    pub idle_expires_at: i64,
    /// Who is signed in.
    pub staff: Staff,
}

/// A signed-in staff account (`GET /till/me`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Staff {
    /// Sign-in e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// What the account may do.
    pub role: StaffRole,
    /// The program the account works for.
    pub program_id: String,
    /// Its display name.
    pub program_name: String,
    /// The store, if the account is tied to one.
    pub location: Option<String>,
}

/// `POST /till/identify`: exactly one of a checkout code (scanned or typed) or a phone number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentifyRequest {
    /// The scanned `TSR1.…` text or the typed digits.
    #[serde(default)]
    pub code: Option<String>,
    /// The member's phone number: identifies for earning only.
    #[serde(default)]
    pub phone: Option<String>,
    /// With `phone`: the card the cashier chose among the members sharing the number (from
    /// `POST /till/phone-lookup`).
    #[serde(default)]
    pub card_id: Option<String>,
}

/// `POST /till/phone-lookup`: who has this phone number in the till's program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneLookupRequest {
    /// The phone number as typed.
    pub phone: String,
}

/// The members with a phone number, for the cashier to choose one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneMembers {
    /// At least one; ordered by name.
    pub members: Vec<PhoneMember>,
}

/// One member found by phone number: enough for the customer to say "that's me".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneMember {
    /// Pass as `card_id` to `POST /till/identify` with the same phone number.
    pub card_id: String,
    /// The member's display name.
    pub name: String,
    /// The last four digits of the card number.
    pub card_last4: String,
}

/// The member a till identified, and the ticket the till's next operations take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillMember {
    /// Pass to the till operations; bound to this till session and card.
    pub ticket: String,
    /// The ticket is refused after this time (UTC unix ms).
    pub ticket_expires_at: i64,
    /// Whether points may be spent on this ticket (only when identified by a checkout code).
    pub can_spend: bool,
    /// The member's display name.
    pub name: String,
    /// What one point is worth when paying with points, in minor units of the card's currency;
    /// `None` when the program takes no points as payment.
    pub point_value_minor: Option<i64>,
    /// The program's terms changed and the member has not accepted them in the wallet: the
    /// card earns as always, but points cannot be spent until they do.
    #[serde(default)]
    pub terms_pending: bool,
    /// The card now, as the till shows it.
    pub card: TillCard,
}

/// `POST /till/purchases` (with an `Idempotency-Key` header): a sale on the ticket's card. The
/// member's discount comes off the bill, points may pay part of what is left, and the rest is
/// paid in money, which earns points (`crate::bill`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillPurchaseRequest {
    /// From `POST /till/identify`.
    pub ticket: String,
    /// The bill, gross, in minor units of the program's currency.
    pub amount_minor: i64,
    /// Points the member spends on the bill, at the program's point value (0: none). Needs a
    /// ticket from a checkout code; their value may not exceed the total to pay.
    #[serde(default)]
    pub points: i64,
    /// A voucher of the member's to apply (its code, scanned or typed), after the discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<String>,
}

/// `POST /till/vouchers/check`: a voucher the member shows, checked before the sale (nothing is
/// used); typed codes count against the typed-code attempt limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillVoucherRequest {
    /// From `POST /till/identify`: the member the voucher must belong to.
    pub ticket: String,
    /// The voucher's code.
    pub code: String,
}

/// What a voucher is worth, flat (one of the three is set), so the wallet and the console read it
/// without serde's machinery for an internally tagged enum like `catalog::RewardKind` (about
/// 7.5 KB of wasm in each build).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherValue {
    /// An item (a free coffee): its price, in minor units; or
    pub item_minor: Option<i64>,
    /// an amount off one purchase, in minor units; or
    pub off_minor: Option<i64>,
    /// a share off one purchase (of what the member's discount left), in basis points.
    pub off_bp: Option<u32>,
}

impl VoucherValue {
    /// What it takes off a bill in `currency` (`crate::bill`).
    pub fn off(&self, currency: crate::Currency) -> crate::bill::VoucherOff {
        match self.item_minor.or(self.off_minor) {
            Some(minor) => crate::bill::VoucherOff::Amount(crate::Money::new(minor, currency)),
            None => crate::bill::VoucherOff::Rate(self.off_bp.unwrap_or(0)),
        }
    }
}

impl From<crate::catalog::RewardKind> for VoucherValue {
    fn from(kind: crate::catalog::RewardKind) -> Self {
        use crate::catalog::RewardKind;
        let none = VoucherValue {
            item_minor: None,
            off_minor: None,
            off_bp: None,
        };
        match kind {
            RewardKind::Item { value_minor } => VoucherValue {
                item_minor: Some(value_minor),
                ..none
            },
            RewardKind::AmountOff { amount_minor } => VoucherValue {
                off_minor: Some(amount_minor),
                ..none
            },
            RewardKind::PercentOff { rate_bp } => VoucherValue {
                off_bp: Some(rate_bp),
                ..none
            },
        }
    }
}

/// A voucher the till may apply: what it takes off the bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillVoucher {
    pub code: String,
    /// The reward's title.
    pub title: String,
    pub value: VoucherValue,
    /// UTC unix ms.
    pub expires_at: i64,
}

/// A bill as the till's money rule settled it (`crate::bill`), in minor units of the card's
/// currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillView {
    /// The bill, gross.
    pub gross_minor: i64,
    /// The member's discount rate, in basis points.
    pub discount_bp: u32,
    /// Taken off by the discount.
    pub discount_minor: i64,
    /// Taken off by a voucher.
    pub voucher_minor: i64,
    /// The part of an amount voucher more than what was left: lost with it.
    pub voucher_lost_minor: i64,
    /// What the member owed: gross less discount less voucher.
    pub total_minor: i64,
    /// Points spent on it.
    pub points_spent: i64,
    /// The part of the total those points paid.
    pub points_paid_minor: i64,
    /// The rest, paid in money (what earned points).
    pub money_paid_minor: i64,
}

impl BillView {
    /// The view of `settled`, for which `points_spent` points were spent.
    pub fn new(settled: &crate::bill::Settled, discount_bp: u32, points_spent: i64) -> Self {
        BillView {
            gross_minor: settled.gross,
            discount_bp,
            discount_minor: settled.discount,
            voucher_minor: settled.voucher,
            voucher_lost_minor: settled.voucher_lost,
            total_minor: settled.total,
            points_spent,
            points_paid_minor: settled.points_paid,
            money_paid_minor: settled.money_paid,
        }
    }
}

/// What a till purchase recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillPurchase {
    /// Points the purchase earned (pending first if the program says so).
    pub points: i64,
    /// The welcome bonus it brought (first purchase only).
    pub welcome_points: i64,
    /// The bill: discount, points and money.
    pub bill: BillView,
    /// The card afterwards.
    pub card: TillCard,
}

/// A card as the till shows it (`TillMember::card`, `TillPurchase::card`): what the cashier
/// needs to serve the member, without the customer's own views (coming up, goals, changes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillCard {
    pub id: String,
    pub program_id: String,
    pub program_name: String,
    /// What the program calls its points.
    pub point_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "GEL"))]
    pub currency: Currency,
    /// Spendable points.
    pub balance: i64,
    /// Points earned and not yet spendable.
    pub pending: i64,
    /// The level's name, when the program has tiers.
    pub tier: Option<String>,
    /// The discount the till applies now, in basis points ([`Card::rate_bp`]).
    pub discount_bp: u32,
}

impl From<&Card> for TillCard {
    fn from(card: &Card) -> Self {
        TillCard {
            id: card.id.clone(),
            program_id: card.program_id.clone(),
            program_name: card.program_name.clone(),
            point_name: card.point_name.clone(),
            currency: card.currency,
            balance: card.balance,
            pending: card.pending.iter().map(|p| p.points).sum(),
            tier: card.tier.as_ref().map(|t| t.name.clone()),
            discount_bp: card.rate_bp(),
        }
    }
}

/// A partner of a coalition program: where its points are earned and spent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerView {
    pub id: String,
    pub name: String,
    pub locations: Vec<String>,
}

/// One reward of the catalog, for the member asking (texts in their language).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardView {
    pub id: String,
    pub title: String,
    pub description: String,
    /// The drawing's path, e.g. `/rewards/coffee.svg`.
    pub picture: String,
    /// Points it costs this member (a club price when one of theirs has one).
    pub cost: i64,
    /// The price for other members, when this member's is a club price.
    #[serde(default)]
    pub list_cost: Option<i64>,
    /// What its voucher is worth.
    pub value: VoucherValue,
    /// How many are left; `None`: unlimited.
    pub stock_left: Option<i64>,
    /// The last day it may be redeemed, if it has one.
    pub available_until: Option<String>,
    /// Only for these levels (names); empty: every member.
    pub tiers: Vec<String>,
    /// Only at these partners (names); empty: every partner.
    pub partners: Vec<String>,
    /// Why the member cannot redeem it now (`insufficient_points`, `out_of_stock`,
    /// `limit_reached`, `not_eligible`, `not_yet_available`, `no_longer_available`); `None`: they
    /// can.
    pub refusal: Option<ErrorCode>,
    /// Points still to collect (0 when affordable).
    pub missing_points: i64,
}

/// `GET /programs/{id}/rewards`: the catalog, affordable first, then by cost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rewards {
    pub program_id: String,
    /// Where points are earned and spent (empty for a program of one brand).
    pub partners: Vec<PartnerView>,
    pub rewards: Vec<RewardView>,
}

/// Where a voucher stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VoucherStatus {
    /// May be used at the till until it expires.
    Active,
    /// Taken at a till.
    Used,
    /// Its time ran out unused (its points do not come back).
    Expired,
    /// Given back by the member: its points came back.
    Cancelled,
}

/// A reward redeemed: what the member shows at the till.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Voucher {
    pub id: String,
    /// To type at the till (and in its QR code): 10 characters, 50 bits.
    pub code: String,
    pub card_id: String,
    pub program_id: String,
    pub reward_id: String,
    /// The reward's title then, in the member's language.
    pub title: String,
    pub value: VoucherValue,
    /// The program's currency, for `value` (`None` once the program is no longer configured).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "GEL"))]
    pub currency: Option<crate::Currency>,
    /// Where it is taken: partner names; empty: wherever the program's points are.
    pub partners: Vec<String>,
    /// Points it cost.
    pub cost: i64,
    pub status: VoucherStatus,
    /// UTC unix ms.
    pub issued_at: i64,
    pub expires_at: i64,
    /// When it was used or cancelled.
    pub ended_at: Option<i64>,
    /// While active: its QR code (of `code`), an SVG as a `data:` URL, drawn by the server so the
    /// wallet shows it offline from its kept answer without a QR encoder of its own.
    pub qr: Option<String>,
}

/// A voucher redeemed or cancelled, and the card after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherWithCard {
    pub voucher: Voucher,
    pub card: Card,
}

/// `GET /vouchers`: the member's vouchers, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Vouchers {
    pub vouchers: Vec<Voucher>,
}

impl Card {
    /// The discount rate the till applies now, in basis points: the highest of the program's
    /// and the clubs' (rates compete, never add).
    pub fn rate_bp(&self) -> u32 {
        crate::bill::highest_rate([self.discount.rate_bp, self.club_discount_bp.unwrap_or(0)])
    }
}

/// A club as the member asking sees it: what it gives, what it costs or asks, and where they
/// stand (`GET /cards/{id}/clubs`). Texts in their language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClubView {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The drawing's path, e.g. `/clubs/beans.svg`.
    pub picture: String,
    pub kind: crate::club::ClubKind,
    /// Extra discount for members, in basis points (it competes with the member's others: the
    /// highest rate applies).
    pub discount_bp: Option<u32>,
    /// Earn multiplier for members, in percent (it multiplies the level's).
    pub multiplier_percent: Option<u32>,
    /// Perks in words.
    pub perks: Vec<String>,
    /// Titles of the rewards only its members may redeem.
    pub rewards: Vec<String>,
    /// A paid club's entrance fee (once per card) and recurring fee.
    pub entrance: Option<FeeView>,
    pub recurring: Option<FeeView>,
    pub every: Option<crate::club::Period>,
    /// A closed club's rules on the purchase history, with the member's progress on each.
    pub rules: Vec<crate::club::RuleProgress>,
    /// A closed club's questionnaire.
    pub questions: Vec<QuestionView>,
    /// Joining needs an invitation code from a member.
    pub invitation: bool,
    /// Staff approve each application.
    pub approval: bool,
    pub state: ClubState,
    /// While a member (or after): the membership.
    pub membership: Option<MembershipView>,
    /// The member's latest application, if the club takes them.
    pub application: Option<ApplicationView>,
    /// A member's invitation codes (an invitation club), newest first.
    pub invitations: Vec<InvitationView>,
    /// How many more codes the member may make this year.
    pub invitations_left: u32,
}

/// A fee in points and/or money (minor units of the program's currency).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeView {
    pub points: Option<i64>,
    pub minor: Option<i64>,
}

/// One question of a closed club's questionnaire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionView {
    pub id: String,
    pub text: String,
    pub kind: crate::club::QuestionKind,
    /// A choice's options, in order; answers name them by index.
    pub options: Vec<String>,
    pub required: bool,
}

/// Where the member stands with a club.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClubState {
    /// A member now: benefits apply.
    Member,
    /// May join now (open, paid, or a closed club whose rules hold).
    Eligible,
    /// A closed club whose purchase rules do not hold yet (see `rules`).
    NotEligible,
    /// An application waits for staff.
    Pending,
    /// A paid membership ended unrenewed; may join again.
    Lapsed,
}

/// A card's membership of a club.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipView {
    /// UTC unix ms.
    pub joined_at: i64,
    /// When a paid period ends (benefits stop then unless renewed); `None`: no end.
    pub ends_at: Option<i64>,
    /// The periodic job renews it with points on its end date.
    pub auto_renew: bool,
    /// Renewal with points is on and due within a week, and the balance is short of the fee.
    pub renewal_short: bool,
}

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Pending,
    Approved,
    Rejected,
}

/// A member's application to a club.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationView {
    pub id: String,
    pub status: ApplicationStatus,
    pub applied_at: i64,
    pub decided_at: Option<i64>,
    /// Staff's reason for a rejection.
    pub reason: Option<String>,
}

/// An invitation code a member made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationView {
    pub code: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// Somebody joined with it (a code is used once).
    pub used: bool,
}

/// `GET /cards/{id}/clubs`: the clubs of the card's program, for its member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clubs {
    /// The program, for the club writes (`/programs/{id}/clubs/{club}/...`).
    pub program_id: String,
    pub program_name: String,
    /// What the program calls its points.
    pub point_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "GEL"))]
    pub currency: Currency,
    /// The card's spendable points, for the fees payable with them.
    pub balance: i64,
    pub clubs: Vec<ClubView>,
}

/// An answer to one question: `text` for text, `date` (`YYYY-MM-DD`) for a date, `yes` for
/// yes/no, `choices` (option indexes) for a choice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    pub question: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub yes: Option<bool>,
    #[serde(default)]
    pub choices: Vec<u32>,
}

/// `POST /programs/{id}/clubs/{club}/join`: a paid club's fees are paid with points (in money,
/// the cashier takes them); a closed club's answers and invitation code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinClub {
    #[serde(default)]
    pub answers: Vec<Answer>,
    #[serde(default)]
    pub invitation: Option<String>,
    /// Renew with points on the end date (a paid club with a recurring fee).
    #[serde(default)]
    pub auto_renew: bool,
}

/// A club after a change the member made, and their card after it (points may have moved).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClubWithCard {
    pub club: ClubView,
    pub card: Card,
}

/// Where a customer stands with a program joined by application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// They hold its card.
    Cardholder,
    /// They may apply (again, after a rejection).
    CanApply,
    /// Their application waits for staff.
    Pending,
}

/// `GET /programs/{id}/entry`: a program joined by application (`enrolment = "closed"`) for the
/// signed-in customer: what applying asks, where they stand, and a cardholder's invitation
/// codes of this calendar year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramEntry {
    pub program_id: String,
    pub name: String,
    pub description: String,
    pub questions: Vec<QuestionView>,
    /// Applying needs an invitation code from a cardholder.
    pub invitation: bool,
    /// Staff approve each application.
    pub approval: bool,
    pub state: EntryState,
    /// Their card in the program, once they hold one.
    pub card_id: Option<String>,
    /// Their latest application (a rejection with its reason).
    pub application: Option<ApplicationView>,
    /// A cardholder's codes made this year, newest first (unused ones to share).
    pub invitations: Vec<InvitationView>,
    pub invitations_left: u32,
}

/// `POST /programs/{id}/apply`: the answers to the program's questionnaire and an invitation
/// code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplyToProgram {
    #[serde(default)]
    pub answers: Vec<Answer>,
    #[serde(default)]
    pub invitation: Option<String>,
}

/// `PUT /programs/{id}/clubs/{club}/auto-renew`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AutoRenew {
    pub on: bool,
}

/// `POST /till/club-fees`: take a paid club's fee in money from the identified member: joining
/// (the entrance fee if not paid before, and the first period's) or renewing (one period from
/// the current end date).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillClubFeeRequest {
    pub ticket: String,
    pub club_id: String,
}

/// A club fee taken at the till: what was charged and until when the membership runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillClubFee {
    pub club_name: String,
    /// Minor units of `currency`.
    pub amount_minor: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "GEL"))]
    pub currency: Currency,
    pub ends_at: Option<i64>,
}

/// `POST /till/club-fees/offers`: the paid clubs whose fee the cashier may take in money from
/// the ticket's member now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillClubOffers {
    pub offers: Vec<TillClubOffer>,
}

/// `POST /till/club-fees/offers`: the identified member's ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillTicket {
    pub ticket: String,
}

/// A paid club the till may take a fee for, with what it would charge the identified member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillClubOffer {
    pub club_id: String,
    pub club_name: String,
    /// What taking the fee does: join, or renew an active membership.
    pub renewal: bool,
    /// Minor units of `currency`.
    pub amount_minor: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "GEL"))]
    pub currency: Currency,
    /// The member's current end date, for a renewal.
    pub ends_at: Option<i64>,
}

/// An application in the managers' queue (`GET /till/applications`), oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillApplication {
    pub id: String,
    /// The club applied to; `None`: the program itself (`enrolment = "closed"`).
    pub club_id: Option<String>,
    /// The club's name, or the program's.
    pub applies_to: String,
    /// The applicant's name, and their card's number (none yet for the program itself).
    pub member_name: String,
    pub card_number: Option<String>,
    pub applied_at: i64,
    /// The questionnaire as asked and answered, in the club's order.
    pub answers: Vec<AnsweredQuestion>,
    /// An invitation code came with it.
    pub invited: bool,
}

/// A question with the applicant's answer in words (empty when skipped).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnsweredQuestion {
    pub question: String,
    pub answer: String,
}

/// `GET /till/applications`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillApplications {
    pub applications: Vec<TillApplication>,
}

/// `POST /till/applications/{id}/decide`: approve, or reject with a reason the member
/// reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecideApplication {
    pub approve: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_is_sent_by_the_name_it_is_read_by() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
            assert_eq!(ErrorCode::from_name(code.as_str()), code);
        }
    }

    #[test]
    fn an_error_code_newer_than_this_build_reads_as_unknown() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":"gift_card_frozen","message":"Too late."}"#).unwrap();
        assert_eq!(body.error, ErrorCode::Unknown);
        assert_eq!(ErrorCode::from_name("gift_card_frozen"), ErrorCode::Unknown);
    }
}
