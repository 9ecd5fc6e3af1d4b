//! Clubs: the clubs of a card's program for its member (what each gives, costs or asks, and where
//! they stand, with their progress on a closed club's rules), joining (open at once; paid with
//! points; closed with answers, an invitation and staff approval), renewing, leaving, renewal
//! with points, invitation codes, and the benefits a card has now. The rules are
//! `tessera_core::club`'s; the till's side (fees in money, approvals) is `crate::till::clubs`.
//!
//! Every change runs under the card's lock. Paying with points is one transaction with the
//! membership it buys, and needs an `Idempotency-Key` scoped to the customer: a double tap
//! pays once. The points entry's reference names the membership and its period, so nothing
//! pays for the same period twice.

use crate::auth::session::CustomerSession;
use crate::calendar;
use crate::card_status;
use crate::cards::customers_card;
use crate::config::{Program, ProgramConfig};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdPath, ReaderLanguage};
use crate::openapi::refusals::{refusals, CUSTOMER_CARD, IDEMPOTENCY_KEY, JSON_BODY, SIGNED_IN};
use crate::rewards::ledger_error;
use crate::state::AppState;
use crate::store::card_row::StoredCard;
use crate::store::clubs::{
    self as stored, ApplicationRow, InvitationRow, MembershipRow, NewApplication, NewMembership,
};
use crate::store::ledger::{self, Deduction, LedgerError};
use crate::store::purchases::purchase_facts;
use crate::store::{self, now_ms, StoreError, Tx, Write};
use crate::till::idempotency::{self, customer_scope, Claim, IdempotencyKey};
use crate::typed_code;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;
use sqlx::AnyConnection;
use std::sync::Arc;
use tessera_core::api::{
    Answer, ApplicationStatus, ApplicationView, AutoRenew, ClubState, ClubView, ClubWithCard,
    Clubs, ErrorCode, FeeView, FieldError, InvitationView, JoinClub, MembershipView, QuestionView,
    TillClubFee, TillClubOffer,
};
use tessera_core::catalog::is_id;
use tessera_core::club::{
    self, answer_refusals, Club, ClubKind, Invitations, Price, PurchaseFact, Question,
};
use tessera_core::points::EntryKind;

/// A week, in milliseconds: how early the wallet warns that a renewal with points falls short.
const WEEK_MS: i64 = 7 * 86_400_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cards/{id}/clubs", get(list))
        .route("/programs/{id}/clubs/{club}/join", post(join))
        .route("/programs/{id}/clubs/{club}/renew", post(renew))
        .route("/programs/{id}/clubs/{club}/leave", post(leave))
        .route("/programs/{id}/clubs/{club}/auto-renew", put(auto_renew))
        .route("/programs/{id}/clubs/{club}/invitations", post(invite))
}

/// What a club a card is a member of gives it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Benefit {
    pub club_id: String,
    /// Its discount, in basis points (competes with the others: the highest applies).
    pub discount_bp: Option<u32>,
    /// Its earn multiplier, in percent (multiplies the level's).
    pub multiplier_percent: Option<u32>,
}

/// The benefits of the clubs `card_id` is a member of at `now` (active and before its end
/// date, whatever the periodic job has done), read on `conn`; nothing is read for a program
/// without clubs.
pub async fn benefits(
    conn: &mut AnyConnection,
    program: &Program,
    card_id: &str,
    now: i64,
) -> Result<Vec<Benefit>, StoreError> {
    if program.clubs.is_empty() {
        return Ok(Vec::new());
    }
    let memberships = stored::of_card(conn, card_id).await?;
    Ok(memberships
        .iter()
        .filter(|m| m.current(now))
        .filter_map(|m| {
            let club = program.clubs.iter().find(|c| c.id == m.club_id)?;
            Some(Benefit {
                club_id: club.id.clone(),
                discount_bp: club.benefits.discount_bp,
                multiplier_percent: club.benefits.multiplier_percent,
            })
        })
        .collect())
}

/// Where a card stands with every club of its program: read once for a listing or a change.
struct Standing {
    memberships: Vec<MembershipRow>,
    applications: Vec<ApplicationRow>,
    purchases: Vec<PurchaseFact>,
    /// This year's invitation codes, per club the card is a member of.
    invitations: Vec<(String, Vec<InvitationRow>)>,
    balance: i64,
}

impl Standing {
    async fn read(
        conn: &mut AnyConnection,
        program: &Program,
        card_id: &str,
        balance: i64,
        now: i64,
    ) -> Result<Self, StoreError> {
        let memberships = stored::of_card(conn, card_id).await?;
        let applications = stored::latest_applications(conn, card_id).await?;
        let closed_with_rules = program.clubs.iter().any(|c| {
            c.entry.as_ref().is_some_and(|e| !e.rules.is_empty())
                && !memberships
                    .iter()
                    .any(|m| m.club_id == c.id && m.current(now))
        });
        let purchases = if closed_with_rules {
            purchase_facts(conn, card_id).await?
        } else {
            Vec::new()
        };
        let since = year_start(program, now);
        let mut invitations = Vec::new();
        for m in memberships.iter().filter(|m| m.current(now)) {
            let invites = program
                .clubs
                .iter()
                .find(|c| c.id == m.club_id)
                .and_then(|c| c.entry.as_ref())
                .is_some_and(|e| e.invitations.is_some());
            if invites {
                let codes = stored::invitations(conn, card_id, &m.club_id, since).await?;
                invitations.push((m.club_id.clone(), codes));
            }
        }
        Ok(Self {
            memberships,
            applications,
            purchases,
            invitations,
            balance,
        })
    }

