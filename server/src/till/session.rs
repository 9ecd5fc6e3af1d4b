//! Till sessions: created at staff sign-in, looked up by token hash, extended on use, deleted at
//! sign-out. [`TillSession`] guards every till endpoint; a customer's token is not one.

use crate::auth::session::{authenticate, NewSession};
use crate::config::{Program, ProgramConfig, StaffAccount};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::sessions::{self, SessionKind};
use crate::store::{Store, StoreError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// A till left alone this long signs out: about one shift.
pub const IDLE_MS: i64 = 12 * 3_600_000;

/// Starts a till session for a staff account; returns the token and its idle expiry.
pub async fn create(store: &Store, staff_email: &str) -> Result<NewSession, StoreError> {
    // Tills do not list their sessions: no `User-Agent` kept.
    let (session, row) = NewSession::start(SessionKind::Till, staff_email, IDLE_MS, None);
    sessions::create(store, &row).await?;
    Ok(session)
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
        let (session_id, email) = authenticate(state, parts, SessionKind::Till, IDLE_MS).await?;
        // An account removed from the configuration is signed out.
        let staff = state
            .config
            .staff(&email)
            .cloned()
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(Self { session_id, staff })
    }
}

impl TillSession {
    /// The program the signed-in account works for (checked when the configuration loaded).
    pub fn program<'c>(&self, config: &'c ProgramConfig) -> Result<&'c Program, ApiError> {
        config
            .program(&self.staff.program)
            .ok_or_else(|| ApiError::internal("staff program missing"))
    }
}
