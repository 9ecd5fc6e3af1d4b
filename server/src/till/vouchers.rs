//! `POST /till/vouchers/check`: a voucher the member shows, checked before the sale so the console
//! can show what it takes off the bill (and what of it would be lost) before the cashier
//! confirms. Nothing is used: the purchase uses it (`till::operations`).

use super::identify::too_many_typed;
use super::operations::{ticket_invalid, VOUCHER};
use super::session::TillSession;
use crate::auth::attempts::Attempt;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::openapi::refusals::{refusals, JSON_BODY, SIGNED_IN};
use crate::rewards;
use crate::state::AppState;
use crate::store::{self, now_ms};
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use tessera_core::api::{ErrorCode, TillVoucher, TillVoucherRequest};

pub fn router() -> Router<AppState> {
    Router::new().route("/till/vouchers/check", post(check))
}

refusals! {
    CheckRefusals = SIGNED_IN, JSON_BODY, VOUCHER, &[ErrorCode::TicketInvalid]
}

/// Checks a voucher for the ticket's member at this till: what it takes off the bill, or why it
/// cannot be used. Like a purchase's voucher, the code takes a typed-code attempt, given back
/// unless no voucher of the member's has it.
#[utoipa::path(post, path = "/api/v1/till/vouchers/check", tag = "till", security(("bearer" = [])),
    request_body = TillVoucherRequest,
    responses((status = 200, body = TillVoucher), CheckRefusals))]
pub async fn check(
    State(state): State<AppState>,
    till: TillSession,
    ApiJson(req): ApiJson<TillVoucherRequest>,
) -> ApiResult<ApiJson<TillVoucher>> {
    let program = till.program(&state.config)?;
    let now = now_ms();
    let card = store::till::ticket(&state.store, &till.session_id, &req.ticket, now)
        .await?
        .ok_or_else(ticket_invalid)?;
    let slots = Attempt::typed_code(&card.card_id, &till.session_id)
        .take(&state.store)
        .await
        .map_err(too_many_typed)?;
    let mut conn = state.store.reader().await?;
    let partner = till.staff.partner.as_deref();
    let found =
        rewards::voucher_for_till(&mut conn, program, &req.code, &card.card_id, partner, now).await;
    drop(conn);
    let guessed = matches!(&found, Err(e) if matches!(e.code, ErrorCode::VoucherUnknown | ErrorCode::VoucherNotYours));
    if !guessed {
        slots.succeeded(&state.store).await?;
    }
    let (row, voucher) = found?;
    Ok(ApiJson(TillVoucher {
        code: row.code,
        title: row.title,
        value: voucher.into(),
        expires_at: row.expires_at,
    }))
}
