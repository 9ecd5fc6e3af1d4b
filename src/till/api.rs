//! The till endpoints of `/api/v1`, through the one client ([`crate::api`]) in the till's
//! [`Realm`]: the till session's token, a 401 ends the till session only (a customer signed in to
//! the wallet in the same browser stays signed in), and writes carry an `Idempotency-Key`.

use crate::api::{answer, decode, encode, send, sign_out, ApiError, Realm};
use gloo_net::http::{Method, Response};
use serde::de::DeserializeOwned;
use tessera_core::api::{
    IdentifyRequest, LoginRequest, PhoneLookupRequest, PhoneMembers, Staff, TillMember,
    TillPurchase, TillPurchaseRequest, TillSession,
};
use web_sys::js_sys::Date;

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

/// `POST /till/auth/login`. By value: the sign-in form's action owns the request it sends.
pub async fn login(request: LoginRequest) -> Result<TillSession, ApiError> {
    body(post("/till/auth/login", encode(&request)?, None).await?).await
}

/// `POST /till/auth/logout`; the session is forgotten on this device whatever the answer.
pub async fn logout() -> Result<(), ApiError> {
    sign_out(Realm::Till, "/till/auth/logout").await
}

/// `GET /till/me`.
pub async fn me() -> Result<Staff, ApiError> {
    let response = till(Method::GET, "/till/me", None, None).await?;
    body(response).await
}

/// `POST /till/identify`: by checkout code or phone number.
pub async fn identify(request: &IdentifyRequest) -> Result<Identified, ApiError> {
    let response = till(Method::POST, "/till/identify", Some(encode(request)?), None).await?;
    let server_now = response
        .headers()
        .get("Date")
        .map(|date| Date::parse(&date))
        .filter(|ms| ms.is_finite())
        .map(|ms| ms as i64);
    Ok(Identified {
        member: body(response).await?,
        server_now,
    })
}

/// `POST /till/phone-lookup`: the members sharing a phone number, to choose one.
pub async fn phone_lookup(request: &PhoneLookupRequest) -> Result<PhoneMembers, ApiError> {
    body(post("/till/phone-lookup", encode(request)?, None).await?).await
}

/// `POST /till/purchases` with `key` as its `Idempotency-Key`.
pub async fn purchase(request: &TillPurchaseRequest, key: &str) -> Result<TillPurchase, ApiError> {
    body(post("/till/purchases", encode(request)?, Some(key)).await?).await
}

/// `POST`s a request's JSON, with `key` as its `Idempotency-Key` when given. Not generic over
/// the request or the answer: a generic one grew a copy of the send for each write, 697 bytes
/// gzip -9 more in the console (`bench size`).
async fn post(path: &str, json: String, key: Option<&str>) -> Result<Response, ApiError> {
    till(Method::POST, path, Some(json), key).await
}

/// Sends a till request with a JSON body and an idempotency key when given.
async fn till(
    method: Method,
    path: &str,
    body: Option<String>,
    idempotency_key: Option<&str>,
) -> Result<Response, ApiError> {
    send(Realm::Till, method, path, &[], body, idempotency_key).await
}

/// A success's body as `T`, or the refusal.
async fn body<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    decode(&answer(Realm::Till, response).await?)
}
