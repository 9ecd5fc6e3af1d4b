//! Cards: a customer's membership of a program. Enrolment, the wallet (every card) and one card.

use crate::auth::session::CustomerSession;
use crate::card_status;
use crate::config::{Enrolment, Program, ProgramConfig};
use crate::db::{new_id, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdPath};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use tessera_core::api::{error_code, Card, ErrorBody, HistoryEntry, HistoryPage, Wallet};
use tessera_core::points::EntryKind;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/wallet", get(wallet))
        .route("/cards/{id}", get(card))
        .route("/cards/{id}/history", get(history))
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

/// Every card of the signed-in customer, with balance, pending and expiring points, tier and
/// discount as of now.
#[utoipa::path(get, path = "/api/v1/wallet", tag = "cards", security(("bearer" = [])),
    responses((status = 200, body = Wallet), (status = 401, body = ErrorBody)))]
pub async fn wallet(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<ApiJson<Wallet>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM cards WHERE customer_id = $1 ORDER BY enrolled_at, id",
        crate::card_row::COLUMNS
    ))
    .bind(&session.customer_id)
    .fetch_all(&state.db.pool)
    .await?;
    let now = now_ms();
    let mut conn = state.db.pool.acquire().await?;
    let mut cards = Vec::with_capacity(rows.len());
    for row in &rows {
        // A card of a program since removed from the configuration has nothing to show.
        if let Some(program) = program_of(&state.config, row)? {
            cards.push(card_status::card(&mut conn, program, row, now).await?);
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
    IdPath(id): IdPath,
) -> ApiResult<ApiJson<Card>> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM cards WHERE id = $1 AND customer_id = $2",
        crate::card_row::COLUMNS
    ))
    .bind(&id)
    .bind(&session.customer_id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or_else(ApiError::not_found)?;
    let program = program_of(&state.config, &row)?.ok_or_else(ApiError::not_found)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(ApiJson(
        card_status::card(&mut conn, program, &row, now_ms()).await?,
    ))
}

/// Entries per history page.
pub const HISTORY_PAGE: i64 = 20;

/// `?cursor=`: the `next_cursor` of the previous page.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HistoryQuery {
    /// Omit for the newest entries.
    pub cursor: Option<String>,
}

/// A card's history, newest first, [`HISTORY_PAGE`] entries a page.
#[utoipa::path(get, path = "/api/v1/cards/{id}/history", tag = "cards", security(("bearer" = [])),
    params(("id" = String, Path, description = "Card id"), HistoryQuery),
    responses((status = 200, body = HistoryPage), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    session: CustomerSession,
    IdPath(id): IdPath,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> ApiResult<ApiJson<HistoryPage>> {
    let invalid = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            error_code::INVALID_QUERY,
            "The history cursor is not valid.",
        )
    };
    let Query(query) = query.map_err(|_| invalid())?;
    // The cursor is the sequence number of the last entry shown; older entries have lower ones.
    let before = match query.cursor.as_deref() {
        None => i64::MAX,
        Some(c) => c
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(invalid)?,
    };
    sqlx::query("SELECT id FROM cards WHERE id = $1 AND customer_id = $2")
        .bind(&id)
        .bind(&session.customer_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let rows = sqlx::query(
        "SELECT seq, kind, amount, reason, place, spend_minor, created_at FROM ledger_entries
         WHERE card_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
    )
    .bind(&id)
    .bind(before)
    .bind(HISTORY_PAGE + 1)
    .fetch_all(&state.db.pool)
    .await?;
    let more = rows.len() as i64 > HISTORY_PAGE;
    let mut entries = Vec::with_capacity(HISTORY_PAGE as usize);
    for row in rows.iter().take(HISTORY_PAGE as usize) {
        let kind: String = row.try_get("kind")?;
        entries.push(HistoryEntry {
            seq: row.try_get("seq")?,
            kind: EntryKind::from_name(&kind)
                .ok_or_else(|| ApiError::internal(format!("unknown entry kind {kind}")))?,
            points: row.try_get("amount")?,
            reason: row.try_get("reason")?,
            place: row.try_get("place")?,
            spend_minor: row.try_get("spend_minor")?,
            at: row.try_get("created_at")?,
        });
    }
    let next_cursor = more
        .then(|| entries.last().map(|e| e.seq.to_string()))
        .flatten();
    Ok(ApiJson(HistoryPage {
        entries,
        next_cursor,
    }))
}

fn program_of<'c>(
    config: &'c ProgramConfig,
    row: &AnyRow,
) -> Result<Option<&'c Program>, sqlx::Error> {
    let program_id: String = row.try_get("program_id")?;
    Ok(config.program(&program_id))
}
