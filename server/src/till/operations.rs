//! What a till does with a ticket: record a purchase by the till's money rule (the member's
//! discount off the bill, points paying part of what is left if the member wishes, the rest in
//! money, which earns points). It needs an `Idempotency-Key` and runs in one transaction with it.

use super::idempotency::{self, Claim, IdempotencyKey};
use super::identify::too_many_typed;
use super::session::TillSession;
use crate::auth::attempts::Attempt;
use crate::card_status;
use crate::config::{Program, ProgramConfig};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ReaderLanguage};
use crate::openapi::refusals::{refusals, IDEMPOTENCY_KEY, JSON_BODY, SIGNED_IN};
use crate::purchases::{self, Purchase, PurchaseError};
use crate::rewards;
use crate::state::AppState;
use crate::store::till::TicketCard;
use crate::store::{self, now_ms, Tx, Write};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use std::sync::Arc;
use tessera_core::api::{
    ErrorCode, FieldError, TillClubFee, TillClubFeeRequest, TillClubOffers, TillPurchase,
    TillPurchaseRequest, TillTicket,
};
use tessera_core::validation::{normalize_email, FieldCode};
use tessera_core::Money;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/till/purchases", post(purchase))
        .route("/till/club-fees", post(club_fee))
        .route("/till/club-fees/offers", post(club_fee_offers))
}

fn invalid_field(field: &str, code: FieldCode) -> ApiError {
    ApiError::validation(vec![FieldError {
        field: field.into(),
        code,
    }])
}

pub(crate) fn ticket_invalid() -> ApiError {
    ApiError::new(
        ErrorCode::TicketInvalid,
        "This member's identification has expired. Scan the code again.",
    )
}

/// A voucher applied at the till: every way it can be refused.
pub const VOUCHER: &[ErrorCode] = &[
    ErrorCode::VoucherUnknown,
    ErrorCode::VoucherNotYours,
    ErrorCode::VoucherUsed,
    ErrorCode::VoucherExpired,
    ErrorCode::VoucherCancelled,
    ErrorCode::VoucherWrongPartner,
    ErrorCode::TooManyAttempts,
];

refusals! {
    PurchaseRefusals = SIGNED_IN, JSON_BODY, IDEMPOTENCY_KEY, VOUCHER, &[
        ErrorCode::TicketInvalid,
        ErrorCode::CardClosed,
        ErrorCode::TicketCannotSpend,
        ErrorCode::InsufficientPoints,
        ErrorCode::TermsNotAccepted,
        ErrorCode::PointsNotAccepted,
    ]
}

/// Records a purchase on the ticket's card: the member's discount off the bill, `points` paying
/// part of what is left, the rest in money, which earns points.
///
/// `ticket_cannot_spend`: points were offered on a ticket from a phone number; spending needs
/// the checkout code. `points_not_accepted`: the program takes no points as payment. A
/// `voucher` (its code) is used in the same transaction, after the discount; the `voucher_*`
/// codes say why one cannot be, and each voucher code takes a typed-code attempt.
#[utoipa::path(post, path = "/api/v1/till/purchases", tag = "till", security(("bearer" = [])),
    request_body = TillPurchaseRequest,
    params(IdempotencyKey),
    responses((status = 201, body = TillPurchase), PurchaseRefusals))]
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
    till.program(&state.config)?;
    if req.amount_minor <= 0 {
        return Err(invalid_field("amount_minor", FieldCode::NotPositive));
    }
    if req.amount_minor > purchases::MAX_AMOUNT_MINOR {
        return Err(invalid_field("amount_minor", FieldCode::TooLarge));
    }
    if req.points < 0 {
        return Err(invalid_field("points", FieldCode::NotPositive));
    }
    // Read before the write, so the writer's time goes to writing: a ticket is written once and
    // only expires, and an expired one still gets a retry its stored response.
    let now = now_ms();
    let card = store::till::ticket(&state.store, &till.session_id, &req.ticket, now).await?;
    // A voucher's code can be typed, so each one takes a typed-code slot before it is checked,
    // given back unless no voucher of the member's has it (a guess).
    let slots = match (&req.voucher, &card) {
        (Some(_), Some(card)) => Some(
            Attempt::typed_code(&card.card_id, &till.session_id)
                .take(&state.store)
                .await
                .map_err(too_many_typed)?,
        ),
        _ => None,
    };
    let write = TillWrite::new(state, till.clone(), key.to_owned(), card, now);
    let result = state
        .store
        .write(Idempotent {
            till: write,
            operation: RecordPurchase(req.clone()),
        })
        .await;
    let guessed = matches!(&result, Err(e) if matches!(e.code, ErrorCode::VoucherUnknown | ErrorCode::VoucherNotYours));
    if let (Some(slots), false) = (slots, guessed) {
        slots.succeeded(&state.store).await?;
    }
    result
}

