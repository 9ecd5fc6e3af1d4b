//! Rewards: a program's catalog for the member asking, redeeming a reward for a voucher, the
//! member's vouchers, and cancelling one. The rules are `tessera_core::catalog`'s.
//!
//! Redeeming is one transaction under the card's lock: the reward's window and restrictions, the
//! member's limit and points are checked (`Reward::refusal`), one is taken from its stock by a
//! conditional update (so the last one goes to exactly one of many concurrent redeemers), the
//! points are spent (soonest expiring first, remembering the lots), and the voucher is issued.
//! It needs an `Idempotency-Key`, scoped to the customer: a double tap issues one voucher.
//! Cancelling an unused voucher gives its points back to the lots they came from, with their
//! expiry dates, and puts it back into stock.

use crate::auth::session::CustomerSession;
use crate::calendar;
use crate::card_status;
use crate::config::{Program, ProgramConfig};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdPath, ReaderLanguage};
use crate::openapi::refusals::{refusals, SessionRefusals, IDEMPOTENCY_KEY, SIGNED_IN};
use crate::state::AppState;
use crate::store::ledger::{self, Deduction, LedgerError};
use crate::store::purchases::tier_window;
use crate::store::vouchers::{self, NewVoucher, VoucherRow};
use crate::store::{now_ms, StoreError, Tx, Write};
use crate::till::idempotency::{self, Claim, IdempotencyKey};
use crate::typed_code;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use tessera_core::api::{
    ErrorCode, PartnerView, RewardGoal, RewardView, Rewards, Voucher, VoucherStatus,
    VoucherWithCard, Vouchers,
};
use tessera_core::catalog::{is_id, MemberFacts, Refusal, Reward, RewardKind};
use tessera_core::points::EntryKind;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programs/{id}/rewards", get(catalog))
        .route("/programs/{id}/rewards/{reward}/redeem", post(redeem))
        .route("/vouchers", get(list))
        .route("/vouchers/{id}/cancel", post(cancel))
}

/// The ids of the partners reward `reward_id` is limited to (empty: every partner, or a reward
/// no longer in the catalog).
fn reward_partners<'a>(program: &'a Program, reward_id: &str) -> &'a [String] {
    program
        .rewards
        .iter()
        .find(|r| r.id == reward_id)
        .map(|r| r.partners.as_slice())
        .unwrap_or_default()
}

/// The names of the partners with these ids (a reward's restriction).
fn partner_names(program: &Program, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            program
                .partners
                .iter()
                .find(|p| &p.id == id)
                .map_or_else(|| id.clone(), |p| p.name.clone())
        })
        .collect()
}

/// The reward's title in the reader's `language`, else the program's.
fn title_of(program: &Program, language: Option<&str>, reward: &Reward) -> String {
    program.text(language, &reward.title)
}

/// The cheapest reward the member can work towards and cannot yet afford, for a card showing
/// `balance` at `tier` in `clubs` on `now`: in its window, for their level and clubs, not out of stock (the
/// stock issued is read only when a reward with stock comes first). `None` when every reward
/// they may redeem is affordable, or there is none.
pub async fn next_goal(
    conn: &mut sqlx::AnyConnection,
    program: &Program,
    balance: i64,
    tier: Option<&str>,
    clubs: &[&str],
    now: i64,
) -> Result<Option<RewardGoal>, StoreError> {
    let today = calendar::day_of(program.tz(), now);
    let mut candidates: Vec<&Reward> = program
        .rewards
        .iter()
        .filter(|reward| reward.cost_for(clubs) > balance && reward.stock != Some(0))
        .filter(|reward| {
            let facts = MemberFacts {
                balance: reward.cost_for(clubs),
                tier,
                clubs,
                issued: 0,
                redeemed_ever: 0,
                redeemed_this_month: 0,
            };
            reward.refusal(&facts, &today).is_none()
        })
        .collect();
    candidates.sort_by_key(|reward| reward.cost_for(clubs));
    let mut issued = None;
    for reward in candidates {
        if let Some(stock) = reward.stock {
            if issued.is_none() {
                issued = Some(vouchers::issued_on(conn, &program.id).await?);
            }
            let taken = issued
                .as_ref()
                .and_then(|all| all.iter().find(|(id, _)| id == &reward.id))
                .map_or(0, |(_, n)| *n);
            if taken >= stock {
                continue;
            }
        }
        return Ok(Some(RewardGoal {
            // The card is read by many paths (wallet, card, till answers): in the program's
            // language until they carry the reader's.
            name: title_of(program, None, reward),
            points: reward.cost_for(clubs),
            remaining: reward.cost_for(clubs) - balance,
        }));
    }
    Ok(None)
}

