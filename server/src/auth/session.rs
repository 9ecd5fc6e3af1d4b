//! Customer sessions: created at sign-in, looked up by token hash, extended on use (idle
//! expiry), deleted at logout. The extractor [`CustomerSession`] guards every customer endpoint.

use super::token::{new_token, token_hash};
use crate::error::ApiError;
use crate::state::{AppState, SessionPolicy};
use crate::store::sessions::{self, SessionKind, SessionRow, TouchSession};
use crate::store::{now_ms, StoreError, Tx};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

/// Extending a session writes to the database; doing it at most once a minute keeps reads cheap.
const TOUCH_EVERY_MS: i64 = 60_000;

/// A new session's token (for the client) and idle expiry.
pub struct NewSession {
    pub token: String,
    pub idle_expires_at: i64,
}

impl NewSession {
    /// A fresh session of `kind` for `owner` that lives `idle_ms` unused from now, and the row
    /// that stores it (its token only as a hash, with the `User-Agent` it signed in with).
    pub fn start(
        kind: SessionKind,
        owner: &str,
        idle_ms: i64,
        user_agent: Option<String>,
    ) -> (Self, SessionRow) {
        let now = now_ms();
        let session = Self {
            token: new_token(),
            idle_expires_at: now + idle_ms,
        };
        let row = SessionRow {
            kind,
            token_hash: token_hash(&session.token),
            owner: owner.to_owned(),
            now,
            idle_expires_at: session.idle_expires_at,
            user_agent,
        };
        (session, row)
    }
}

/// Starts a session for a customer inside `tx`: joining signs the new customer in in the
/// transaction that creates them, a sign-in commits it alone.
pub async fn create(
    tx: &mut Tx,
    policy: SessionPolicy,
    customer_id: &str,
    user_agent: Option<String>,
) -> Result<NewSession, StoreError> {
    let (session, row) = NewSession::start(
        SessionKind::Customer,
        customer_id,
        policy.idle_ms,
        user_agent,
    );
    sessions::create_in(tx, &row).await?;
    Ok(session)
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
        let (session_id, customer_id) =
            authenticate(state, parts, SessionKind::Customer, state.sessions.idle_ms).await?;
        Ok(Self {
            session_id,
            customer_id,
        })
    }
}

/// The live session of `kind` of the request's bearer token, extended by `idle_ms` (at most
/// once a minute): its id and owner. Unknown, ended or idle-expired is "unauthenticated".
pub async fn authenticate(
    state: &AppState,
    parts: &Parts,
    kind: SessionKind,
    idle_ms: i64,
) -> Result<(String, String), ApiError> {
    let token = bearer_token(parts)?;
    let now = now_ms();
    let session = sessions::live(&state.store, kind, &token_hash(token), now)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if now - session.last_used_at >= TOUCH_EVERY_MS {
        // Through the writer: on SQLite a write from a pool connection would wait for the
        // writer's lock, and make the writer wait for its own.
        let touch = TouchSession {
            kind,
            id: session.id.clone(),
            now,
            idle_expires_at: now + idle_ms,
        };
        state.store.write(touch).await?;
    }
    Ok((session.id, session.owner))
}
