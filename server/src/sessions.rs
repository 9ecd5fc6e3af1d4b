//! The customer's sessions (issue 16): their list (which browser on which system, created, last
//! used, this one marked), ending one or every other, and "I lost my phone", from a signed-in
//! device or from the sign-in screen with the password (which signs this device in): every
//! other session ends, and every checkout secret of their cards and the till tickets made from
//! codes are revoked, so a code on the lost phone is refused from the next scan.

use crate::accounts::{signed_in, verify_customer};
use crate::auth::session::{self, CustomerSession};
use crate::client_address::ClientAddress;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdPath, UserAgent};
use crate::openapi::refusals::{refusals, SessionRefusals, SignInRefusals, SIGNED_IN};
use crate::state::AppState;
use crate::store::{self, now_ms, StoreError, Tx};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::Router;
use tessera_core::api::{ErrorCode, LoginRequest, SessionView, Sessions, SessionsEnded, SignedIn};
use tessera_core::device;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/sessions", get(list))
        .route("/me/sessions/{id}", delete(end))
        .route("/me/sessions/end-others", post(end_others))
        .route("/me/lost-phone", post(lost_phone))
        .route("/auth/lost-phone", post(lost_phone_signing_in))
}

/// The signed-in customer's live sessions, the last used first: the browser and system each
/// signed in with, when it began and was last used, and which is this one.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Sessions), SessionRefusals))]
pub async fn list(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<ApiJson<Sessions>> {
    let rows = store::sessions::of_customer(&state.store, &session.customer_id, now_ms()).await?;
    let sessions = rows
        .into_iter()
        .map(|row| {
            let device = device::describe(row.user_agent.as_deref().unwrap_or_default());
            SessionView {
                current: row.id == session.session_id,
                id: row.id,
                browser: device.browser.map(str::to_owned),
                system: device.system.map(str::to_owned),
                created_at: row.created_at,
                last_used_at: row.last_used_at,
            }
        })
        .collect();
    Ok(ApiJson(Sessions { sessions }))
}

refusals! {
    EndRefusals = SIGNED_IN, &[ErrorCode::NotFound]
}

/// Ends one of the customer's sessions (this one too: that is signing out); another
/// customer's is "not found".
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "accounts",
    security(("bearer" = [])), params(IdPath),
    responses((status = 204), EndRefusals))]
pub async fn end(
    State(state): State<AppState>,
    session: CustomerSession,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    if !store::sessions::delete_customers(&state.store, &session.customer_id, &id).await? {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the customer but this one (their checkout secrets go with them).
#[utoipa::path(post, path = "/api/v1/me/sessions/end-others", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = SessionsEnded), SessionRefusals))]
pub async fn end_others(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<ApiJson<SessionsEnded>> {
    let mut tx = state.store.transaction().await?;
    let ended =
        store::sessions::delete_others(&mut tx, &session.customer_id, Some(&session.session_id))
            .await?;
    store::commit(tx).await?;
    Ok(ApiJson(SessionsEnded {
        ended,
        secrets_revoked: 0,
    }))
}

/// "I lost my phone", from a signed-in device: every other session ends, and every checkout
/// secret of the customer's cards on other devices and the till tickets made from codes are
/// revoked, so the lost phone's codes are refused from the next scan (this device, in the
/// customer's hand, keeps its own).
#[utoipa::path(post, path = "/api/v1/me/lost-phone", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = SessionsEnded), SessionRefusals))]
pub async fn lost_phone(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<ApiJson<SessionsEnded>> {
    let mut tx = state.store.transaction().await?;
    let ended = lose_phone(&mut tx, &session.customer_id, Some(&session.session_id)).await?;
    store::commit(tx).await?;
    Ok(ApiJson(ended))
}

/// "I lost my phone", from the sign-in screen: the e-mail and password (counted like a sign-in)
/// end every session of the customer and revoke as [`lost_phone`] does, then sign this device
/// in, in the same transaction.
#[utoipa::path(post, path = "/api/v1/auth/lost-phone", tag = "accounts",
    request_body = LoginRequest,
    responses((status = 200, body = SignedIn), SignInRefusals))]
pub async fn lost_phone_signing_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    UserAgent(user_agent): UserAgent,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<ApiJson<SignedIn>> {
    let id = verify_customer(&state, &address, req).await?;
    let mut tx = state.store.transaction().await?;
    lose_phone(&mut tx, &id, None).await?;
    let new_session = session::create(&mut tx, state.sessions, &id, user_agent).await?;
    store::commit(tx).await?;
    signed_in(&state, &id, new_session).await
}

/// Ends every session of `customer_id` but `keep`, and revokes every checkout secret of their
/// cards but `keep`'s and the till tickets codes made, in `tx`.
async fn lose_phone(
    tx: &mut Tx,
    customer_id: &str,
    keep: Option<&str>,
) -> Result<SessionsEnded, StoreError> {
    // The secrets first: the sessions' deletion would take most of them uncounted.
    let secrets_revoked = store::checkout::revoke_others(tx, customer_id, keep).await?;
    let ended = store::sessions::delete_others(tx, customer_id, keep).await?;
    store::till::revoke_code_tickets(tx, customer_id).await?;
    Ok(SessionsEnded {
        ended,
        secrets_revoked,
    })
}