refusals! {
    CatalogRefusals = SIGNED_IN, &[ErrorCode::NotFound]
}

/// The program's rewards for the signed-in member: for each, whether they can redeem it now and
/// if not why (`refusal`) and how many points they miss; what they can redeem first, then by
/// cost. A program the member has no card in is "not found".
#[utoipa::path(get, path = "/api/v1/programs/{id}/rewards", tag = "rewards",
    security(("bearer" = [])), params(IdPath),
    responses((status = 200, body = Rewards), CatalogRefusals))]
pub async fn catalog(
    State(state): State<AppState>,
    session: CustomerSession,
    ReaderLanguage(language): ReaderLanguage,
    IdPath(program_id): IdPath,
) -> ApiResult<ApiJson<Rewards>> {
    let (card, program) =
        crate::cards::customers_card(&state, &session.customer_id, &program_id).await?;
    let now = now_ms();
    let mut conn = state.store.reader().await?;
    // The card as the member sees it: its balance and level now.
    let benefits = crate::clubs::benefits(&mut conn, program, &card.id, now).await?;
    let shown = card_status::card_in_clubs(&mut conn, program, &card, &benefits, now).await?;
    let tier = shown.tier.as_ref().map(|t| t.name.as_str());
    let clubs: Vec<&str> = benefits.iter().map(|c| c.club_id.as_str()).collect();
    let month = i64::from(calendar::month_of(program.tz(), now));
    let redeemed = vouchers::redeemed_by_card(&mut conn, &card.id, month).await?;
    let issued = vouchers::issued_on(&mut conn, &program.id).await?;
    let today = calendar::day_of(program.tz(), now);
    let mut rewards: Vec<RewardView> = program
        .rewards
        .iter()
        .map(|reward| {
            let issued = issued
                .iter()
                .find(|(id, _)| id == &reward.id)
                .map_or(0, |(_, n)| *n);
            let (ever, this_month) = redeemed
                .iter()
                .find(|(id, _, _)| id == &reward.id)
                .map_or((0, 0), |(_, ever, month)| (*ever, *month));
            let facts = MemberFacts {
                balance: shown.balance,
                tier,
                clubs: &clubs,
                issued,
                redeemed_ever: ever,
                redeemed_this_month: this_month,
            };
            let refusal = reward.refusal(&facts, &today);
            RewardView {
                id: reward.id.clone(),
                title: title_of(program, language, reward),
                description: program.text(language, &reward.description),
                picture: format!("/rewards/{}", reward.picture),
                cost: reward.cost_for(&clubs),
                list_cost: (reward.cost_for(&clubs) < reward.cost).then_some(reward.cost),
                value: reward.voucher.into(),
                stock_left: reward.stock.map(|stock| (stock - issued).max(0)),
                available_until: reward.available_until.clone(),
                tiers: reward.tiers.clone(),
                partners: partner_names(program, &reward.partners),
                refusal: refusal.map(Refusal::code),
                missing_points: (reward.cost_for(&clubs) - shown.balance).max(0),
            }
        })
        .collect();
    rewards.sort_by_key(|r| (r.refusal.is_some(), r.cost));
    Ok(ApiJson(Rewards {
        program_id: program.id.clone(),
        partners: program
            .partners
            .iter()
            .map(|p| PartnerView {
                id: p.id.clone(),
                name: p.name.clone(),
                locations: p.locations.clone(),
            })
            .collect(),
        rewards,
    }))
}

