//! `Idempotency-Key` for till writes (and a customer's redemptions, `crate::rewards`): a client that
//! retries (a timeout, a double tap) gets the first response and the write is applied once. The
//! key is scoped to the staff account (or the customer) and claimed in the same transaction that
//! applies the request and stores its response; a concurrent retry waits on the claim and then
//! reads the stored response. A request that fails claims nothing.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, now_ms, Tx};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tessera_core::api::ErrorCode;

/// The request's `Idempotency-Key` header: 1 to 100 visible ASCII characters.
#[derive(Clone, Debug, utoipa::IntoParams)]
#[into_params(names("Idempotency-Key"), parameter_in = Header)]
pub struct IdempotencyKey(
    /// Unique per write; a retry with the same key returns the first response.
    pub String,
);

impl FromRequestParts<AppState> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        parts
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .filter(|k| (1..=100).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .map(|k| Self(k.to_owned()))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::IdempotencyKeyRequired,
                    "Send an Idempotency-Key header (1-100 visible characters) with this request.",
                )
            })
    }
}

/// A claimed key: the request is new, or this is the response it got the first time.
pub enum Claim {
    Fresh,
    Replay(Response),
}

/// The fingerprint of a request: which endpoint and what body.
pub fn request_hash(endpoint: &str, body: &impl serde::Serialize) -> String {
    let json = serde_json::to_string(body).unwrap_or_default();
    hex::encode(Sha256::digest(format!("{endpoint}\n{json}").as_bytes()))
}

/// Claims `key` in `scope` (a staff account's e-mail, or `customer:<id>`) in `tx`, or returns the stored response of the same
/// request; the same key with another request is refused.
pub async fn claim(tx: &mut Tx, scope: &str, key: &str, request_hash: &str) -> ApiResult<Claim> {
    let Some(stored) = store::till::claim_key(tx, scope, key, request_hash, now_ms()).await? else {
        return Ok(Claim::Fresh);
    };
    if stored.request_hash != request_hash {
        return Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "This Idempotency-Key was used for a different request.",
        ));
    }
    let status = u16::try_from(stored.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    Ok(Claim::Replay(json_response(status, stored.body)))
}

/// Stores the response of the claimed key (in the claiming transaction) and returns it.
pub async fn store(
    tx: &mut Tx,
    scope: &str,
    key: &str,
    status: StatusCode,
    body: &impl serde::Serialize,
) -> ApiResult<Response> {
    let json = serde_json::to_string(body).map_err(ApiError::internal)?;
    store::till::store_response(tx, scope, key, status.as_u16(), &json).await?;
    Ok(json_response(status, json))
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// The idempotency keys' scope of a customer's writes (staff accounts' are their e-mails, which
/// never start so).
pub fn customer_scope(customer_id: &str) -> String {
    format!("customer:{customer_id}")
}
