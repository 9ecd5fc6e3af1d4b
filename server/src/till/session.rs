//! Till sessions: created at staff sign-in, looked up by token hash, extended on use, deleted at
//! sign-out. [`TillSession`] guards every till endpoint; a customer's token is not one.

use crate::auth::session::bearer_token;
use crate::auth::token::{new_token, token_hash};
use crate::config::StaffAccount;
use crate::db::{new_id, now_ms};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sqlx::Row;

/// A till left alone this long signs out: about one shift.
pub const IDLE_MS: i64 = 12 * 3_600_000;
/// Extend a session at most once a minute.
const TOUCH_EVERY_MS: i64 = 60_000;

/// Starts a till session for a staff account; returns the token and its idle expiry.
pub async fn create(pool: &sqlx::AnyPool, staff_email: &str) -> Result<(String, i64), sqlx::Error> {
    let token = new_token();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO till_sessions (id, token_hash, staff_email, created_at, last_used_at, idle_expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(new_id())
    .bind(token_hash(&token))
    .bind(staff_email)
    .bind(now)
    .bind(now + IDLE_MS)
    .execute(pool)
    .await?;
    Ok((token, now + IDLE_MS))
}

/// The signed-in staff account of a request, from `Authorization: Bearer <till token>`.
#[derive(Clone, Debug)]
pub struct TillSession {
    pub session_id: String,
    pub staff: StaffAccount,
}

impl FromRequestParts<AppState> for TillSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts)?;
        let now = now_ms();
        let row = sqlx::query(
            "SELECT id, staff_email, last_used_at FROM till_sessions
             WHERE token_hash = $1 AND idle_expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(now)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
        let session_id: String = row.try_get("id")?;
        // An account removed from the configuration is signed out.
        let email: String = row.try_get("staff_email")?;
        let staff = state
            .config
            .staff(&email)
            .cloned()
            .ok_or_else(ApiError::unauthenticated)?;
        if now - row.try_get::<i64, _>("last_used_at")? >= TOUCH_EVERY_MS {
            sqlx::query(
                "UPDATE till_sessions SET last_used_at = $1, idle_expires_at = $2 WHERE id = $3",
            )
            .bind(now)
            .bind(now + IDLE_MS)
            .bind(&session_id)
            .execute(&state.db.pool)
            .await?;
        }
        Ok(Self { session_id, staff })
    }
}