    fn membership(&self, club_id: &str) -> Option<&MembershipRow> {
        self.memberships.iter().find(|m| m.club_id == club_id)
    }

    fn application(&self, club_id: &str) -> Option<&ApplicationRow> {
        self.applications.iter().find(|a| a.club_id == club_id)
    }

    /// The club as the member sees it at `now`.
    fn view(&self, program: &Program, language: Option<&str>, club: &Club, now: i64) -> ClubView {
        let membership = self.membership(&club.id);
        let member = membership.is_some_and(|m| m.current(now));
        let application = self.application(&club.id);
        let entry = club.entry.as_ref();
        let rules = entry.map_or_else(Vec::new, |e| club::progress(&e.rules, &self.purchases, now));
        let state = if member {
            ClubState::Member
        } else if application.is_some_and(|a| a.status == "pending") {
            ClubState::Pending
        } else if membership.is_some_and(|m| m.status == "lapsed" || m.status == "active") {
            // Active past its end date: lapsed, whether or not the periodic job has said so.
            ClubState::Lapsed
        } else if club::all_met(&rules) {
            ClubState::Eligible
        } else {
            ClubState::NotEligible
        };
        let fees = club.fees.as_ref();
        let renew_points = fees.and_then(|f| f.to_renew()).and_then(|p| p.points);
        let codes = self
            .invitations
            .iter()
            .find(|(id, _)| id == &club.id)
            .map(|(_, codes)| codes.as_slice())
            .unwrap_or_default();
        let per_year = entry.and_then(|e| e.invitations).map_or(0, |i| i.per_year);
        ClubView {
            id: club.id.clone(),
            name: program.text(language, &club.name),
            description: program.text(language, &club.description),
            picture: format!("/clubs/{}", club.picture),
            kind: club.kind,
            discount_bp: club.benefits.discount_bp,
            multiplier_percent: club.benefits.multiplier_percent,
            perks: club
                .benefits
                .perks
                .iter()
                .map(|p| program.text(language, p))
                .collect(),
            rewards: program
                .rewards
                .iter()
                .filter(|r| r.clubs.contains(&club.id))
                .map(|r| program.text(language, &r.title))
                .collect(),
            entrance: fees
                .and_then(|f| f.entrance)
                .filter(|_| membership.is_none_or(|m| m.entrance_paid != 1))
                .map(fee_view),
            recurring: fees.and_then(|f| f.to_renew()).map(fee_view),
            every: fees.and_then(|f| f.recurring).map(|r| r.every),
            rules,
            questions: entry.map_or_else(Vec::new, |e| {
                question_views(program, language, &e.questions)
            }),
            invitation: entry.is_some_and(|e| e.invitations.is_some()),
            approval: entry.is_some_and(|e| e.approval),
            state,
            membership: membership
                .filter(|m| m.status == "active" || m.status == "lapsed")
                .map(|m| MembershipView {
                    joined_at: m.joined_at,
                    ends_at: m.ends_at,
                    auto_renew: m.auto_renew == 1,
                    renewal_short: member
                        && m.auto_renew == 1
                        && m.ends_at.is_some_and(|end| end - now <= WEEK_MS)
                        && renew_points.is_some_and(|p| p > self.balance),
                }),
            application: application.map(|a| ApplicationView {
                id: a.id.clone(),
                status: application_status(&a.status),
                applied_at: a.applied_at,
                decided_at: a.decided_at,
                reason: a.reason.clone(),
            }),
            invitations: if member {
                invitation_views(codes)
            } else {
                Vec::new()
            },
            invitations_left: if member { left(per_year, codes) } else { 0 },
        }
    }
}

/// An application's stored status as the API says it.
pub(crate) fn application_status(stored: &str) -> ApplicationStatus {
    match stored {
        "approved" => ApplicationStatus::Approved,
        "rejected" => ApplicationStatus::Rejected,
        _ => ApplicationStatus::Pending,
    }
}

/// A questionnaire as the wallet shows it, in the reader's `language` (else the program's).
pub(crate) fn question_views(
    program: &Program,
    language: Option<&str>,
    questions: &[Question],
) -> Vec<QuestionView> {
    questions
        .iter()
        .map(|q| QuestionView {
            id: q.id.clone(),
            text: program.text(language, &q.text),
            kind: q.kind,
            options: q
                .options
                .iter()
                .map(|o| program.text(language, o))
                .collect(),
            required: q.required,
        })
        .collect()
}

