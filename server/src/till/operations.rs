//! What a till does with a ticket: record a purchase (earning points by the program's rules) and
//! take points as payment. Both need an `Idempotency-Key` and run in one transaction with it.

use super::idempotency::{self, Claim, IdempotencyKey};
use super::session::TillSession;
use crate::card_status;
use crate::config::Program;
use crate::db::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::ledger::{self, Deduction, LedgerError};
use crate::purchases::{self, Purchase, PurchaseError};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use sqlx::{Any, Row, Transaction};
use tessera_core::api::{
    error_code, Card, ErrorBody, FieldError, PayWithPointsRequest, PointsPayment, TillPurchase,
    TillPurchaseRequest,
};
use tessera_core::points::EntryKind;
use tessera_core::validation::{code as field_code, normalize_email};
use tessera_core::Money;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/till/purchases", post(purchase))
        .route("/till/pay-with-points", post(pay_with_points))
}

fn invalid_field(field: &str, code: &str) -> ApiError {
    ApiError::validation(vec![FieldError {
        field: field.into(),
        code: code.into(),
    }])
}

fn ticket_invalid() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        error_code::TICKET_INVALID,
        "This member's identification has expired. Scan the code again.",
    )
}

/// The card of a live ticket of this till session, and whether it may spend.
async fn ticket(
    tx: &mut Transaction<'_, Any>,
    till: &TillSession,
    ticket: &str,
    now: i64,
) -> ApiResult<(String, bool)> {
    let row = sqlx::query(
        "SELECT card_id, can_spend FROM till_tickets
         WHERE id = $1 AND till_session_id = $2 AND expires_at > $3",
    )
    .bind(ticket)
    .bind(&till.session_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(ticket_invalid)?;
    Ok((
        row.try_get("card_id")?,
        row.try_get::<i64, _>("can_spend")? == 1,
    ))
}

/// The card as it stands inside `tx` (its writes included); `settled` when `tx` settled the card
/// at `now` (a purchase does), which saves reading what matured or expired since.
async fn card_after(
    tx: &mut Transaction<'_, Any>,
    program: &Program,
    card_id: &str,
    now: i64,
    settled: bool,
) -> ApiResult<Card> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM cards WHERE id = $1",
        card_status::COLUMNS
    ))
    .bind(card_id)
    .fetch_one(&mut **tx)
    .await?;
    let card = if settled {
        card_status::settled_card(&mut *tx, program, &row, now).await?
    } else {
        card_status::card(&mut *tx, program, &row, now).await?
    };
    Ok(card)
}

/// Records a purchase on the ticket's card.
#[utoipa::path(post, path = "/api/v1/till/purchases", tag = "till", security(("bearer" = [])),
    request_body = TillPurchaseRequest,
    params(("Idempotency-Key" = String, Header, description = "Unique per purchase; a retry with the same key returns the first result")),
    responses((status = 201, body = TillPurchase),
        (status = 422, body = ErrorBody, description = "ticket_invalid, validation, idempotency_key_reused"),
        (status = 400, body = ErrorBody, description = "idempotency_key_required"),
        (status = 401, body = ErrorBody)))]
pub async fn purchase(
    State(state): State<AppState>,
    till: TillSession,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(req): ApiJson<TillPurchaseRequest>,
) -> ApiResult<Response> {
    record_purchase(&state, &till, &key, &req).await
}

