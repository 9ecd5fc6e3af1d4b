//! The till endpoints of `/api/v1`, through the one client ([`crate::api`]) in the till's
//! [`Realm`]: the till session's token, a 401 ends the till session only (a customer signed in to
//! the wallet in the same browser stays signed in), and writes carry an `Idempotency-Key`.

use crate::api::{answer, decode, encode, send, sign_out, ApiError, Realm};
use gloo_net::http::{Method, Response};
use serde::de::DeserializeOwned;
use tessera_core::api::{
    ApplicationView, DecideApplication, IdentifyRequest, LoginRequest, PhoneLookupRequest,
    PhoneMembers, Staff, TillApplications, TillClubFee, TillClubFeeRequest, TillClubOffers,
    TillMember, TillPurchase, TillPurchaseRequest, TillSession, TillTicket, TillVoucher,
    TillVoucherRequest,
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

/// `POST /till/vouchers/check`: the member's voucher and what it takes off, nothing used.
pub async fn check_voucher(request: &TillVoucherRequest) -> Result<TillVoucher, ApiError> {
    body(post("/till/vouchers/check", encode(request)?, None).await?).await
}

/// `POST /till/purchases` with `key` as its `Idempotency-Key`.
pub async fn purchase(request: &TillPurchaseRequest, key: &str) -> Result<TillPurchase, ApiError> {
    body(post("/till/purchases", encode(request)?, Some(key)).await?).await
}

/// `POST /till/club-fees` with `key` as its `Idempotency-Key`: a club's fee taken in money.
pub async fn club_fee(request: &TillClubFeeRequest, key: &str) -> Result<TillClubFee, ApiError> {
    body(post("/till/club-fees", encode(request)?, Some(key)).await?).await
}

/// `POST /till/club-fees/offers`: the fees the till may take from the ticket's member.
pub async fn club_fee_offers(ticket: &TillTicket) -> Result<TillClubOffers, ApiError> {
    body(post("/till/club-fees/offers", encode(ticket)?, None).await?).await
}

/// `GET /till/applications` (managers): the pending applications, oldest first.
pub async fn applications() -> Result<TillApplications, ApiError> {
    body(till(Method::GET, "/till/applications", None, None).await?).await
}

/// `POST /till/applications/{id}/decide` (managers).
pub async fn decide(id: &str, decision: &DecideApplication) -> Result<ApplicationView, ApiError> {
    let path = format!(
        "/till/applications/{}/decide",
        String::from(web_sys::js_sys::encode_uri_component(id))
    );
    body(post(&path, encode(decision)?, None).await?).await
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
