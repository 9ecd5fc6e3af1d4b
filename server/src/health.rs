//! Liveness and readiness: answers `ok` only when the database answers.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::openapi::refusals::refusals;
use crate::state::AppState;
use axum::extract::State;
use tessera_core::api::{ErrorCode, Health};

refusals! {
    /// The database did not answer.
    HealthRefusals = &[ErrorCode::Internal]
}

#[utoipa::path(get, path = "/api/v1/health", tag = "health",
    responses((status = 200, body = Health), HealthRefusals))]
pub async fn health(State(state): State<AppState>) -> ApiResult<ApiJson<Health>> {
    state.store.ping().await.map_err(ApiError::from)?;
    Ok(ApiJson(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}