refusals! {
    ClubFeeRefusals = SIGNED_IN, JSON_BODY, IDEMPOTENCY_KEY, &[
        ErrorCode::TicketInvalid,
        ErrorCode::NotFound,
    ]
}

refusals! {
    OffersRefusals = SIGNED_IN, JSON_BODY, &[ErrorCode::TicketInvalid]
}

/// The paid clubs whose fee the till may take in money from the ticket's member now, each with
/// what it charges: joining (the entrance fee unless paid before, and the first period) or
/// renewing from the membership's end date.
#[utoipa::path(post, path = "/api/v1/till/club-fees/offers", tag = "till",
    security(("bearer" = [])), request_body = TillTicket,
    responses((status = 200, body = TillClubOffers), OffersRefusals))]
pub async fn club_fee_offers(
    State(state): State<AppState>,
    till: TillSession,
    ReaderLanguage(language): ReaderLanguage,
    ApiJson(req): ApiJson<TillTicket>,
) -> ApiResult<ApiJson<TillClubOffers>> {
    let program = till.program(&state.config)?;
    let now = now_ms();
    let card = store::till::ticket(&state.store, &till.session_id, &req.ticket, now)
        .await?
        .ok_or_else(ticket_invalid)?;
    let mut conn = state.store.reader().await?;
    let offers =
        crate::clubs::till_offers(&mut conn, program, language, &card.card_id, now).await?;
    Ok(ApiJson(TillClubOffers { offers }))
}

/// Takes a paid club's fee in money from the ticket's member (one of
/// `POST /till/club-fees/offers`): joins the club (the entrance fee unless paid before, and the first
/// period) or renews it for one period from its current end date. A fee, not a purchase: it
/// earns no points and counts towards no spend. `not_found`: the program has no such club, or
/// it takes no money fee from this member now.
#[utoipa::path(post, path = "/api/v1/till/club-fees", tag = "till", security(("bearer" = [])),
    request_body = TillClubFeeRequest,
    params(IdempotencyKey),
    responses((status = 201, body = TillClubFee), ClubFeeRefusals))]
pub async fn club_fee(
    State(state): State<AppState>,
    till: TillSession,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(req): ApiJson<TillClubFeeRequest>,
) -> ApiResult<Response> {
    till.program(&state.config)?;
    let now = now_ms();
    let card = store::till::ticket(&state.store, &till.session_id, &req.ticket, now).await?;
    let write = TillWrite::new(&state, till, key, card, now);
    state
        .store
        .write(Idempotent {
            till: write,
            operation: TakeClubFee(req),
        })
        .await
}

/// A till write as the transaction needs it: owned, since the writer may run it more than once.
struct TillWrite {
    config: Arc<ProgramConfig>,
    till: TillSession,
    /// The staff account's normalized e-mail: the idempotency key's scope.
    email: String,
    key: String,
    /// The ticket's card and whether it may spend, read before the transaction.
    card: Option<TicketCard>,
    now: i64,
}

impl TillWrite {
    fn new(
        state: &AppState,
        till: TillSession,
        key: String,
        card: Option<TicketCard>,
        now: i64,
    ) -> Self {
        Self {
            config: state.config.clone(),
            email: normalize_email(&till.staff.email),
            till,
            key,
            card,
            now,
        }
    }

    /// The ledger reference of the write: unique, as the claimed idempotency key it is made of.
    fn reference(&self) -> String {
        format!("till:{}:{}", self.email, self.key)
    }

    /// The ticket's card; `None` when the ticket is unknown, another till's, or expired.
    fn card(&self) -> ApiResult<&TicketCard> {
        self.card.as_ref().ok_or_else(ticket_invalid)
    }
}

/// A till write that is done once per idempotency key: [`Idempotent`] claims the key before it
/// and stores its answer as the key's response after it, in the same transaction.
trait TillOperation: Send + Sync + 'static {
    /// The endpoint's name in the request hash: one key sent to two endpoints is two requests.
    const ENDPOINT: &'static str;
    type Request: serde::Serialize + Send + Sync;
    type Body: serde::Serialize + Send + Sync;

    fn request(&self) -> &Self::Request;

    /// The write, in `tx`, once the key is claimed; it may run again (see [`Write`]).
    fn apply(
        &self,
        till: &TillWrite,
        tx: &mut Tx,
        program: &Program,
    ) -> impl std::future::Future<Output = ApiResult<Self::Body>> + Send;
}

/// Runs a [`TillOperation`] under its idempotency key: a retry with the same key and request gets
/// the first response (`201` and body) without writing again.
struct Idempotent<O> {
    till: TillWrite,
    operation: O,
}

impl<O: TillOperation> Write for Idempotent<O> {
    type Output = Response;
    type Error = ApiError;

