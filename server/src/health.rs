//! Liveness and readiness: answers `ok` only when the database answers.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use tessera_core::api::{ErrorBody, Health};

#[utoipa::path(get, path = "/api/v1/health", tag = "health",
    responses((status = 200, body = Health), (status = 500, body = ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> ApiResult<ApiJson<Health>> {
    state.store.ping().await.map_err(ApiError::from)?;
    Ok(ApiJson(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}