/// `{id}` and `{reward}` of a redeem path; an implausible one is "not found".
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RewardPath {
    /// The program's id.
    id: String,
    /// The reward's id in the program.
    reward: String,
}

refusals! {
    RedeemRefusals = SIGNED_IN, IDEMPOTENCY_KEY, &[
        ErrorCode::NotFound,
        ErrorCode::InsufficientPoints,
        ErrorCode::TermsNotAccepted,
        ErrorCode::OutOfStock,
        ErrorCode::LimitReached,
        ErrorCode::NotEligible,
        ErrorCode::NotYetAvailable,
        ErrorCode::NoLongerAvailable,
    ]
}

/// Redeems a reward for a voucher: in one transaction, the checks of the catalog, one from
/// stock, the points spent (soonest expiring first) and the voucher issued. A retry with the same
/// `Idempotency-Key` gets the first answer; a double tap issues one voucher.
#[utoipa::path(post, path = "/api/v1/programs/{id}/rewards/{reward}/redeem", tag = "rewards",
    security(("bearer" = [])), params(RewardPath, IdempotencyKey),
    responses((status = 201, body = VoucherWithCard), RedeemRefusals))]
pub async fn redeem(
    State(state): State<AppState>,
    session: CustomerSession,
    ReaderLanguage(language): ReaderLanguage,
    IdempotencyKey(key): IdempotencyKey,
    path: Result<Path<RewardPath>, PathRejection>,
) -> ApiResult<Response> {
    // An implausible id is an unknown one.
    let Ok(Path(path)) = path else {
        return Err(ApiError::not_found());
    };
    if !is_id(&path.id) || !is_id(&path.reward) {
        return Err(ApiError::not_found());
    }
    let (card, program) =
        crate::cards::customers_card(&state, &session.customer_id, &path.id).await?;
    if !program.rewards.iter().any(|r| r.id == path.reward) {
        return Err(ApiError::not_found());
    }
    state
        .store
        .write(Redeem {
            config: state.config.clone(),
            customer_id: session.customer_id,
            program_id: program.id.clone(),
            reward_id: path.reward,
            card_id: card.id,
            key,
            language,
        })
        .await
}

/// A redemption, as the transaction needs it (owned: the writer may run it more than once).
struct Redeem {
    config: Arc<ProgramConfig>,
    customer_id: String,
    program_id: String,
    reward_id: String,
    card_id: String,
    key: String,
    /// The language the voucher's title is copied in.
    language: Option<&'static str>,
}

impl Write for Redeem {
    type Output = Response;
    type Error = ApiError;