/// A member's invitation codes of the year as they see them (a dead one is gone).
pub(crate) fn invitation_views(codes: &[InvitationRow]) -> Vec<InvitationView> {
    codes
        .iter()
        .filter(|c| c.status != "dead")
        .map(|c| InvitationView {
            code: c.code.clone(),
            created_at: c.created_at,
            expires_at: c.expires_at,
            used: c.status == "used",
        })
        .collect()
}

/// How many of `per_year` codes are left after `made` this year.
pub(crate) fn left(per_year: u32, made: &[InvitationRow]) -> u32 {
    per_year.saturating_sub(u32::try_from(made.len()).unwrap_or(u32::MAX))
}

fn fee_view(p: Price) -> FeeView {
    FeeView {
        points: p.points,
        minor: p.minor,
    }
}

/// The first instant of the program's calendar year of `now`: invitation codes count per year.
pub(crate) fn year_start(program: &Program, now: i64) -> i64 {
    let month = calendar::month_of(program.tz(), now);
    calendar::month_start(program.tz(), month - month.rem_euclid(12))
}

/// The end of a period of `club` that starts on the day after `now` (a membership counts the
/// day it starts as a whole day): `None` for a club without a recurring fee.
pub fn first_period_end(program: &Program, club: &Club, now: i64) -> Option<i64> {
    let tz = program.tz();
    let every = club.fees.as_ref()?.recurring?.every;
    Some(calendar::months_after(
        tz,
        calendar::day_start_after(tz, now, 1),
        every.months(),
    ))
}

/// The end of the period after the one ending at `ends_at` (renewing early extends from the
/// current end date).
pub fn next_period_end(program: &Program, club: &Club, ends_at: i64) -> Option<i64> {
    let every = club.fees.as_ref()?.recurring?.every;
    Some(calendar::months_after(
        program.tz(),
        ends_at,
        every.months(),
    ))
}

refusals! {
    ListRefusals = SIGNED_IN, CUSTOMER_CARD
}

/// The clubs of the card's program for its member: what each gives, costs or asks; their
/// state (member, eligible, progress on each rule, pending, lapsed), their latest application
/// with its decision, and a member's invitation codes. Another customer's card is "not found".
#[utoipa::path(get, path = "/api/v1/cards/{id}/clubs", tag = "clubs",
    security(("bearer" = [])), params(IdPath),
    responses((status = 200, body = Clubs), ListRefusals))]
pub async fn list(
    State(state): State<AppState>,
    session: CustomerSession,
    reader: ReaderLanguage,
    IdPath(card_id): IdPath,
) -> ApiResult<ApiJson<Clubs>> {
    let card = store::cards::customers(&state.store, &card_id, &session.customer_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let program = state
        .config
        .program(&card.program_id)
        .ok_or_else(ApiError::not_found)?;
    let now = now_ms();
    let mut conn = state.store.reader().await?;
    let balance = balance_now(&mut conn, &card, now).await?;
    let standing = Standing::read(&mut conn, program, &card.id, balance, now).await?;
    Ok(ApiJson(Clubs {
        program_id: program.id.clone(),
        program_name: program.name.clone(),
        point_name: program.point_name.clone(),
        currency: program.currency,
        balance,
        clubs: program
            .clubs
            .iter()
            .map(|club| standing.view(program, reader.0, club, now))
            .collect(),
    }))
}

/// The card's spendable points at `now` (its stored balance brought up to date).
async fn balance_now(
    conn: &mut AnyConnection,
    card: &StoredCard,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(if now >= card.settle_at {
        card.balance + ledger::unsettled(conn, &card.id, now).await?
    } else {
        card.balance
    })
}

/// `{id}` and `{club}` of a club's path.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ClubPath {
    /// The program's id.
    id: String,
    /// The club's id in the program.
    club: String,
}

/// What a club path names, for the signed-in customer: their card, the program and the club;
/// an implausible or unknown id is "not found".
async fn club_of<'a>(
    state: &'a AppState,
    customer_id: &str,
    path: Result<Path<ClubPath>, PathRejection>,
) -> ApiResult<(StoredCard, &'a Program, &'a Club)> {
    let Ok(Path(path)) = path else {
        return Err(ApiError::not_found());
    };
    if !is_id(&path.id) || !is_id(&path.club) {
        return Err(ApiError::not_found());
    }
    let (card, program) = customers_card(state, customer_id, &path.id).await?;
    let club = program
        .clubs
        .iter()
        .find(|c| c.id == path.club)
        .ok_or_else(ApiError::not_found)?;
    Ok((card, program, club))
}

/// A change to a card's membership, as its transaction needs it (owned: the writer may run it
/// more than once).
struct Change {
    config: Arc<ProgramConfig>,
    customer_id: String,
    program_id: String,
    club_id: String,
    card_id: String,
    /// The `Idempotency-Key` of a change that may pay with points.
    key: Option<String>,
    what: ChangeKind,
    /// The language the answer's club is shown in.
    language: Option<&'static str>,
}

enum ChangeKind {
    Join(JoinClub),
    Renew,
    Leave,
    AutoRenew(bool),
    Invite,
}

