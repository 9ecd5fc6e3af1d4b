//! Cards: a customer's membership of a program. Enrolment, the wallet (every card) and one card.

use crate::auth::session::CustomerSession;
use crate::config::{Enrolment, ProgramConfig};
use crate::db::{new_id, now_ms};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use sqlx::any::AnyRow;
use sqlx::Row;
use tessera_core::api::{Card, ErrorBody, Wallet};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/wallet", get(wallet))
        .route("/cards/{id}", get(card))
}

/// Enrols a customer in every program open for enrolment, recording each program's terms
/// version and the time; a card that exists already is left as it is.
pub async fn enrol_in_open_programs(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    config: &ProgramConfig,
    customer_id: &str,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    for program in config
        .programs
        .iter()
        .filter(|p| p.enrolment == Enrolment::Open)
    {
        sqlx::query(
            "INSERT INTO cards (id, customer_id, program_id, balance, terms_version, enrolled_at)
             VALUES ($1, $2, $3, 0, $4, $5)
             ON CONFLICT (customer_id, program_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(customer_id)
        .bind(&program.id)
        .bind(&program.terms_version)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

const CARD_COLUMNS: &str = "id, program_id, balance, terms_version, enrolled_at";

/// Every card of the signed-in customer.
#[utoipa::path(get, path = "/api/v1/wallet", tag = "cards", security(("bearer" = [])),
    responses((status = 200, body = Wallet), (status = 401, body = ErrorBody)))]
pub async fn wallet(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<ApiJson<Wallet>> {
    let rows = sqlx::query(&format!(
        "SELECT {CARD_COLUMNS} FROM cards WHERE customer_id = $1 ORDER BY enrolled_at, id"
    ))
    .bind(&session.customer_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut cards = Vec::with_capacity(rows.len());
    for row in &rows {
        // A card of a program since removed from the configuration has nothing to show.
        if let Some(card) = to_card(&state.config, row)? {
            cards.push(card);
        }
    }
    Ok(ApiJson(Wallet { cards }))
}

/// One card of the signed-in customer; another customer's card is "not found".
#[utoipa::path(get, path = "/api/v1/cards/{id}", tag = "cards", security(("bearer" = [])),
    params(("id" = String, Path, description = "Card id")),
    responses((status = 200, body = Card), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn card(
    State(state): State<AppState>,
    session: CustomerSession,
    Path(id): Path<String>,
) -> ApiResult<ApiJson<Card>> {
    let row = sqlx::query(&format!(
        "SELECT {CARD_COLUMNS} FROM cards WHERE id = $1 AND customer_id = $2"
    ))
    .bind(&id)
    .bind(&session.customer_id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or_else(ApiError::not_found)?;
    to_card(&state.config, &row)?
        .map(ApiJson)
        .ok_or_else(ApiError::not_found)
}

fn to_card(config: &ProgramConfig, row: &AnyRow) -> Result<Option<Card>, sqlx::Error> {
    let program_id: String = row.try_get("program_id")?;
    let Some(program) = config.program(&program_id) else {
        return Ok(None);
    };
    Ok(Some(Card {
        id: row.try_get("id")?,
        program_name: program.name.clone(),
        point_name: program.point_name.clone(),
        currency: program.currency,
        program_id,
        balance: row.try_get("balance")?,
        terms_version: row.try_get("terms_version")?,
        enrolled_at: row.try_get("enrolled_at")?,
    }))
}