    async fn run(&self, tx: &mut Tx) -> ApiResult<Response> {
        let program = self
            .config
            .program(&self.program_id)
            .ok_or_else(ApiError::not_found)?;
        let reward = program
            .rewards
            .iter()
            .find(|r| r.id == self.reward_id)
            .ok_or_else(ApiError::not_found)?;
        let scope = idempotency::customer_scope(&self.customer_id);
        let hash = idempotency::request_hash("redeem", &(&self.program_id, &self.reward_id));
        if let Claim::Replay(response) = idempotency::claim(tx, &scope, &self.key, &hash).await? {
            return Ok(response);
        }
        let now = now_ms();
        let tz = program.tz();
        let mut card = ledger::lock(tx, &self.card_id)
            .await
            .map_err(ledger_error)?;
        crate::cards::check_terms(program, &card)?;
        ledger::settle(tx, &mut card, now)
            .await
            .map_err(ledger_error)?;
        let month = calendar::month_of(tz, now);
        let months = tier_window(tx, &card.id, program.tiers.as_ref(), month).await?;
        let tier = program.tiers.as_ref().map(|tiers| {
            tiers.levels[tiers.level(card.totals.tier_state(), &months, month)]
                .name
                .as_str()
        });
        let benefits = crate::clubs::benefits(tx, program, &card.id, now).await?;
        let clubs: Vec<&str> = benefits.iter().map(|c| c.club_id.as_str()).collect();
        let redeemed = vouchers::redeemed_by_card(tx, &card.id, i64::from(month)).await?;
        let (ever, this_month) = redeemed
            .iter()
            .find(|(id, _, _)| id == &reward.id)
            .map_or((0, 0), |(_, ever, month)| (*ever, *month));
        let facts = MemberFacts {
            balance: card.balance,
            tier,
            clubs: &clubs,
            // Stock is taken below by one conditional update, which decides.
            issued: 0,
            redeemed_ever: ever,
            redeemed_this_month: this_month,
        };
        if let Some(refusal) = reward.refusal(&facts, &calendar::day_of(tz, now)) {
            return Err(refused(refusal));
        }
        if !vouchers::claim_stock(tx, &program.id, &reward.id, reward.stock).await? {
            return Err(refused(Refusal::OutOfStock));
        }
        let code = typed_code::random();
        let spend_reference = format!("voucher:{code}");
        let title = title_of(program, self.language, reward);
        // The member's price: the lowest of their clubs' prices, else the reward's.
        let cost = reward.cost_for(&clubs);
        let spend = Deduction {
            kind: EntryKind::Spent,
            points: cost,
            reason: &title,
            reference: &spend_reference,
            place: None,
        };
        ledger::take_settled(tx, &mut card, &spend, now)
            .await
            .map_err(ledger_error)?;
        ledger::save(tx, &card).await.map_err(ledger_error)?;
        let voucher_json = serde_json::to_string(&reward.voucher).map_err(ApiError::internal)?;
        let expires_at = calendar::day_start_after(tz, now, reward.voucher_days + 1);
        let id = vouchers::insert(
            tx,
            &NewVoucher {
                code: &code,
                card_id: &card.id,
                program_id: &program.id,
                reward_id: &reward.id,
                title: &title,
                voucher: &voucher_json,
                cost,
                issued_at: now,
                month: i64::from(month),
                expires_at,
                spend_reference: &spend_reference,
            },
        )
        .await?;
        let row = vouchers::in_tx(tx, &id)
            .await?
            .ok_or_else(|| ApiError::internal("the voucher just issued"))?;
        let body = VoucherWithCard {
            voucher: voucher_view(Some(program), &row, now)?,
            card: card_status::written_card(
                tx,
                program,
                &card,
                Some(&months),
                Some(&benefits),
                now,
            )
            .await?,
        };
        idempotency::store(tx, &scope, &self.key, StatusCode::CREATED, &body).await
    }
}

/// A refusal of the catalog's rules, in the API's words.
fn refused(refusal: Refusal) -> ApiError {
    let message = match refusal {
        Refusal::NotYetAvailable => "This reward is not available yet.".to_owned(),
        Refusal::NoLongerAvailable => "This reward is no longer available.".to_owned(),
        Refusal::NotEligible => "This reward is for other members.".to_owned(),
        Refusal::OutOfStock => "None of this reward is left.".to_owned(),
        Refusal::LimitReached => "You have redeemed this reward as often as allowed.".to_owned(),
        Refusal::NotEnoughPoints { missing } => {
            format!("You need {missing} more points for this reward.")
        }
    };
    ApiError::new(refusal.code(), message)
}

/// A ledger failure of a member's write, in the API's words.
pub(crate) fn ledger_error(e: LedgerError) -> ApiError {
    match e {
        LedgerError::CardNotFound => ApiError::not_found(),
        LedgerError::CardClosed => ApiError::new(ErrorCode::CardClosed, "This card is closed."),
        LedgerError::Insufficient { spendable } => ApiError::new(
            ErrorCode::InsufficientPoints,
            format!("The card has {spendable} points to spend."),
        ),
        LedgerError::Store(e) => e.into(),
        other => ApiError::internal(other),
    }
}

