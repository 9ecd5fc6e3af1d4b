//! Staff sign-in and sign-out at the till, and the signed-in account.

use super::session::{self, TillSession};
use crate::auth::attempts::{Attempt, Realm};
use crate::auth::verify_sign_in;
use crate::client_address::ClientAddress;
use crate::config::{ProgramConfig, StaffAccount};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::openapi::refusals::{SessionRefusals, SignInRefusals};
use crate::state::AppState;
use crate::store::sessions::{self, SessionKind};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use tessera_core::api::{LoginRequest, Staff, TillSession as TillSessionBody};
use tessera_core::validation::normalize_email;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/till/auth/login", post(login))
        .route("/till/auth/logout", post(logout))
        .route("/till/me", get(me))
}

fn staff_body(config: &ProgramConfig, staff: &StaffAccount) -> Staff {
    Staff {
        email: normalize_email(&staff.email),
        name: staff.name.clone(),
        role: staff.role,
        program_id: staff.program.clone(),
        program_name: config
            .program(&staff.program)
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        location: staff.location.clone(),
    }
}

/// Signs a staff account in at a till.
#[utoipa::path(post, path = "/api/v1/till/auth/login", tag = "till", request_body = LoginRequest,
    responses((status = 200, body = TillSessionBody), SignInRefusals))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<ApiJson<TillSessionBody>> {
    let email = crate::auth::sign_in_email(&req.email)?;
    // Counted apart from customers, who may share the address and even the e-mail.
    let attempt = Attempt::sign_in(Realm::Staff, &email, &address);
    let account = state
        .config
        .staff(&email)
        .map(|s| (s.clone(), s.password_hash.clone()));
    let staff = verify_sign_in(&state, attempt, req.password, async { Ok(account) }).await?;
    let session = session::create(&state.store, &email).await?;
    Ok(ApiJson(TillSessionBody {
        token: session.token,
        idle_expires_at: session.idle_expires_at,
        staff: staff_body(&state.config, &staff),
    }))
}

/// Ends the till session.
#[utoipa::path(post, path = "/api/v1/till/auth/logout", tag = "till", security(("bearer" = [])),
    responses((status = 204), SessionRefusals))]
pub async fn logout(State(state): State<AppState>, till: TillSession) -> ApiResult<StatusCode> {
    sessions::delete(&state.store, SessionKind::Till, &till.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in staff account.
#[utoipa::path(get, path = "/api/v1/till/me", tag = "till", security(("bearer" = [])),
    responses((status = 200, body = Staff), SessionRefusals))]
pub async fn me(State(state): State<AppState>, till: TillSession) -> ApiJson<Staff> {
    ApiJson(staff_body(&state.config, &till.staff))
}
