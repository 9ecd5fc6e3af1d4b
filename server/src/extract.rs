//! The API's extractors: JSON request bodies (checked for text no stored field may hold) and
//! path ids, each rejecting in the API's error shape.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tessera_core::api::{
    AcceptTerms, ApplyToProgram, AutoRenew, DecideApplication, DeleteAccount, ErrorCode,
    FieldError, IdentifyRequest, JoinClub, LoginRequest, PasswordChange, PasswordResetConfirm,
    PasswordResetRequest, PhoneLookupRequest, ProfileChange, RegisterRequest, TillClubFeeRequest,
    TillPurchaseRequest, TillTicket, TillVoucherRequest,
};
use tessera_core::validation::{is_forbidden_char, FieldCode};

/// A JSON request body: its rejections are [`ApiError`]s in the API's shape, and before it is
/// decoded every string in it is checked for characters no stored text may hold
/// ([`is_forbidden_char`]), so both engines store the same thing and a NUL never reaches
/// PostgreSQL: the first such field is named in a 422.
pub struct ApiJson<T>(pub T);

/// A type a request body decodes into, with what its text fields may hold.
pub trait RequestBody: DeserializeOwned {
    /// Fields never stored or shown (passwords, which are only hashed): any character goes.
    const UNCHECKED: &'static [&'static str] = &[];
    /// Fields of several lines, where tab and newline are allowed.
    const MULTILINE: &'static [&'static str] = &[];
}

impl<T: RequestBody> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        // axum's `Json` checks the content type and parses; the whole body must arrive within
        // the body timeout, however slowly it trickles in.
        let axum::Json(value) = tokio::time::timeout(
            state.body_timeout,
            axum::Json::<Value>::from_request(req, state),
        )
        .await
        .map_err(|_| ApiError::request_timeout())??;
        if let Some(field) = forbidden_text(&value, "", T::UNCHECKED, T::MULTILINE) {
            return Err(ApiError::validation(vec![FieldError {
                field,
                code: FieldCode::InvalidCharacters,
            }]));
        }
        // The error names fields and types only, never server state.
        T::deserialize(value).map(ApiJson).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidBody,
                format!("The request body has a missing or wrong field: {e}"),
            )
        })
    }
}

/// The path (`a.b.0`) of the first string, or object key, holding a forbidden character.
fn forbidden_text(
    value: &Value,
    path: &str,
    unchecked: &[&str],
    multiline: &[&str],
) -> Option<String> {
    let bad = |text: &str, multi: bool| text.chars().any(|c| is_forbidden_char(c, multi));
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) if !unchecked.contains(&path) => {
            bad(s, multiline.contains(&path)).then(|| path.to_owned())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| forbidden_text(v, &join(&i.to_string()), unchecked, multiline)),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let field = join(k);
            if bad(k, false) {
                Some(field)
            } else {
                forbidden_text(v, &field, unchecked, multiline)
            }
        }),
        _ => None,
    }
}

/// The `{id}` of a path. An id that cannot exist (not UTF-8, a control character, not the
/// letters, digits and dashes ids are made of, or too long) answers exactly like an unknown
/// one: 404, in the API's shape, without reaching the database.
#[derive(utoipa::IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
pub struct IdPath(
    /// The id of what the path names.
    pub String,
);

/// Longer than any id the server makes.
const ID_MAX_LEN: usize = 64;

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_: PathRejection| ApiError::not_found())?;
        let plausible = !id.is_empty()
            && id.len() <= ID_MAX_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if plausible {
            Ok(Self(id))
        } else {
            Err(ApiError::not_found())
        }
    }
}

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Every request body of the API. A new one must say here which of its fields are unchecked
/// or multi-line before a handler can take it.
impl RequestBody for RegisterRequest {
    const UNCHECKED: &'static [&'static str] = &["password"];
}
impl RequestBody for LoginRequest {
    const UNCHECKED: &'static [&'static str] = &["password"];
}
impl RequestBody for IdentifyRequest {}
impl RequestBody for PhoneLookupRequest {}
impl RequestBody for TillPurchaseRequest {}
impl RequestBody for TillVoucherRequest {}
impl RequestBody for TillClubFeeRequest {}
impl RequestBody for TillTicket {}
impl RequestBody for DecideApplication {}
impl RequestBody for JoinClub {}
impl RequestBody for ApplyToProgram {}
impl RequestBody for AutoRenew {}
impl RequestBody for ProfileChange {}
impl RequestBody for AcceptTerms {}
impl RequestBody for PasswordResetRequest {}
impl RequestBody for PasswordResetConfirm {
    const UNCHECKED: &'static [&'static str] = &["new_password"];
}
impl RequestBody for DeleteAccount {
    const UNCHECKED: &'static [&'static str] = &["password"];
}
impl RequestBody for PasswordChange {
    const UNCHECKED: &'static [&'static str] = &["current_password", "new_password"];
}

/// The request's `User-Agent`, kept with a new session so the customer's list of sessions can
/// say which device each is (`tessera_core::device`): at most `USER_AGENT_MAX` bytes, `None`
/// without one (or one that is not visible ASCII). Never refuses a request.
pub struct UserAgent(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for UserAgent {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.chars()
                    .take(crate::store::sessions::USER_AGENT_MAX)
                    .collect::<String>()
            })
            .filter(|v| !v.trim().is_empty());
        Ok(UserAgent(agent))
    }
}

/// The language a request asks to read configured texts in: the first of its `Accept-Language`
/// tags (in the order given; the wallet sends its own language alone) that the wallet speaks
/// (`core::validation::known_language`); `None` reads them in the program's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderLanguage(pub Option<&'static str>);

impl<S: Send + Sync> FromRequestParts<S> for ReaderLanguage {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Ok(ReaderLanguage(reader_language(header)))
    }
}

/// The first tag of an `Accept-Language` value the wallet speaks (at most 16 looked at; a tag
/// weighted `q=0` is refused by its sender, so skipped).
fn reader_language(header: &str) -> Option<&'static str> {
    header
        .split(',')
        .take(16)
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (!refused).then_some(tag)
        })
        .find_map(tessera_core::validation::known_language)
}

#[cfg(test)]
mod tests {
    use super::reader_language;

    #[test]
    fn the_first_language_the_wallet_speaks_is_the_readers() {
        assert_eq!(reader_language("ka-GE,ka;q=0.9,en;q=0.8"), Some("ka"));
        assert_eq!(reader_language("de-DE, lv;q=0.7, en;q=0.5"), Some("lv"));
        assert_eq!(reader_language("sr-Latn-RS"), Some("sr-Latn"));
        assert_eq!(reader_language("sr"), Some("sr-Latn"));
    }

    #[test]
    fn a_refused_or_unknown_language_reads_in_the_programs() {
        assert_eq!(reader_language("ka;q=0, bg;q=0.5"), Some("bg"));
        assert_eq!(reader_language("de, fr"), None);
        assert_eq!(reader_language(""), None);
    }
}