/// A stored voucher as the API shows it at `now` (an active one past its time is expired), with
/// where it is taken as `program` (if still configured) says.
fn voucher_view(program: Option<&Program>, row: &VoucherRow, now: i64) -> ApiResult<Voucher> {
    let status = match row.status.as_str() {
        "used" => VoucherStatus::Used,
        "cancelled" => VoucherStatus::Cancelled,
        _ if row.expires_at <= now => VoucherStatus::Expired,
        _ => VoucherStatus::Active,
    };
    let kind: RewardKind = serde_json::from_str(&row.voucher).map_err(ApiError::internal)?;
    let partners = program.map_or_else(Vec::new, |program| {
        partner_names(program, reward_partners(program, &row.reward_id))
    });
    Ok(Voucher {
        id: row.id.clone(),
        code: row.code.clone(),
        card_id: row.card_id.clone(),
        program_id: row.program_id.clone(),
        reward_id: row.reward_id.clone(),
        title: row.title.clone(),
        value: kind.into(),
        currency: program.map(|p| p.currency),
        partners,
        cost: row.cost,
        status,
        issued_at: row.issued_at,
        expires_at: row.expires_at,
        ended_at: row.ended_at,
        qr: (status == VoucherStatus::Active).then(|| qr_data_url(&row.code)),
    })
}

/// `code` as a QR code (level M, with the quiet zone scanners need), an SVG in a `data:` URL
/// the wallet shows as an image (its CSP admits `data:` images). A voucher code is 10 base32
/// characters, always within a QR code's capacity.
fn qr_data_url(code: &str) -> String {
    use base64::Engine;
    use qrcode::render::svg;
    let svg = qrcode::QrCode::with_error_correction_level(code, qrcode::EcLevel::M)
        .map(|qr| {
            qr.render::<svg::Color<'_>>()
                .quiet_zone(true)
                .module_dimensions(1, 1)
                .dark_color(svg::Color("#000"))
                .light_color(svg::Color("#fff"))
                .build()
        })
        .unwrap_or_default();
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// The signed-in member's vouchers, newest first: active, used, expired and cancelled.
#[utoipa::path(get, path = "/api/v1/vouchers", tag = "rewards", security(("bearer" = [])),
    responses((status = 200, body = Vouchers), SessionRefusals))]
pub async fn list(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<ApiJson<Vouchers>> {
    let now = now_ms();
    let rows = vouchers::of_customer(&state.store, &session.customer_id).await?;
    let vouchers = rows
        .iter()
        .map(|row| voucher_view(state.config.program(&row.program_id), row, now))
        .collect::<ApiResult<_>>()?;
    Ok(ApiJson(Vouchers { vouchers }))
}

/// Why a voucher cannot be used or cancelled any more, if it cannot: used, cancelled, expired.
fn ended(row: &VoucherRow, now: i64) -> Option<ApiError> {
    let (code, message) = match row.status.as_str() {
        "used" => (ErrorCode::VoucherUsed, "This voucher was used already."),
        "cancelled" => (
            ErrorCode::VoucherCancelled,
            "This voucher was cancelled: its points went back to the card.",
        ),
        _ if row.expires_at <= now => (ErrorCode::VoucherExpired, "This voucher has expired."),
        _ => return None,
    };
    Some(ApiError::new(code, message))
}

/// The voucher with `code` as a till may apply it to `card_id`'s bill at `partner` on `now`:
/// read on `conn` (the purchase's transaction, or a reader to check it first). Refused when no
/// voucher has the code, it is another card's, it was used, cancelled or has expired, or its
/// reward is only for other partners.
pub async fn voucher_for_till(
    conn: &mut sqlx::AnyConnection,
    program: &Program,
    code: &str,
    card_id: &str,
    partner: Option<&str>,
    now: i64,
) -> ApiResult<(VoucherRow, RewardKind)> {
    let row = vouchers::by_code(conn, &typed_code::normalized(code))
        .await?
        .filter(|row| row.program_id == program.id)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::VoucherUnknown,
                "No voucher has this code. Check it, or scan the voucher's QR code.",
            )
        })?;
    if row.card_id != card_id {
        return Err(ApiError::new(
            ErrorCode::VoucherNotYours,
            "This voucher belongs to another member.",
        ));
    }
    if let Some(refusal) = ended(&row, now) {
        return Err(refusal);
    }
    let partners = reward_partners(program, &row.reward_id);
    if !partners.is_empty() && !partner.is_some_and(|p| partners.iter().any(|q| q == p)) {
        return Err(ApiError::new(
            ErrorCode::VoucherWrongPartner,
            "This voucher is for another partner's stores.",
        ));
    }
    let kind = serde_json::from_str(&row.voucher).map_err(ApiError::internal)?;
    Ok((row, kind))
}

