//! Cards: a customer's membership of a program. Enrolment, the wallet (every card) and one card.

use crate::auth::session::CustomerSession;
use crate::card_status;
use crate::config::{Enrolment, Program, ProgramConfig};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdPath};
use crate::openapi::refusals::{refusals, CustomerCardRefusals, SessionRefusals};
use crate::openapi::refusals::{CUSTOMER_CARD, SIGNED_IN};
use crate::program_entry;
use crate::state::AppState;
use crate::store::card_row::StoredCard;
use crate::store::{self, now_ms, StoreError, Tx};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tessera_core::api::{
    AcceptTerms, Card, ErrorCode, FieldError, HistoryEntry, HistoryPage, ProgramTerms, Wallet,
};
use tessera_core::points::EntryKind;
use tessera_core::validation::FieldCode;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/wallet", get(wallet))
        .route("/cards/{id}", get(card))
        .route("/cards/{id}/history", get(history))
        .route("/cards/{id}/terms", get(terms).post(accept_terms))
}

/// Whether `card`'s member accepted `program`'s current terms.
pub fn terms_accepted(program: &Program, card: &StoredCard) -> bool {
    card.terms_version == program.terms_version
}

/// Refuses to spend points or redeem on `card` while its member has not accepted `program`'s
/// current terms (earning goes on: the till must not penalise them). Checked on the card as
/// read under its lock, so an acceptance at the same moment is either before or after.
pub fn check_terms(program: &Program, card: &StoredCard) -> ApiResult<()> {
    if terms_accepted(program, card) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::TermsNotAccepted,
        "The program's terms changed: accept them in the wallet to spend points or redeem.",
    ))
}

/// The card's program terms as `GET /cards/{id}/terms` shows them.
fn program_terms(program: &Program, card: &StoredCard) -> ProgramTerms {
    ProgramTerms {
        program_name: program.name.clone(),
        version: program.terms_version.clone(),
        updated: program.terms_updated.clone(),
        url: program.terms_url.clone(),
        accepted_version: card.terms_version.clone(),
    }
}

/// The card `id` of the signed-in customer with its program: "not found" for another's card
/// or a program no longer configured.
async fn customers_card_by_id<'a>(
    state: &'a AppState,
    customer_id: &str,
    id: &str,
) -> ApiResult<(StoredCard, &'a Program)> {
    let stored = store::cards::customers(&state.store, id, customer_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let program = program_of(&state.config, &stored).ok_or_else(ApiError::not_found)?;
    Ok((stored, program))
}

/// The card's program terms: the version now, when it was updated, where to read it, and the
/// version its member accepted.
#[utoipa::path(get, path = "/api/v1/cards/{id}/terms", tag = "cards", security(("bearer" = [])),
    params(IdPath),
    responses((status = 200, body = ProgramTerms), CustomerCardRefusals))]
pub async fn terms(
    State(state): State<AppState>,
    session: CustomerSession,
    IdPath(id): IdPath,
) -> ApiResult<ApiJson<ProgramTerms>> {
    let (stored, program) = customers_card_by_id(&state, &session.customer_id, &id).await?;
    Ok(ApiJson(program_terms(program, &stored)))
}

refusals! {
    AcceptTermsRefusals = SIGNED_IN, CUSTOMER_CARD, crate::openapi::refusals::JSON_BODY
}

/// The member accepts the card's program's current terms (kept in the consent history);
/// `validation` (`terms_not_accepted` on `version`) when they are not the ones sent, which the
/// wallet showed. Accepting the terms already accepted changes nothing.
#[utoipa::path(post, path = "/api/v1/cards/{id}/terms", tag = "cards", security(("bearer" = [])),
    params(IdPath), request_body = AcceptTerms,
    responses((status = 200, body = ProgramTerms), AcceptTermsRefusals))]
pub async fn accept_terms(
    State(state): State<AppState>,
    session: CustomerSession,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<AcceptTerms>,
) -> ApiResult<ApiJson<ProgramTerms>> {
    let (mut stored, program) = customers_card_by_id(&state, &session.customer_id, &id).await?;
    if req.version != program.terms_version {
        return Err(ApiError::validation(vec![FieldError {
            field: "version".into(),
            code: FieldCode::TermsNotAccepted,
        }]));
    }
    let mut tx = state.store.transaction().await?;
    store::cards::accept_terms(
        &mut tx,
        &session.customer_id,
        &stored,
        &program.terms_version,
        now_ms(),
    )
    .await?;
    store::commit(tx).await?;
    stored.terms_version = program.terms_version.clone();
    Ok(ApiJson(program_terms(program, &stored)))
}

