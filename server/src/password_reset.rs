//! A forgotten password (issue 16): a link by e-mail that sets a new one, single-use and valid
//! for an hour, through the configured mail server (`crate::mail`); without one, resetting is
//! off and `GET /auth/password-reset` says whom to ask.
//!
//! Asking says nothing about whether the address has an account: the answer is the same and as
//! quick either way (the mail is sent after the answer), and the asking is counted per address
//! and per network, so nobody can fill a mailbox.

use crate::auth::attempts::Attempt;
use crate::auth::token::{new_token, token_hash};
use crate::client_address::ClientAddress;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::openapi::refusals::{refusals, JSON_BODY, PASSWORD_HASHING};
use crate::state::AppState;
use crate::store::{self, now_ms};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use tessera_core::api::{
    ErrorCode, FieldError, PasswordResetConfirm, PasswordResetInfo, PasswordResetRequest,
};
use tessera_core::validation::validate_password;

/// How long a link works.
pub const LINK_MINUTES: i64 = 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/password-reset", get(info).post(request))
        .route("/auth/password-reset/confirm", post(confirm))
}

/// Whether a password can be reset by e-mail here, and whom to ask.
#[utoipa::path(get, path = "/api/v1/auth/password-reset", tag = "accounts",
    responses((status = 200, body = PasswordResetInfo)))]
pub async fn info(State(state): State<AppState>) -> ApiJson<PasswordResetInfo> {
    ApiJson(PasswordResetInfo {
        available: state.mail.is_some(),
        contact: state.config.support.as_ref().map(|s| s.contact.clone()),
    })
}

refusals! {
    RequestRefusals = JSON_BODY, &[ErrorCode::RateLimited, ErrorCode::NotFound]
}

/// Sends a reset link to the address if it has an account; answers 202 either way.
/// `not_found` when resetting by e-mail is off here.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "accounts",
    request_body = PasswordResetRequest,
    responses((status = 202), RequestRefusals))]
pub async fn request(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(req): ApiJson<PasswordResetRequest>,
) -> ApiResult<StatusCode> {
    let Some(mail) = state.mail.clone() else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "Passwords cannot be reset by e-mail here.",
        ));
    };
    let email = crate::auth::sign_in_email(&req.email)?;
    // Counted whether or not the address has an account, so the count says nothing either.
    let _counted = Attempt::password_reset(&email, &address)
        .take(&state.store)
        .await?;
    let Some(account) = store::accounts::credentials(&state.store, &email).await? else {
        return Ok(StatusCode::ACCEPTED);
    };
    let token = new_token();
    let now = now_ms();
    let mut tx = state.store.transaction().await?;
    store::password_resets::create(
        &mut tx,
        &account.id,
        &token_hash(&token),
        now,
        now + LINK_MINUTES * 60_000,
    )
    .await?;
    store::commit(tx).await?;
    let name = store::accounts::customer(&state.store, &account.id)
        .await?
        .map(|c| c.display_name)
        .unwrap_or_default();
    // After the answer: its time says nothing about the address.
    tokio::spawn(async move {
        if let Err(error) = mail.send_reset(&email, &name, &token, LINK_MINUTES).await {
            tracing::error!(%error, customer = %account.id, "the reset e-mail was not sent");
        }
    });
    Ok(StatusCode::ACCEPTED)
}

refusals! {
    ConfirmRefusals = JSON_BODY, PASSWORD_HASHING, &[ErrorCode::ResetLinkInvalid]
}

/// Sets the new password with a link's token: the link is used up, every session of the
/// account ends (and the checkout secrets with them), as do its other links.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "accounts",
    request_body = PasswordResetConfirm,
    responses((status = 204), ConfirmRefusals))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<PasswordResetConfirm>,
) -> ApiResult<StatusCode> {
    if let Some(code) = validate_password(&req.new_password) {
        return Err(ApiError::validation(vec![FieldError {
            field: "new_password".into(),
            code,
        }]));
    }
    // Hashed before the link is used, so a refusal for load leaves the link working.
    let hash = state
        .passwords
        .admit()?
        .hash(req.new_password)
        .await
        .map_err(ApiError::internal)?;
    let now = now_ms();
    let mut tx = state.store.transaction().await?;
    let Some(customer_id) =
        store::password_resets::consume(&mut tx, &token_hash(req.token.trim()), now).await?
    else {
        return Err(ApiError::new(
            ErrorCode::ResetLinkInvalid,
            "This link was used already, has expired, or is not one of ours. Ask for a new one.",
        ));
    };
    store::accounts::set_password(&mut tx, &customer_id, &hash).await?;
    store::password_resets::end_all(&mut tx, &customer_id, now).await?;
    store::checkout::revoke_others(&mut tx, &customer_id, None).await?;
    store::sessions::delete_others(&mut tx, &customer_id, None).await?;
    store::commit(tx).await?;
    Ok(StatusCode::NO_CONTENT)
}
