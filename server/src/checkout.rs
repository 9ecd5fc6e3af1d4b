//! Checkout codes, the customer's side: the card number and the per-session secret the wallet
//! keeps to make codes offline (`tessera_core::checkout` has the format). The till's side, which
//! verifies codes, comes with the till API.

use crate::auth::session::CustomerSession;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdPath};
use crate::openapi::refusals::CustomerCardRefusals;
use crate::state::AppState;
use crate::store::{self, now_ms};
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use rand::RngCore;
use tessera_core::api::CheckoutSecret;
use tessera_core::checkout::{card_number, SECRET_BYTES};

pub fn router() -> Router<AppState> {
    Router::new().route("/cards/{id}/checkout-secret", post(checkout_secret))
}

/// The card's number and this session's secret for it, created on first use; asking again
/// returns the same secret.
#[utoipa::path(post, path = "/api/v1/cards/{id}/checkout-secret", tag = "checkout", security(("bearer" = [])),
    params(IdPath),
    responses((status = 200, body = CheckoutSecret), CustomerCardRefusals))]
pub async fn checkout_secret(
    State(state): State<AppState>,
    session: CustomerSession,
    IdPath(id): IdPath,
) -> ApiResult<ApiJson<CheckoutSecret>> {
    let card = store::cards::number_of_customers(&state.store, &id, &session.customer_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let number = match card.number {
        Some(number) => number,
        None => assign_number(&state, &id).await?,
    };
    let fresh = hex::encode(random_bytes::<SECRET_BYTES>());
    let secret =
        store::checkout::secret(&state.store, &id, &session.session_id, &fresh, now_ms()).await?;
    Ok(ApiJson(CheckoutSecret {
        card_id: id,
        card_number: number,
        program_id: card.program_id,
        secret,
        server_time: now_ms(),
    }))
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// Gives the card a random number unique in its program (retrying the rare collision) and
/// returns the number it has, which a concurrent request may have set first.
pub(crate) async fn assign_number(state: &AppState, card_id: &str) -> ApiResult<String> {
    for _ in 0..8 {
        let random = u32::from_be_bytes(random_bytes::<4>());
        let candidate = card_number(random % 1_000_000_000);
        if store::cards::try_number(&state.store, card_id, &candidate).await? {
            return store::cards::number(&state.store, card_id)
                .await?
                .ok_or_else(|| ApiError::internal("a numbered card has no number"));
        }
    }
    Err(ApiError::internal("no free card number after 8 tries"))
}
