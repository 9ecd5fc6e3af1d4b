//! The till: staff sign-in and, next, identifying members and recording purchases and payments
//! with points. Staff accounts are configured (`[[staff]]`); their sessions are separate from
//! customers' (`till_sessions`).

pub mod auth;
pub mod clubs;
pub mod idempotency;
pub mod identify;
pub mod operations;
pub mod session;
pub mod vouchers;

use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    auth::router()
        .merge(identify::router())
        .merge(operations::router())
        .merge(vouchers::router())
        .merge(clubs::router())
}
