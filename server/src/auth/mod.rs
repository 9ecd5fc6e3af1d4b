//! Authentication primitives: password hashing, session tokens, sessions and sign-in limits.

pub mod password;
pub mod rate_limit;
pub mod session;
pub mod token;

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::StatusCode;
use rate_limit::AttemptKeys;
use tessera_core::api::error_code;

/// Checks a sign-in password against the account found for the e-mail (`None`: no such account,
/// checked against the decoy so it takes as long). A failure counts against `keys` and answers
/// "invalid credentials"; success clears the e-mail's counter and returns the account.
pub async fn verify_sign_in<T>(
    state: &AppState,
    keys: &AttemptKeys,
    password: String,
    account: Option<(T, String)>,
) -> Result<T, ApiError> {
    let (account, hash) = account.unzip();
    let ok = state
        .passwords
        .verify(password, hash)
        .await
        .map_err(ApiError::internal)?;
    let Some(account) = account.filter(|_| ok) else {
        state.login_limits.record_failure(&state.db, keys).await?;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            error_code::INVALID_CREDENTIALS,
            "E-mail or password is wrong.",
        ));
    };
    state.login_limits.clear_email(&state.db, keys).await?;
    Ok(account)
}