refusals! {
    CancelRefusals = SIGNED_IN, &[
        ErrorCode::NotFound,
        ErrorCode::VoucherUsed,
        ErrorCode::VoucherExpired,
        ErrorCode::VoucherCancelled,
    ]
}

/// Cancels an unused voucher: its points come back to the lots they were taken from, with their
/// expiry dates, and it goes back into stock. A used, expired or cancelled voucher is refused
/// (`voucher_used`, `voucher_expired`, `voucher_cancelled`); another member's is not found.
#[utoipa::path(post, path = "/api/v1/vouchers/{id}/cancel", tag = "rewards",
    security(("bearer" = [])), params(IdPath),
    responses((status = 200, body = VoucherWithCard), CancelRefusals))]
pub async fn cancel(
    State(state): State<AppState>,
    session: CustomerSession,
    IdPath(id): IdPath,
) -> ApiResult<ApiJson<VoucherWithCard>> {
    let cancelled = state
        .store
        .write(Cancel {
            config: state.config.clone(),
            customer_id: session.customer_id,
            voucher_id: id,
        })
        .await?;
    Ok(ApiJson(cancelled))
}

/// Cancelling a voucher, as the transaction needs it.
struct Cancel {
    config: Arc<ProgramConfig>,
    customer_id: String,
    voucher_id: String,
}

impl Write for Cancel {
    type Output = VoucherWithCard;
    type Error = ApiError;

    async fn run(&self, tx: &mut Tx) -> ApiResult<VoucherWithCard> {
        let row = vouchers::customers_in_tx(tx, &self.voucher_id, &self.customer_id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let program = self
            .config
            .program(&row.program_id)
            .ok_or_else(ApiError::not_found)?;
        let now = now_ms();
        let mut card = ledger::lock(tx, &row.card_id).await.map_err(ledger_error)?;
        ledger::settle(tx, &mut card, now)
            .await
            .map_err(ledger_error)?;
        // Read again under the card's lock, which a till using the voucher takes first too:
        // as it stands now, nothing else can end it before this transaction does.
        let row = vouchers::in_tx(tx, &row.id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        if let Some(refusal) = ended(&row, now) {
            return Err(refusal);
        }
        if !vouchers::end(tx, &row.id, "cancelled", now).await? {
            return Err(ApiError::internal("an active voucher did not end"));
        }
        let reason = format!("{} (cancelled)", row.title);
        let reference = format!("cancel:{}", row.code);
        ledger::give_back_settled(
            tx,
            &mut card,
            &row.spend_reference,
            &reason,
            &reference,
            now,
        )
        .await
        .map_err(ledger_error)?;
        ledger::save(tx, &card).await.map_err(ledger_error)?;
        vouchers::release_stock(tx, &row.program_id, &row.reward_id).await?;
        let ended = vouchers::in_tx(tx, &row.id)
            .await?
            .ok_or_else(|| ApiError::internal("the voucher just cancelled"))?;
        Ok(VoucherWithCard {
            voucher: voucher_view(Some(program), &ended, now)?,
            card: card_status::written_card(tx, program, &card, None, None, now).await?,
        })
    }
}
