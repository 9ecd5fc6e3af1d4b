//! Authentication primitives: password hashing, session tokens, sessions and attempt limits.

pub mod attempts;
pub mod password;
pub mod session;
pub mod token;

use crate::error::ApiError;
use crate::state::AppState;
use attempts::Attempt;
use tessera_core::api::{ErrorCode, FieldError};
use tessera_core::validation::{normalize_email, FieldCode, EMAIL_MAX_CHARS};

/// The e-mail of a sign-in, normalized; one longer than any account's can only be a mistake or
/// an attack (and would make an attempt counter's key too long to index), so it is refused.
/// Counted as typed, as joining counts it (lower-casing can lengthen it).
pub fn sign_in_email(typed: &str) -> Result<String, ApiError> {
    if typed.trim().chars().count() > EMAIL_MAX_CHARS {
        return Err(ApiError::validation(vec![FieldError {
            field: "email".into(),
            code: FieldCode::TooLong,
        }]));
    }
    Ok(normalize_email(typed))
}

/// Checks a sign-in password against the account `lookup` finds for the e-mail (`None`: no
/// such account, checked against the decoy so it takes as long). In this order, so that neither
/// a burst nor a busy server gets more checks than the limits allow: a place in the hashing
/// queue before any other work (503 when full, nothing counted or read), a slot in each of the
/// attempt's counters (429 when one is full), the lookup, then the check; success settles the
/// slots and returns the account, failure leaves them counted and answers "invalid credentials".
pub async fn verify_sign_in<T>(
    state: &AppState,
    attempt: Attempt,
    password: String,
    lookup: impl std::future::Future<Output = Result<Option<(T, String)>, ApiError>>,
) -> Result<T, ApiError> {
    let place = state.passwords.admit()?;
    let slots = attempt.take(&state.store).await?;
    let (account, hash) = lookup.await?.unzip();
    let ok = place
        .verify(password, hash)
        .await
        .map_err(ApiError::internal)?;
    let Some(account) = account.filter(|_| ok) else {
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "E-mail or password is wrong.",
        ));
    };
    slots.succeeded(&state.store).await?;
    Ok(account)
}