impl Change {
    fn new(
        state: &AppState,
        customer_id: String,
        card: &StoredCard,
        club: &Club,
        key: Option<String>,
        what: ChangeKind,
        ReaderLanguage(language): ReaderLanguage,
    ) -> Self {
        Self {
            config: state.config.clone(),
            customer_id,
            program_id: card.program_id.clone(),
            club_id: club.id.clone(),
            card_id: card.id.clone(),
            key,
            what,
            language,
        }
    }
}

refusals! {
    JoinRefusals = SIGNED_IN, JSON_BODY, IDEMPOTENCY_KEY, &[
        ErrorCode::NotFound,
        ErrorCode::AlreadyMember,
        ErrorCode::ApplicationPending,
        ErrorCode::NotEligible,
        ErrorCode::PointsNotAccepted,
        ErrorCode::InsufficientPoints,
        ErrorCode::TermsNotAccepted,
        ErrorCode::InvitationInvalid,
        ErrorCode::InvitationUsed,
        ErrorCode::InvitationExpired,
    ]
}

/// Joins a club: an open one at once; a paid one paying its fees with points (the entrance fee
/// once per card, and the first period; `points_not_accepted` when a fee is payable in money
/// only, which the cashier takes); a closed one with the answers to its questionnaire
/// (`validation` names `answers.{question}`), an invitation code if it asks for one, and its
/// rules on the purchase history (`not_eligible`), then a member, or `pending` until staff
/// decide. 201 with the club and the card after. A retry with the same `Idempotency-Key` gets
/// the first answer.
#[utoipa::path(post, path = "/api/v1/programs/{id}/clubs/{club}/join", tag = "clubs",
    security(("bearer" = [])), params(ClubPath, IdempotencyKey), request_body = JoinClub,
    responses((status = 201, body = ClubWithCard), JoinRefusals))]
pub async fn join(
    State(state): State<AppState>,
    session: CustomerSession,
    reader: ReaderLanguage,
    IdempotencyKey(key): IdempotencyKey,
    path: Result<Path<ClubPath>, PathRejection>,
    ApiJson(request): ApiJson<JoinClub>,
) -> ApiResult<Response> {
    let (card, _, club) = club_of(&state, &session.customer_id, path).await?;
    let change = Change::new(
        &state,
        session.customer_id,
        &card,
        club,
        Some(key),
        ChangeKind::Join(request),
        reader,
    );
    state.store.write(change).await
}

refusals! {
    RenewRefusals = SIGNED_IN, IDEMPOTENCY_KEY, &[
        ErrorCode::NotFound,
        ErrorCode::NotAMember,
        ErrorCode::MembershipLapsed,
        ErrorCode::PointsNotAccepted,
        ErrorCode::InsufficientPoints,
        ErrorCode::TermsNotAccepted,
    ]
}

/// Renews a paid membership for one more period with points, from its current end date (early
/// renewal loses nothing). A lapsed membership is joined again instead (`membership_lapsed`).
#[utoipa::path(post, path = "/api/v1/programs/{id}/clubs/{club}/renew", tag = "clubs",
    security(("bearer" = [])), params(ClubPath, IdempotencyKey),
    responses((status = 200, body = ClubWithCard), RenewRefusals))]
pub async fn renew(
    State(state): State<AppState>,
    session: CustomerSession,
    reader: ReaderLanguage,
    IdempotencyKey(key): IdempotencyKey,
    path: Result<Path<ClubPath>, PathRejection>,
) -> ApiResult<Response> {
    let (card, _, club) = club_of(&state, &session.customer_id, path).await?;
    let change = Change::new(
        &state,
        session.customer_id,
        &card,
        club,
        Some(key),
        ChangeKind::Renew,
        reader,
    );
    state.store.write(change).await
}

refusals! {
    MemberRefusals = SIGNED_IN, &[ErrorCode::NotFound, ErrorCode::NotAMember]
}

/// Leaves a club: its benefits stop at once, with no refund, and the member's unused invitation
/// codes die.
#[utoipa::path(post, path = "/api/v1/programs/{id}/clubs/{club}/leave", tag = "clubs",
    security(("bearer" = [])), params(ClubPath),
    responses((status = 200, body = ClubWithCard), MemberRefusals))]
pub async fn leave(
    State(state): State<AppState>,
    session: CustomerSession,
    reader: ReaderLanguage,
    path: Result<Path<ClubPath>, PathRejection>,
) -> ApiResult<Response> {
    let (card, _, club) = club_of(&state, &session.customer_id, path).await?;
    let change = Change::new(
        &state,
        session.customer_id,
        &card,
        club,
        None,
        ChangeKind::Leave,
        reader,
    );
    state.store.write(change).await
}

refusals! {
    AutoRenewRefusals = SIGNED_IN, JSON_BODY, &[
        ErrorCode::NotFound,
        ErrorCode::NotAMember,
        ErrorCode::PointsNotAccepted,
    ]
}

/// Turns renewal with points on the end date on or off (a paid club whose recurring fee takes
/// points).
#[utoipa::path(put, path = "/api/v1/programs/{id}/clubs/{club}/auto-renew", tag = "clubs",
    security(("bearer" = [])), params(ClubPath), request_body = AutoRenew,
    responses((status = 200, body = ClubWithCard), AutoRenewRefusals))]
