//! The console's HTTP client: the till endpoints of `/api/v1` with the till session's token and,
//! for writes, an `Idempotency-Key`.
//!
//! Apart from the wallet's client (`crate::api`) on purpose: that one sends the customer's token
//! and forgets the customer's session on a 401; here a 401 ends the till session only, so a
//! customer signed in to the wallet in the same browser stays signed in. The JSON codec is
//! shared ([`crate::api::json`]).

use crate::api::json::{FromJs, ToJs};
use crate::api::{status_code, BASE};
use crate::session::TILL;
use tessera_core::api::{
    ErrorBody, ErrorCode, FieldError, IdentifyRequest, LoginRequest, PayWithPointsRequest,
    PhoneLookupRequest, PhoneMembers, PointsPayment, Staff, TillMember, TillPurchase,
    TillPurchaseRequest, TillSession,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Date, JSON};
use web_sys::{Headers, RequestInit, Response};

/// Why a till request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TillError {
    /// No answer: offline, server down. The request may or may not have been applied, so a write
    /// is retried with the same `Idempotency-Key`.
    Network,
    /// The server refused the request with an [`ErrorBody`].
    Refused {
        /// The body's code (or one from the status without a body).
        code: ErrorCode,
        /// `Retry-After` seconds (`too_many_attempts`, `rate_limited`).
        retry_after: Option<u32>,
        /// The invalid fields of a `validation` error.
        fields: Vec<FieldError>,
    },
}

impl TillError {
    /// The server's error code; `None` when no answer came.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            TillError::Network => None,
            TillError::Refused { code, .. } => Some(*code),
        }
    }

    /// The invalid fields (empty unless `validation`).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            TillError::Refused { fields, .. } => fields,
            TillError::Network => &[],
        }
    }

    /// Whether the till session has ended (the console goes back to sign-in).
    pub fn ended_session(&self) -> bool {
        self.code() == Some(ErrorCode::Unauthenticated)
    }

    /// A refusal with only a code (for checks made before sending).
    pub fn refused(code: ErrorCode) -> Self {
        TillError::Refused {
            code,
            retry_after: None,
            fields: Vec::new(),
        }
    }
}

/// A member the till identified, with the server's clock at the answer (from the `Date`
/// header) so the ticket's countdown does not depend on the till's own clock.
#[derive(Clone, Debug, PartialEq)]
pub struct Identified {
    /// The member and the ticket.
    pub member: TillMember,
    /// The server's time of the answer (UTC unix ms), when the response said it.
    pub server_now: Option<i64>,
}

/// A fresh `Idempotency-Key`: 128 random bits from the browser's CSPRNG as 32 hex digits.
///
/// `getRandomValues` rather than `randomUUID`, which exists only in secure contexts: a till on
/// a shop's LAN may be served over plain HTTP.
pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No CSPRNG (never seen in a browser): time and Math.random still make a unique key.
        let now = Date::now() as u64;
        let noise = (web_sys::js_sys::Math::random() * u64::MAX as f64) as u64;
        bytes[..8].copy_from_slice(&now.to_be_bytes());
        bytes[8..].copy_from_slice(&noise.to_be_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `POST /till/auth/login`.
pub async fn login(request: &LoginRequest) -> Result<TillSession, TillError> {
    let response = send("POST", "/till/auth/login", Some(request.to_js()), None).await?;
    body(response).await
}

/// `POST /till/auth/logout`; the session is forgotten on this device whatever the answer.
pub async fn logout() -> Result<(), TillError> {
    let result = send("POST", "/till/auth/logout", None, None).await;
    TILL.clear();
    let response = result?;
    if response.ok() {
        Ok(())
    } else {
        Err(refusal(response).await)
    }
}

/// `GET /till/me`.
pub async fn me() -> Result<Staff, TillError> {
    let response = send("GET", "/till/me", None, None).await?;
    body(response).await
}

/// `POST /till/identify`: by checkout code or phone number.
pub async fn identify(request: &IdentifyRequest) -> Result<Identified, TillError> {
    let response = send("POST", "/till/identify", Some(request.to_js()), None).await?;
    let server_now = response
        .headers()
        .get("Date")
        .ok()
        .flatten()
        .map(|date| Date::parse(&date))
        .filter(|ms| ms.is_finite())
        .map(|ms| ms as i64);
    Ok(Identified {
        member: body(response).await?,
        server_now,
    })
}

/// `POST /till/phone-lookup`: the members sharing a phone number, to choose one.
pub async fn phone_lookup(request: &PhoneLookupRequest) -> Result<PhoneMembers, TillError> {
    let response = send("POST", "/till/phone-lookup", Some(request.to_js()), None).await?;
    body(response).await
}

/// `POST /till/purchases` with `key` as its `Idempotency-Key`.
pub async fn purchase(request: &TillPurchaseRequest, key: &str) -> Result<TillPurchase, TillError> {
    let response = send("POST", "/till/purchases", Some(request.to_js()), Some(key)).await?;
    body(response).await
}

/// `POST /till/pay-with-points` with `key` as its `Idempotency-Key`.
pub async fn pay_with_points(
    request: &PayWithPointsRequest,
    key: &str,
) -> Result<PointsPayment, TillError> {
    let response = send(
        "POST",
        "/till/pay-with-points",
        Some(request.to_js()),
        Some(key),
    )
    .await?;
    body(response).await
}

/// Sends one request to `{BASE}{path}` with the till token, a JSON body and an idempotency key
/// when given; no answer at all is [`TillError::Network`]. Not generic: compiled once.
async fn send(
    method: &str,
    path: &str,
    body: Option<JsValue>,
    idempotency_key: Option<&str>,
) -> Result<Response, TillError> {
    let headers = Headers::new().map_err(|_| TillError::Network)?;
    let _ = headers.set("Accept", "application/json");
    if let Some(token) = TILL.token() {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    if let Some(key) = idempotency_key {
        let _ = headers.set("Idempotency-Key", key);
    }
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        let text = JSON::stringify(&body)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or(TillError::Network)?;
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(&text));
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(TillError::Network)?;
    let response = JsFuture::from(window.fetch_with_str_and_init(&format!("{BASE}{path}"), &init))
        .await
        .map_err(|_| TillError::Network)?;
    response.dyn_into().map_err(|_| TillError::Network)
}

/// The parsed JSON body, if there is one.
async fn json(response: &Response) -> Option<JsValue> {
    JsFuture::from(response.json().ok()?).await.ok()
}

/// A success's body as `T`, or the refusal.
async fn body<T: FromJs>(response: Response) -> Result<T, TillError> {
    if !response.ok() {
        return Err(refusal(response).await);
    }
    json(&response)
        .await
        .and_then(|v| T::from_js(&v))
        .ok_or_else(|| TillError::refused(ErrorCode::Internal))
}

/// The [`TillError`] of an error response; a 401 forgets the till session.
async fn refusal(response: Response) -> TillError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("Retry-After")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u32>().ok());
    let body = json(&response).await.and_then(|v| ErrorBody::from_js(&v));
    let (code, fields) = match body {
        Some(body) => (body.error, body.fields),
        None => (status_code(status), Vec::new()),
    };
    if code == ErrorCode::Unauthenticated {
        TILL.clear();
    }
    TillError::Refused {
        code,
        retry_after,
        fields,
    }
}