    async fn run(&self, tx: &mut Tx) -> ApiResult<Response> {
        let till = &self.till;
        let program = till.till.program(&till.config)?;
        let hash = idempotency::request_hash(O::ENDPOINT, self.operation.request());
        if let Claim::Replay(response) =
            idempotency::claim(tx, &till.email, &till.key, &hash).await?
        {
            return Ok(response);
        }
        let body = self.operation.apply(till, tx, program).await?;
        idempotency::store(tx, &till.email, &till.key, StatusCode::CREATED, &body).await
    }
}

/// Recording a purchase on the ticket's card.
struct RecordPurchase(TillPurchaseRequest);

impl TillOperation for RecordPurchase {
    const ENDPOINT: &'static str = "purchases";
    type Request = TillPurchaseRequest;
    type Body = TillPurchase;

    fn request(&self) -> &TillPurchaseRequest {
        &self.0
    }

    async fn apply(
        &self,
        till: &TillWrite,
        tx: &mut Tx,
        program: &Program,
    ) -> ApiResult<TillPurchase> {
        let (req, now) = (&self.0, till.now);
        let card = till.card()?;
        if req.points > 0 && !card.can_spend {
            return Err(ApiError::new(
                ErrorCode::TicketCannotSpend,
                "Spending points needs the customer's code: scan it instead of the phone number.",
            ));
        }
        let voucher = match &req.voucher {
            Some(code) => {
                let partner = till.till.staff.partner.as_deref();
                let found =
                    rewards::voucher_for_till(tx, program, code, &card.card_id, partner, now)
                        .await?;
                Some(found)
            }
            None => None,
        };
        let reference = till.reference();
        let purchase = Purchase {
            card_id: &card.card_id,
            amount: Money::new(req.amount_minor, program.currency),
            points: req.points,
            voucher: voucher.as_ref().map(|(row, kind)| (row.id.as_str(), *kind)),
            reference: &reference,
            place: till.till.staff.location.as_deref(),
            partner: till.till.staff.partner.as_deref(),
            // The idempotency key was claimed just now, and the reference is made from it.
            reference_is_new: true,
        };
        let recorded = purchases::record(tx, program, &purchase, now)
            .await
            .map_err(|e| match e {
                PurchaseError::InvalidAmount | PurchaseError::WrongCurrency => {
                    invalid_field("amount_minor", FieldCode::TooLarge)
                }
                PurchaseError::CardNotFound => ticket_invalid(),
                PurchaseError::CardClosed => {
                    ApiError::new(ErrorCode::CardClosed, "This card is closed.")
                }
                PurchaseError::ReferenceReused => ApiError::internal("till reference reused"),
                PurchaseError::PointsNotAccepted => points_not_accepted(),
                PurchaseError::TermsNotAccepted => ApiError::new(
                    ErrorCode::TermsNotAccepted,
                    "The member must accept the program's new terms in the app before spending \
                     points; the purchase can be recorded without points.",
                ),
                PurchaseError::PointsOverTotal => invalid_field("points", FieldCode::TooLarge),
                PurchaseError::InsufficientPoints { spendable } => ApiError::new(
                    ErrorCode::InsufficientPoints,
                    format!("The card has {spendable} points to spend."),
                ),
                PurchaseError::VoucherEnded => ApiError::new(
                    ErrorCode::VoucherUsed,
                    "This voucher was used or cancelled just now.",
                ),
                PurchaseError::Store(e) => e.into(),
            })?;
        let card = card_status::written_card(
            tx,
            program,
            &recorded.card,
            recorded.months.as_deref(),
            recorded.clubs.as_deref(),
            now,
        )
        .await?;
        Ok(TillPurchase {
            bill: recorded.bill,
            points: recorded.points,
            welcome_points: recorded.welcome_points,
            card: (&card).into(),
        })
    }
}

fn points_not_accepted() -> ApiError {
    ApiError::new(
        ErrorCode::PointsNotAccepted,
        "This program does not take points as payment.",
    )
}

/// Taking a club fee in money from the ticket's member.
struct TakeClubFee(TillClubFeeRequest);

impl TillOperation for TakeClubFee {
    const ENDPOINT: &'static str = "club-fees";
    type Request = TillClubFeeRequest;
    type Body = TillClubFee;

    fn request(&self) -> &TillClubFeeRequest {
        &self.0
    }

    async fn apply(
        &self,
        till: &TillWrite,
        tx: &mut Tx,
        program: &Program,
    ) -> ApiResult<TillClubFee> {
        let card = till.card()?;
        let club = program
            .clubs
            .iter()
            .find(|c| c.id == self.0.club_id)
            .ok_or_else(ApiError::not_found)?;
        let staff = &till.till.staff;
        crate::clubs::take_fee(
            tx,
            program,
            club,
            &card.card_id,
            &till.email,
            staff.location.as_deref(),
            till.now,
        )
        .await
    }
}