pub async fn auto_renew(
    State(state): State<AppState>,
    session: CustomerSession,
    reader: ReaderLanguage,
    path: Result<Path<ClubPath>, PathRejection>,
    ApiJson(request): ApiJson<AutoRenew>,
) -> ApiResult<Response> {
    let (card, _, club) = club_of(&state, &session.customer_id, path).await?;
    let what = ChangeKind::AutoRenew(request.on);
    let change = Change::new(&state, session.customer_id, &card, club, None, what, reader);
    state.store.write(change).await
}

refusals! {
    InviteRefusals = SIGNED_IN, &[
        ErrorCode::NotFound,
        ErrorCode::NotAMember,
        ErrorCode::InvitationsUsedUp,
    ]
}

/// Makes one of the member's invitation codes for this year (a club that takes invitations):
/// 201 with the club, whose `invitations` lists it first.
#[utoipa::path(post, path = "/api/v1/programs/{id}/clubs/{club}/invitations", tag = "clubs",
    security(("bearer" = [])), params(ClubPath),
    responses((status = 201, body = ClubWithCard), InviteRefusals))]
pub async fn invite(
    State(state): State<AppState>,
    session: CustomerSession,
    reader: ReaderLanguage,
    path: Result<Path<ClubPath>, PathRejection>,
) -> ApiResult<Response> {
    let (card, _, club) = club_of(&state, &session.customer_id, path).await?;
    if club.entry.as_ref().is_none_or(|e| e.invitations.is_none()) {
        return Err(ApiError::not_found());
    }
    let change = Change::new(
        &state,
        session.customer_id,
        &card,
        club,
        None,
        ChangeKind::Invite,
        reader,
    );
    state.store.write(change).await
}

fn not_a_member() -> ApiError {
    ApiError::new(ErrorCode::NotAMember, "You are not a member of this club.")
}

fn lapsed() -> ApiError {
    ApiError::new(
        ErrorCode::MembershipLapsed,
        "Your membership has ended. Join again to renew it.",
    )
}

/// Takes a club fee of `points` for the membership `membership_id` in its period `period`, on
/// the locked and settled `card`: one spend whose reference names both, so nothing pays for the
/// same period twice. The member's join or renewal here, and the renewal job (`crate::jobs`).
#[allow(clippy::too_many_arguments)]
pub async fn take_fee_in_points(
    tx: &mut Tx,
    card: &mut StoredCard,
    program: &Program,
    club: &Club,
    membership_id: &str,
    period: i64,
    points: i64,
    now: i64,
) -> Result<(), LedgerError> {
    let reason = format!("{} (club fee)", program.text(None, &club.name));
    let reference = format!("club:{membership_id}:{period}");
    let fee = Deduction {
        kind: EntryKind::Spent,
        points,
        reason: &reason,
        reference: &reference,
        place: None,
    };
    ledger::take_settled(tx, card, &fee, now).await.map(drop)
}

/// [`take_fee_in_points`] for `membership` as it stands (its current period).
async fn pay_with_points(
    tx: &mut Tx,
    card: &mut StoredCard,
    program: &Program,
    club: &Club,
    membership: &MembershipRow,
    points: i64,
    now: i64,
) -> ApiResult<()> {
    crate::cards::check_terms(program, card)?;
    take_fee_in_points(
        tx,
        card,
        program,
        club,
        &membership.id,
        membership.period,
        points,
        now,
    )
    .await
    .map_err(ledger_error)
}

/// What a fee costs in points, or why it cannot be paid with them.
fn in_points(price: Price) -> ApiResult<Option<i64>> {
    match (price.points, price.minor) {
        (None, None) => Ok(None),
        (Some(points), _) => Ok(Some(points)),
        (None, Some(_)) => Err(ApiError::new(
            ErrorCode::PointsNotAccepted,
            "This club's fee is paid in money: the cashier takes it at the till.",
        )),
    }
}

impl Write for Change {
    type Output = Response;
    type Error = ApiError;

