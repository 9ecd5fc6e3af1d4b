//! Deleting the account (issue 16): what it would end (`GET /me/deletion`, for the
//! confirmation), and the deletion itself (`POST /me/delete`, with the password, counted like a
//! sign-in), which `store::deletion::erase` does in one transaction.

use crate::accounts::{load_me, verify_customer};
use crate::auth::session::CustomerSession;
use crate::client_address::ClientAddress;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::openapi::refusals::{refusals, SessionRefusals, JSON_BODY, PASSWORD_HASHING, SIGNED_IN};
use crate::state::AppState;
use crate::store::{self, now_ms};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use tessera_core::api::{DeleteAccount, DeletionPreview, ErrorCode, LoginRequest, PointsHeld};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/deletion", get(preview))
        .route("/me/delete", post(delete))
}

/// What deleting the account would end now: each card's points, the vouchers not used yet and
/// the club memberships.
#[utoipa::path(get, path = "/api/v1/me/deletion", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = DeletionPreview), SessionRefusals))]
pub async fn preview(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<ApiJson<DeletionPreview>> {
    let losses = store::deletion::losses(&state.store, &session.customer_id, now_ms()).await?;
    let points = losses
        .points
        .into_iter()
        .filter_map(|(program_id, points)| {
            let program = state.config.program(&program_id)?;
            Some(PointsHeld {
                program_name: program.name.clone(),
                point_name: program.point_name.clone(),
                points,
            })
        })
        .collect();
    Ok(ApiJson(DeletionPreview {
        points,
        active_vouchers: losses.active_vouchers,
        memberships: losses.memberships,
    }))
}

refusals! {
    DeleteRefusals = SIGNED_IN, JSON_BODY, PASSWORD_HASHING, &[ErrorCode::InvalidCredentials]
}

/// Deletes the account: the password is checked (counted like a sign-in); then, at once, the
/// personal data is erased, the cards close (their points forfeited), vouchers are cancelled
/// without refund, memberships and applications end and invitation codes die; every session
/// ends. The ledger and purchases stay, anonymous, for the books; the e-mail may join again.
#[utoipa::path(post, path = "/api/v1/me/delete", tag = "accounts", security(("bearer" = [])),
    request_body = DeleteAccount,
    responses((status = 204), DeleteRefusals))]
pub async fn delete(
    State(state): State<AppState>,
    session: CustomerSession,
    ClientAddress(address): ClientAddress,
    ApiJson(req): ApiJson<DeleteAccount>,
) -> ApiResult<StatusCode> {
    let me = load_me(&state, &session.customer_id).await?;
    let sign_in = LoginRequest {
        email: me.email.clone(),
        password: req.password,
    };
    if verify_customer(&state, &address, sign_in).await? != session.customer_id {
        return Err(ApiError::unauthenticated());
    }
    let mut tx = state.store.transaction().await?;
    store::deletion::erase(&mut tx, &session.customer_id, &me.email, now_ms()).await?;
    store::commit(tx).await?;
    tracing::info!(customer = %session.customer_id, "account deleted");
    Ok(StatusCode::NO_CONTENT)
}