/// The work of `POST /till/purchases` after the request is read: what the benchmark's storage
/// floor runs without HTTP.
pub async fn record_purchase(
    state: &AppState,
    till: &TillSession,
    key: &str,
    req: &TillPurchaseRequest,
) -> ApiResult<Response> {
    let program = till.program(&state.config)?;
    if req.amount_minor <= 0 {
        return Err(invalid_field("amount_minor", field_code::NOT_POSITIVE));
    }
    if req.amount_minor > purchases::MAX_AMOUNT_MINOR {
        return Err(invalid_field("amount_minor", field_code::TOO_LARGE));
    }
    let email = &normalize_email(&till.staff.email);
    let mut write = state.db.begin_write().await?;
    let tx = &mut write.tx;
    let hash = idempotency::request_hash("purchases", req);
    if let Claim::Replay(response) = idempotency::claim(tx, email, key, &hash).await? {
        return Ok(response);
    }
    let now = now_ms();
    let (card_id, _) = ticket(tx, till, &req.ticket, now).await?;
    let reference = format!("till:{email}:{key}");
    let purchase = Purchase {
        card_id: &card_id,
        amount: Money::new(req.amount_minor, program.currency),
        reference: &reference,
        place: till.staff.location.as_deref(),
    };
    let recorded = purchases::record(tx, program, &purchase, now)
        .await
        .map_err(|e| match e {
            PurchaseError::InvalidAmount | PurchaseError::WrongCurrency => {
                invalid_field("amount_minor", field_code::TOO_LARGE)
            }
            PurchaseError::CardNotFound => ticket_invalid(),
            PurchaseError::ReferenceReused => ApiError::internal("till reference reused"),
            PurchaseError::Db(e) => e.into(),
        })?;
    let body = TillPurchase {
        points: recorded.points,
        welcome_points: recorded.welcome_points,
        card: card_after(tx, program, &card_id, now, true).await?,
    };
    let response = idempotency::store(tx, email, key, StatusCode::CREATED, &body).await?;
    write.tx.commit().await?;
    Ok(response)
}

/// Takes points as part or all of a bill, at the program's point value.
#[utoipa::path(post, path = "/api/v1/till/pay-with-points", tag = "till", security(("bearer" = [])),
    request_body = PayWithPointsRequest,
    params(("Idempotency-Key" = String, Header, description = "Unique per payment; a retry with the same key returns the first result")),
    responses((status = 201, body = PointsPayment),
        (status = 422, body = ErrorBody, description = "insufficient_points, points_not_accepted, ticket_invalid, validation, idempotency_key_reused"),
        (status = 403, body = ErrorBody, description = "ticket_cannot_spend"),
        (status = 400, body = ErrorBody, description = "idempotency_key_required"),
        (status = 401, body = ErrorBody)))]
pub async fn pay_with_points(
    State(state): State<AppState>,
    till: TillSession,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(req): ApiJson<PayWithPointsRequest>,
) -> ApiResult<Response> {
    let program = till.program(&state.config)?;
    let Some(value) = program.point_value_minor else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            error_code::POINTS_NOT_ACCEPTED,
            "This program does not take points as payment.",
        ));
    };
    if req.bill_minor <= 0 {
        return Err(invalid_field("bill_minor", field_code::NOT_POSITIVE));
    }
    if req.points <= 0 {
        return Err(invalid_field("points", field_code::NOT_POSITIVE));
    }
    let paid_minor = req
        .points
        .checked_mul(value)
        .filter(|paid| *paid <= req.bill_minor)
        .ok_or_else(|| invalid_field("points", field_code::TOO_LARGE))?;

    let email = &normalize_email(&till.staff.email);
    let mut write = state.db.begin_write().await?;
    let tx = &mut write.tx;
    let hash = idempotency::request_hash("pay-with-points", &req);
    if let Claim::Replay(response) = idempotency::claim(tx, email, &key, &hash).await? {
        return Ok(response);
    }
    let now = now_ms();
    let (card_id, can_spend) = ticket(tx, &till, &req.ticket, now).await?;
    if !can_spend {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            error_code::TICKET_CANNOT_SPEND,
            "Spending points needs the customer's code: scan it instead of the phone number.",
        ));
    }
    let reference = format!("till:{email}:{key}");
    let deduction = Deduction {
        kind: EntryKind::Spent,
        points: req.points,
        reason: "payment",
        reference: &reference,
        place: till.staff.location.as_deref(),
    };
    ledger::take(tx, &card_id, &deduction, now)
        .await
        .map_err(|e| match e {
            LedgerError::Insufficient { spendable } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                error_code::INSUFFICIENT_POINTS,
                format!("The card has {spendable} points to spend."),
            ),
            LedgerError::CardNotFound => ticket_invalid(),
            LedgerError::InvalidAmount => invalid_field("points", field_code::NOT_POSITIVE),
            LedgerError::Db(e) => e.into(),
        })?;
    let body = PointsPayment {
        points: req.points,
        paid_minor,
        due_minor: req.bill_minor - paid_minor,
        card: card_after(tx, program, &card_id, now, false).await?,
    };
    let response = idempotency::store(tx, email, &key, StatusCode::CREATED, &body).await?;
    write.tx.commit().await?;
    Ok(response)
}