    async fn run(&self, tx: &mut Tx) -> ApiResult<Response> {
        let program = self
            .config
            .program(&self.program_id)
            .ok_or_else(ApiError::not_found)?;
        let club = program
            .clubs
            .iter()
            .find(|c| c.id == self.club_id)
            .ok_or_else(ApiError::not_found)?;
        let scope = customer_scope(&self.customer_id);
        // Paying with points is keyed: a retry gets the first answer.
        let club_path = (&self.program_id, &self.club_id);
        let hash = match &self.what {
            ChangeKind::Join(request) => Some(idempotency::request_hash(
                "club-join",
                &(club_path, request),
            )),
            ChangeKind::Renew => Some(idempotency::request_hash("club-renew", &club_path)),
            _ => None,
        };
        if let (Some(key), Some(hash)) = (&self.key, hash) {
            if let Claim::Replay(response) = idempotency::claim(tx, &scope, key, &hash).await? {
                return Ok(response);
            }
        }
        let now = now_ms();
        let mut card = ledger::lock(tx, &self.card_id)
            .await
            .map_err(ledger_error)?;
        ledger::settle(tx, &mut card, now)
            .await
            .map_err(ledger_error)?;
        let membership = stored::membership(tx, &card.id, &club.id).await?;
        let current = membership.as_ref().filter(|m| m.current(now));
        let status = match &self.what {
            ChangeKind::Join(request) => {
                if current.is_some() {
                    return Err(ApiError::new(
                        ErrorCode::AlreadyMember,
                        "You are a member of this club already.",
                    ));
                }
                self.join(
                    tx,
                    program,
                    club,
                    &mut card,
                    membership.as_ref(),
                    request,
                    now,
                )
                .await?;
                StatusCode::CREATED
            }
            ChangeKind::Renew => {
                let m = match (&membership, current) {
                    (_, Some(m)) => m,
                    (Some(m), None) if m.status != "left" => return Err(lapsed()),
                    _ => return Err(not_a_member()),
                };
                let (Some(price), Some(ends_at)) =
                    (club.fees.as_ref().and_then(|f| f.to_renew()), m.ends_at)
                else {
                    return Err(ApiError::new(
                        ErrorCode::NotAMember,
                        "This membership has no end date to renew.",
                    ));
                };
                let points = in_points(price)?;
                let next = next_period_end(program, club, ends_at)
                    .ok_or_else(|| ApiError::internal("a recurring fee without a period"))?;
                if !stored::extend(tx, &m.id, m.period, next).await? {
                    return Err(ApiError::internal("an active membership did not extend"));
                }
                let renewed = MembershipRow {
                    period: m.period + 1,
                    ..m.clone()
                };
                if let Some(points) = points {
                    pay_with_points(tx, &mut card, program, club, &renewed, points, now).await?;
                }
                StatusCode::OK
            }
            ChangeKind::Leave => {
                let m = current.ok_or_else(not_a_member)?;
                if !stored::end(tx, &m.id, m.period, "left", now).await? {
                    return Err(ApiError::internal("an active membership did not end"));
                }
                stored::kill_invitations(tx, &card.id, &club.id).await?;
                StatusCode::OK
            }
            ChangeKind::AutoRenew(on) => {
                let m = current.ok_or_else(not_a_member)?;
                let renews_with_points = club
                    .fees
                    .as_ref()
                    .and_then(|f| f.to_renew())
                    .is_some_and(|p| p.points.is_some());
                if *on && !renews_with_points {
                    return Err(ApiError::new(
                        ErrorCode::PointsNotAccepted,
                        "This membership cannot be renewed with points.",
                    ));
                }
                stored::set_auto_renew(tx, &m.id, *on).await?;
                StatusCode::OK
            }
            ChangeKind::Invite => {
                current.ok_or_else(not_a_member)?;
                let invitations = club
                    .entry
                    .as_ref()
                    .and_then(|e| e.invitations)
                    .ok_or_else(ApiError::not_found)?;
                make_invitation(tx, program, &club.id, &card.id, invitations, now).await?;
                StatusCode::CREATED
            }
        };
        ledger::save(tx, &card).await.map_err(ledger_error)?;
        // The memberships changed in this transaction: read again.
        let shown = card_status::written_card(tx, program, &card, None, None, now).await?;
        let standing = Standing::read(tx, program, &card.id, card.balance, now).await?;
        let body = ClubWithCard {
            club: standing.view(program, self.language, club, now),
            card: shown,
        };
        match &self.key {
            Some(key) => idempotency::store(tx, &scope, key, status, &body).await,
            None => Ok(axum::response::IntoResponse::into_response((
                status,
                ApiJson(body),
            ))),
        }
    }
}

