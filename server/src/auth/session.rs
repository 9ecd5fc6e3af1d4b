//! Customer sessions: created at sign-in, looked up by token hash, extended on use (idle
//! expiry), deleted at logout. The extractor [`CustomerSession`] guards every customer endpoint.

use super::token::{new_token, token_hash};
use crate::db::{new_id, now_ms, Db};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use sqlx::Row;

/// Extending a session writes to the database; doing it at most once a minute keeps reads cheap.
const TOUCH_EVERY_MS: i64 = 60_000;

/// How long an unused session lives.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle_ms: i64,
}

/// A new session's token (for the client) and idle expiry.
pub struct NewSession {
    pub token: String,
    pub idle_expires_at: i64,
}

/// Starts a session for a customer inside the caller's transaction or pool.
pub async fn create<'e, E>(
    executor: E,
    policy: SessionPolicy,
    customer_id: &str,
) -> Result<NewSession, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let token = new_token();
    let now = now_ms();
    let idle_expires_at = now + policy.idle_ms;
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, customer_id, created_at, last_used_at, idle_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(token_hash(&token))
    .bind(customer_id)
    .bind(now)
    .bind(now)
    .bind(idle_expires_at)
    .execute(executor)
    .await?;
    Ok(NewSession {
        token,
        idle_expires_at,
    })
}

/// Ends the session with this token (logging out).
pub async fn delete(db: &Db, session_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The token of `Authorization: Bearer <token>` (the scheme in any case, as RFC 9110 says);
/// missing or empty is "unauthenticated".
pub fn bearer_token(parts: &Parts) -> Result<&str, ApiError> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_start().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::unauthenticated)
}

/// The signed-in customer of a request, from `Authorization: Bearer <token>`.
#[derive(Clone, Debug)]
pub struct CustomerSession {
    pub session_id: String,
    pub customer_id: String,
}

impl FromRequestParts<AppState> for CustomerSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (session_id, customer_id) = authenticate(
            state,
            parts,
            SessionTable {
                table: "sessions",
                owner: "customer_id",
            },
            state.sessions.idle_ms,
        )
        .await?;
        Ok(Self {
            session_id,
            customer_id,
        })
    }
}

/// Where one kind of session is kept: its table and the column naming its owner.
pub struct SessionTable {
    pub table: &'static str,
    pub owner: &'static str,
}

/// The live session of the request's bearer token in `sessions`, extended by `idle_ms` (at most
/// once a minute): its id and owner. Unknown, ended or idle-expired is "unauthenticated".
pub async fn authenticate(
    state: &AppState,
    parts: &Parts,
    sessions: SessionTable,
    idle_ms: i64,
) -> Result<(String, String), ApiError> {
    let SessionTable { table, owner } = sessions;
    let token = bearer_token(parts)?;
    let now = now_ms();
    let row = sqlx::query(&format!(
        "SELECT id, {owner}, last_used_at FROM {table} WHERE token_hash = $1 AND idle_expires_at > $2"
    ))
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or_else(ApiError::unauthenticated)?;
    let session_id: String = row.try_get("id")?;
    let last_used_at: i64 = row.try_get("last_used_at")?;
    if now - last_used_at >= TOUCH_EVERY_MS {
        // Through the writer: on SQLite a write from a pool connection would wait for the
        // writer's lock, and make the writer wait for its own.
        let touch =
            format!("UPDATE {table} SET last_used_at = $1, idle_expires_at = $2 WHERE id = $3");
        let id = session_id.clone();
        state
            .db
            .write(move |tx| {
                let (touch, id) = (touch.clone(), id.clone());
                Box::pin(async move {
                    sqlx::query(&touch)
                        .bind(now)
                        .bind(now + idle_ms)
                        .bind(&id)
                        .execute(&mut **tx)
                        .await
                        .map(|_| ())
                })
            })
            .await?;
    }
    Ok((session_id, row.try_get(owner)?))
}
