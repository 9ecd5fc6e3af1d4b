//! Checkout codes, the customer's side: the card number and the per-session secret the wallet
//! keeps to make codes offline (`tessera_core::checkout` has the format). The till's side, which
//! verifies codes, comes with the till API.

use crate::auth::session::CustomerSession;
use crate::db::{is_unique_violation, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdPath};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use rand::RngCore;
use sqlx::Row;
use tessera_core::api::{CheckoutSecret, ErrorBody};
use tessera_core::checkout::{card_number, SECRET_BYTES};

pub fn router() -> Router<AppState> {
    Router::new().route("/cards/{id}/checkout-secret", post(checkout_secret))
}

/// The card's number and this session's secret for it, created on first use; asking again
/// returns the same secret.
#[utoipa::path(post, path = "/api/v1/cards/{id}/checkout-secret", tag = "checkout", security(("bearer" = [])),
    params(("id" = String, Path, description = "Card id")),
    responses((status = 200, body = CheckoutSecret), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn checkout_secret(
    State(state): State<AppState>,
    session: CustomerSession,
    IdPath(id): IdPath,
) -> ApiResult<ApiJson<CheckoutSecret>> {
    let pool = &state.db.pool;
    let row =
        sqlx::query("SELECT program_id, number FROM cards WHERE id = $1 AND customer_id = $2")
            .bind(&id)
            .bind(&session.customer_id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(ApiError::not_found)?;
    let program_id: String = row.try_get("program_id")?;
    let number = match row.try_get::<Option<String>, _>("number")? {
        Some(number) => number,
        None => assign_number(&state, &id).await?,
    };

    let fresh = hex::encode(random_bytes::<SECRET_BYTES>());
    // A concurrent first request may win the insert; both then answer with the stored secret.
    sqlx::query(
        "INSERT INTO card_secrets (card_id, session_id, secret, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (card_id, session_id) DO NOTHING",
    )
    .bind(&id)
    .bind(&session.session_id)
    .bind(&fresh)
    .bind(now_ms())
    .execute(pool)
    .await?;
    let secret: String =
        sqlx::query("SELECT secret FROM card_secrets WHERE card_id = $1 AND session_id = $2")
            .bind(&id)
            .bind(&session.session_id)
            .fetch_one(pool)
            .await?
            .try_get(0)?;
    Ok(ApiJson(CheckoutSecret {
        card_id: id,
        card_number: number,
        program_id,
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
    let pool = &state.db.pool;
    for _ in 0..8 {
        let random = u32::from_be_bytes(random_bytes::<4>());
        let candidate = card_number(random % 1_000_000_000);
        match sqlx::query("UPDATE cards SET number = $1 WHERE id = $2 AND number IS NULL")
            .bind(&candidate)
            .bind(card_id)
            .execute(pool)
            .await
        {
            Ok(_) => {
                return Ok(sqlx::query("SELECT number FROM cards WHERE id = $1")
                    .bind(card_id)
                    .fetch_one(pool)
                    .await?
                    .try_get(0)?)
            }
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal("no free card number after 8 tries"))
}