impl Change {
    /// Joins `club` (checked not to be a member now): see [`join`].
    #[allow(clippy::too_many_arguments)]
    async fn join(
        &self,
        tx: &mut Tx,
        program: &Program,
        club: &Club,
        card: &mut StoredCard,
        before: Option<&MembershipRow>,
        request: &JoinClub,
        now: i64,
    ) -> ApiResult<()> {
        // A membership active past its end date lapsed (the periodic job may not have said so).
        if let Some(m) = before.filter(|m| m.status == "active") {
            stored::end(tx, &m.id, m.period, "lapsed", now).await?;
        }
        let entrance_paid = before.is_some_and(|m| m.entrance_paid == 1);
        let membership = NewMembership {
            card_id: &card.id,
            program_id: &program.id,
            club_id: &club.id,
            joined_at: now,
            ends_at: first_period_end(program, club, now),
            auto_renew: false,
            entrance_paid,
        };
        match club.kind {
            ClubKind::Open => {
                start(tx, &membership).await?;
            }
            ClubKind::Paid => {
                let fees = club
                    .fees
                    .as_ref()
                    .ok_or_else(|| ApiError::internal("a paid club without fees"))?;
                let points = in_points(fees.to_join(entrance_paid))?;
                let renews_with_points = fees.to_renew().is_some_and(|p| p.points.is_some());
                let started = start(
                    tx,
                    &NewMembership {
                        auto_renew: request.auto_renew && renews_with_points,
                        entrance_paid: entrance_paid || fees.entrance.is_some(),
                        ..membership
                    },
                )
                .await?;
                if let Some(points) = points {
                    pay_with_points(tx, card, program, club, &started, points, now).await?;
                }
            }
            ClubKind::Closed => {
                let entry = club
                    .entry
                    .as_ref()
                    .ok_or_else(|| ApiError::internal("a closed club without an entry"))?;
                let pending = stored::latest_applications(tx, &card.id)
                    .await?
                    .into_iter()
                    .any(|a| a.club_id == club.id && a.status == "pending");
                if pending {
                    return Err(ApiError::new(
                        ErrorCode::ApplicationPending,
                        "Your application to this club waits for an answer.",
                    ));
                }
                if !entry.rules.is_empty() {
                    let purchases = purchase_facts(tx, &card.id).await?;
                    if !club::all_met(&club::progress(&entry.rules, &purchases, now)) {
                        return Err(ApiError::new(
                            ErrorCode::NotEligible,
                            "Your purchases do not meet this club's conditions yet.",
                        ));
                    }
                }
                check_answers(&entry.questions, &request.answers)?;
                let invitation = match entry.invitations {
                    Some(_) => Some(
                        self.use_invitation(tx, program, club, &card.id, request, now)
                            .await?,
                    ),
                    None => None,
                };
                if entry.approval {
                    let answers =
                        serde_json::to_string(&request.answers).map_err(ApiError::internal)?;
                    stored::apply(
                        tx,
                        &NewApplication {
                            card_id: &card.id,
                            program_id: &program.id,
                            club_id: &club.id,
                            answers: &answers,
                            invitation_code: invitation.as_deref(),
                            applied_at: now,
                        },
                    )
                    .await?;
                } else {
                    start(tx, &membership).await?;
                }
            }
        }
        Ok(())
    }

    /// Uses the invitation code of the request for `card_id`: refused when it is missing or
    /// unknown, the card's own, of a member who left, used, or expired. Returns the code.
    async fn use_invitation(
        &self,
        tx: &mut Tx,
        program: &Program,
        club: &Club,
        card_id: &str,
        request: &JoinClub,
        now: i64,
    ) -> ApiResult<String> {
        let row = live_invitation(
            tx,
            &program.id,
            &club.id,
            request.invitation.as_deref(),
            now,
        )
        .await?;
        if row.card_id == card_id {
            return Err(invitation_invalid());
        }
        // Its member must still be one.
        let inviter = stored::membership(tx, &row.card_id, &club.id).await?;
        if !inviter.is_some_and(|m| m.current(now)) {
            return Err(invitation_invalid());
        }
        spend_invitation(tx, row, card_id, now).await
    }
}

/// Makes one of `card_id`'s invitation codes to `club_id` (`PROGRAM_ITSELF`: the program) for
/// this calendar year, refused once `invitations.per_year` are made; each is valid for
/// `valid_days` whole days after today.
pub(crate) async fn make_invitation(
    tx: &mut Tx,
    program: &Program,
    club_id: &str,
    card_id: &str,
    invitations: Invitations,
    now: i64,
) -> ApiResult<()> {
    let made = stored::invitations(tx, card_id, club_id, year_start(program, now))
        .await?
        .len();
    if made >= invitations.per_year as usize {
        return Err(ApiError::new(
            ErrorCode::InvitationsUsedUp,
            format!(
                "You have made this year's {} invitation codes.",
                invitations.per_year
            ),
        ));
    }
    let expires_at = calendar::day_start_after(program.tz(), now, invitations.valid_days + 1);
    stored::invite(
        tx,
        &typed_code::random(),
        card_id,
        &program.id,
        club_id,
        now,
        expires_at,
    )
    .await?;
    Ok(())
}

/// Refuses `answers` that do not fit `questions` (`validation`, naming `answers.{question}`).
pub(crate) fn check_answers(questions: &[Question], answers: &[Answer]) -> ApiResult<()> {
    let refusals = answer_refusals(questions, answers);
    if refusals.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(
        refusals
            .into_iter()
            .map(|(field, code)| FieldError { field, code })
            .collect(),
    ))
}

fn invitation_invalid() -> ApiError {
    ApiError::new(
        ErrorCode::InvitationInvalid,
        "This needs an invitation code from a member; this one is not valid.",
    )
}

fn invitation_used() -> ApiError {
    ApiError::new(
        ErrorCode::InvitationUsed,
        "This invitation code was used already.",
    )
}

/// The invitation `typed` (as typed: any case, spaces, dashes) to `club_id` of `program_id`
/// (`store::program_entry::PROGRAM_ITSELF`: the program), while it may be used: refused when it
/// is missing or unknown, dead, used or expired. Who made it is the caller's to check.
pub(crate) async fn live_invitation(
    tx: &mut Tx,
    program_id: &str,
    club_id: &str,
    typed: Option<&str>,
    now: i64,
) -> ApiResult<InvitationRow> {
    let code = typed_code::normalized(typed.unwrap_or_default());
    if code.is_empty() || code.len() > 20 {
        return Err(invitation_invalid());
    }
    let row = stored::invitation(tx, program_id, club_id, &code)
        .await?
        .ok_or_else(invitation_invalid)?;
    match row.status.as_str() {
        "dead" => Err(invitation_invalid()),
        "used" => Err(invitation_used()),
        _ if row.expires_at <= now => Err(ApiError::new(
            ErrorCode::InvitationExpired,
            "This invitation code has expired. Ask for a new one.",
        )),
        _ => Ok(row),
    }
}