/// The customer's card in `program_id`, and the program (for its resources: rewards, clubs): "not found" when either is missing.
pub async fn customers_card<'a>(
    state: &'a AppState,
    customer_id: &str,
    program_id: &str,
) -> ApiResult<(StoredCard, &'a Program)> {
    let program = state
        .config
        .program(program_id)
        .ok_or_else(ApiError::not_found)?;
    let card = store::cards::of_customer(&state.store, customer_id)
        .await?
        .into_iter()
        .find(|card| card.program_id == program_id)
        .ok_or_else(ApiError::not_found)?;
    Ok((card, program))
}

/// Enrols a customer in every program open for enrolment, recording each program's terms
/// version and the time; a card that exists already is left as it is.
pub async fn enrol_in_open_programs(
    tx: &mut Tx,
    config: &ProgramConfig,
    customer_id: &str,
) -> Result<(), StoreError> {
    let now = now_ms();
    for program in config
        .programs
        .iter()
        .filter(|p| p.enrolment == Enrolment::Open)
    {
        store::cards::enrol(tx, customer_id, &program.id, &program.terms_version, now).await?;
    }
    Ok(())
}

/// Every card of the signed-in customer, with balance, pending and expiring points, tier and
/// discount as of now; and the programs joined by application, to apply to or invite to.
#[utoipa::path(get, path = "/api/v1/wallet", tag = "cards", security(("bearer" = [])),
    responses((status = 200, body = Wallet), SessionRefusals))]
pub async fn wallet(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<ApiJson<Wallet>> {
    let stored = store::cards::of_customer(&state.store, &session.customer_id).await?;
    let now = now_ms();
    let mut conn = state.store.reader().await?;
    let mut cards = Vec::with_capacity(stored.len());
    let mut terms_to_accept = Vec::new();
    for card in &stored {
        // A card of a program since removed from the configuration has nothing to show.
        if let Some(program) = program_of(&state.config, card) {
            cards.push(card_status::card(&mut conn, program, card, now).await?);
            if !terms_accepted(program, card) {
                terms_to_accept.push(card.id.clone());
            }
        }
    }
    let held: Vec<&str> = stored.iter().map(|c| c.program_id.as_str()).collect();
    let by_invitation =
        program_entry::offers(&mut conn, &state.config, &session.customer_id, &held).await?;
    Ok(ApiJson(Wallet {
        cards,
        by_invitation,
        terms_to_accept,
    }))
}

/// One card of the signed-in customer; another customer's card is "not found".
#[utoipa::path(get, path = "/api/v1/cards/{id}", tag = "cards", security(("bearer" = [])),
    params(IdPath),
    responses((status = 200, body = Card), CustomerCardRefusals))]
pub async fn card(
    State(state): State<AppState>,
    session: CustomerSession,
    IdPath(id): IdPath,
) -> ApiResult<ApiJson<Card>> {
    let (stored, program) = customers_card_by_id(&state, &session.customer_id, &id).await?;
    let mut conn = state.store.reader().await?;
    Ok(ApiJson(
        card_status::card(&mut conn, program, &stored, now_ms()).await?,
    ))
}

/// Entries per history page.
pub const HISTORY_PAGE: i64 = 20;

/// `?cursor=`: the `next_cursor` of the previous page.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Omit for the newest entries.
    pub cursor: Option<String>,
}

refusals! {
    HistoryRefusals = SIGNED_IN, CUSTOMER_CARD, &[ErrorCode::InvalidQuery]
}

/// A card's history, newest first, [`HISTORY_PAGE`] entries a page.
#[utoipa::path(get, path = "/api/v1/cards/{id}/history", tag = "cards", security(("bearer" = [])),
    params(IdPath, HistoryQuery),
    responses((status = 200, body = HistoryPage), HistoryRefusals))]
pub async fn history(
    State(state): State<AppState>,
    session: CustomerSession,
    IdPath(id): IdPath,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> ApiResult<ApiJson<HistoryPage>> {
    let invalid = || ApiError::new(ErrorCode::InvalidQuery, "The history cursor is not valid.");
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
    store::cards::number_of_customers(&state.store, &id, &session.customer_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let rows = store::ledger::entries_before(&state.store, &id, before, HISTORY_PAGE + 1).await?;
    let more = rows.len() as i64 > HISTORY_PAGE;
    let mut entries = Vec::with_capacity(HISTORY_PAGE as usize);
    for row in rows.into_iter().take(HISTORY_PAGE as usize) {
        entries.push(HistoryEntry {
            seq: row.seq,
            kind: EntryKind::from_name(&row.kind)
                .ok_or_else(|| ApiError::internal(format!("unknown entry kind {}", row.kind)))?,
            points: row.amount,
            reason: row.reason,
            place: row.place,
            spend_minor: row.spend_minor,
            at: row.created_at,
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

fn program_of<'c>(config: &'c ProgramConfig, card: &StoredCard) -> Option<&'c Program> {
    config.program(&card.program_id)
}