/// Uses `invitation` for `used_by` (a conditional update: refused when another use came
/// first). Returns the code.
pub(crate) async fn spend_invitation(
    tx: &mut Tx,
    invitation: InvitationRow,
    used_by: &str,
    now: i64,
) -> ApiResult<String> {
    if !stored::use_invitation(tx, &invitation.code, used_by, now).await? {
        return Err(invitation_used());
    }
    Ok(invitation.code)
}

/// Starts a membership the caller checked is not active.
pub async fn start(tx: &mut Tx, membership: &NewMembership<'_>) -> ApiResult<MembershipRow> {
    stored::start(tx, membership).await?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::AlreadyMember,
            "You are a member of this club already.",
        )
    })
}

/// The fee `club` charges `membership`'s card in money now: to renew it while current, else to
/// join (the entrance fee unless paid before); `None` when the club takes no money fee.
fn money_fee(club: &Club, membership: Option<&MembershipRow>, now: i64) -> Option<(bool, i64)> {
    let fees = club.fees.as_ref()?;
    match membership.filter(|m| m.current(now)) {
        Some(m) if m.ends_at.is_some() => Some((true, fees.to_renew()?.minor?)),
        Some(_) => None,
        None => {
            let entrance_paid = membership.is_some_and(|m| m.entrance_paid == 1);
            Some((false, fees.to_join(entrance_paid).minor?))
        }
    }
}

/// The paid clubs whose fee a till may take in money from `card_id` now, with what each
/// charges (nothing is read for a program without paid clubs).
pub async fn till_offers(
    conn: &mut AnyConnection,
    program: &Program,
    language: Option<&str>,
    card_id: &str,
    now: i64,
) -> Result<Vec<TillClubOffer>, StoreError> {
    if !program.clubs.iter().any(|c| c.kind == ClubKind::Paid) {
        return Ok(Vec::new());
    }
    let memberships = stored::of_card(conn, card_id).await?;
    Ok(program
        .clubs
        .iter()
        .filter_map(|club| {
            let membership = memberships.iter().find(|m| m.club_id == club.id);
            let (renewal, amount_minor) = money_fee(club, membership, now)?;
            Some(TillClubOffer {
                club_id: club.id.clone(),
                club_name: program.text(language, &club.name),
                renewal,
                amount_minor,
                currency: program.currency,
                ends_at: membership.filter(|_| renewal).and_then(|m| m.ends_at),
            })
        })
        .collect())
}

/// Takes `club`'s fee in money from `card_id` at a till (see [`till_offers`]): joins, or renews
/// for one period from the current end date, and records the fee (a fee, not a purchase: it
/// earns no points and counts towards no spend). Runs under the card's lock.
pub async fn take_fee(
    tx: &mut Tx,
    program: &Program,
    club: &Club,
    card_id: &str,
    staff: &str,
    place: Option<&str>,
    now: i64,
) -> ApiResult<TillClubFee> {
    let not_taken = || {
        ApiError::new(
            ErrorCode::NotFound,
            "This club's fee is not taken at the till.",
        )
    };
    let card = ledger::lock(tx, card_id).await.map_err(ledger_error)?;
    let before = stored::membership(tx, &card.id, &club.id).await?;
    let (renewal, amount_minor) = money_fee(club, before.as_ref(), now).ok_or_else(not_taken)?;
    let paid = if renewal {
        let m = before.as_ref().ok_or_else(not_taken)?;
        let ends_at = m.ends_at.ok_or_else(not_taken)?;
        let next = next_period_end(program, club, ends_at).ok_or_else(not_taken)?;
        if !stored::extend(tx, &m.id, m.period, next).await? {
            return Err(ApiError::internal("an active membership did not extend"));
        }
        MembershipRow {
            period: m.period + 1,
            ends_at: Some(next),
            ..m.clone()
        }
    } else {
        if let Some(m) = before.as_ref().filter(|m| m.status == "active") {
            stored::end(tx, &m.id, m.period, "lapsed", now).await?;
        }
        start(
            tx,
            &NewMembership {
                card_id: &card.id,
                program_id: &program.id,
                club_id: &club.id,
                joined_at: now,
                ends_at: first_period_end(program, club, now),
                auto_renew: false,
                entrance_paid: true,
            },
        )
        .await?
    };
    stored::record_fee(
        tx,
        &stored::NewFee {
            card_id: &card.id,
            club_id: &club.id,
            reference: &format!("club:{}:{}", paid.id, paid.period),
            amount_minor,
            currency: program.currency.code(),
            staff,
            place,
            at: now,
        },
    )
    .await?;
    Ok(TillClubFee {
        // Kept as the answer to a retry: in the program's language.
        club_name: program.text(None, &club.name),
        amount_minor,
        currency: program.currency,
        ends_at: paid.ends_at,
    })
}
