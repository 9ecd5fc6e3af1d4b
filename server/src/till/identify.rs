//! `POST /till/identify`: a scanned or typed checkout code, or a phone number, becomes the member
//! summary a cashier needs and a short-lived ticket bound to the till session and the card.
//!
//! A code is accepted once: the card's `last_code_step` moves forward in one conditional update,
//! so a replayed code, and every older one, is refused, and of two tills scanning the same code at
//! once exactly one wins. Wrong typed codes are counted per card (six digits can be guessed).

use super::session::TillSession;
use crate::auth::attempts::{Attempt, TakeError};
use crate::card_status;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::openapi::refusals::{refusals, JSON_BODY, SIGNED_IN};
use crate::state::AppState;
use crate::store::cards::PhoneMatch;
use crate::store::till::IssueTicket;
use crate::store::{self, new_id, now_ms};
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use tessera_core::api::{
    ErrorCode, FieldError, IdentifyRequest, PhoneLookupRequest, PhoneMember, PhoneMembers,
    TillMember,
};
use tessera_core::checkout::{self, CardSecret, CodeError};
use tessera_core::validation::{normalize_phone, FieldCode};

/// How long a ticket stays good: one checkout.
pub const TICKET_MS: i64 = 5 * 60_000;

/// Most members listed for one phone number.
const PHONE_MEMBERS_MAX: i64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/till/identify", post(identify))
        .route("/till/phone-lookup", post(phone_lookup))
}

fn code_refusal(e: CodeError) -> ApiError {
    let (code, message) = match e {
        CodeError::Malformed => (
            ErrorCode::CodeMalformed,
            "This is not a Tessera code. Scan again or type the digits under the code.",
        ),
        CodeError::Stale => (
            ErrorCode::CodeStale,
            "This code has expired. Ask the customer to show the code on their phone again.",
        ),
        CodeError::Forged => (
            ErrorCode::CodeInvalid,
            "This code is not valid for the card.",
        ),
    };
    ApiError::new(code, message)
}

refusals! {
    // In the order the code is checked, then the phone number.
    IdentifyRefusals = SIGNED_IN, JSON_BODY, &[
        ErrorCode::CodeMalformed,
        ErrorCode::CardUnknown,
        ErrorCode::CardClosed,
        ErrorCode::TooManyAttempts,
        ErrorCode::CodeStale,
        ErrorCode::CodeInvalid,
        ErrorCode::CodeUsed,
        ErrorCode::MemberNotFound,
        ErrorCode::MemberAmbiguous,
    ]
}

/// Identifies a member by checkout code or phone number.
///
/// `member_ambiguous`: several members have the number; list them with `/till/phone-lookup` and
/// send the chosen one's `card_id`.
#[utoipa::path(post, path = "/api/v1/till/identify", tag = "till", security(("bearer" = [])),
    request_body = IdentifyRequest, responses((status = 200, body = TillMember), IdentifyRefusals))]
pub async fn identify(
    State(state): State<AppState>,
    till: TillSession,
    ApiJson(req): ApiJson<IdentifyRequest>,
) -> ApiResult<ApiJson<TillMember>> {
    let program = till.program(&state.config)?;
    let now = now_ms();
    let (card_id, code_step) = match (req.code.as_deref(), req.phone.as_deref()) {
        (Some(code), None) => {
            let (card_id, step) = by_code(&state, &till, &program.id, code, now).await?;
            (card_id, Some(step))
        }
        (None, Some(phone)) => {
            let card_id = by_phone(&state, &program.id, phone, req.card_id.as_deref()).await?;
            (card_id, None)
        }
        _ => {
            return Err(ApiError::validation(vec![FieldError {
                field: "code".into(),
                code: FieldCode::Required,
            }]))
        }
    };

    let member = store::cards::member_card(&state.store, &card_id).await?;
    if member.card.closed_at.is_some() {
        return Err(ApiError::new(ErrorCode::CardClosed, "This card is closed."));
    }
    let ticket = IssueTicket {
        id: new_id(),
        till_session_id: till.session_id.clone(),
        card_id,
        code_step,
        now,
        expires_at: now + TICKET_MS,
    };
    let can_spend = ticket.can_spend();
    let Some(ticket) = state.store.write(ticket).await? else {
        return Err(ApiError::new(
            ErrorCode::CodeUsed,
            "This code was used already. Ask the customer to show the new code.",
        ));
    };
    let mut conn = state.store.reader().await?;
    let card = card_status::card(&mut conn, program, &member.card, now).await?;
    drop(conn);
    Ok(ApiJson(TillMember {
        ticket,
        ticket_expires_at: now + TICKET_MS,
        can_spend,
        name: member.name,
        point_value_minor: program.point_value_minor,
        terms_pending: !crate::cards::terms_accepted(program, &member.card),
        card: (&card).into(),
    }))
}

/// The card a checkout code proves, and the code's time step (consumed when the ticket is
/// issued).
async fn by_code(
    state: &AppState,
    till: &TillSession,
    program_id: &str,
    text: &str,
    now: i64,
) -> ApiResult<(String, i64)> {
    let claim = checkout::parse(text).map_err(code_refusal)?;
    let card = store::cards::by_number(&state.store, program_id, &claim.card_number)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::CardUnknown, "No card has this number."))?;
    let card_id = card.id;
    if card.closed_at.is_some() {
        return Err(ApiError::new(ErrorCode::CardClosed, "This card is closed."));
    }
    // A typed code takes its slots before it is checked, so parallel guesses cannot all be
    // checked; a scanned code's proof is too long to guess.
    let slots = if claim.is_typed() {
        let attempt = Attempt::typed_code(&card_id, &till.session_id);
        Some(attempt.take(&state.store).await.map_err(too_many_typed)?)
    } else {
        None
    };

    // The secrets of the card's signed-in devices (sessions that have not ended).
    let secrets = store::checkout::live_secrets(&state.store, &card_id, now).await?;
    let now_step = checkout::step_at(now);
    let mut result = Err(CodeError::Forged);
    for secret in &secrets {
        let Some(key) = hex::decode(secret)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
        else {
            continue;
        };
        match claim.verify(&CardSecret(key), program_id, now_step) {
            Ok(step) => {
                result = Ok(step);
                break;
            }
            // Staleness does not depend on the secret: report it as such.
            Err(CodeError::Stale) => result = Err(CodeError::Stale),
            Err(_) => {}
        }
    }
    // Only a wrong proof was a guess: its slot stays counted.
    if result != Err(CodeError::Forged) {
        if let Some(slots) = slots {
            slots.succeeded(&state.store).await?;
        }
    }
    Ok((card_id, result.map_err(code_refusal)?))
}

/// A typed code (a checkout code's digits, or a voucher's code) refused by its attempt limits.
pub(crate) fn too_many_typed(e: TakeError) -> ApiError {
    match e {
        TakeError::Refused(refused) => ApiError {
            code: ErrorCode::TooManyAttempts,
            message: "Too many wrong codes for this card. Scan the QR code instead, or wait."
                .into(),
            ..refused.into()
        },
        TakeError::Store(e) => e.into(),
    }
}

fn member_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::MemberNotFound,
        "No member of this program has this phone number.",
    )
}

/// The program's members with this phone number (earning only), ordered by name; none is "not
/// found".
async fn phone_members(
    state: &AppState,
    program_id: &str,
    phone: &str,
) -> ApiResult<Vec<PhoneMatch>> {
    let phone = normalize_phone(phone).ok_or_else(member_not_found)?;
    let members =
        store::cards::with_phone(&state.store, program_id, &phone, PHONE_MEMBERS_MAX).await?;
    if members.is_empty() {
        return Err(member_not_found());
    }
    Ok(members)
}

/// The card of the member with this phone number, or of the one the cashier chose among those
/// sharing it (a card whose member has another number is "not found").
async fn by_phone(
    state: &AppState,
    program_id: &str,
    phone: &str,
    chosen: Option<&str>,
) -> ApiResult<String> {
    let members = phone_members(state, program_id, phone).await?;
    match (chosen, members.as_slice()) {
        (Some(chosen), _) => members
            .into_iter()
            .find(|m| m.card_id == chosen)
            .map(|m| m.card_id)
            .ok_or_else(member_not_found),
        (None, [one]) => Ok(one.card_id.clone()),
        // Points must not go to the wrong one of them: the cashier asks.
        (None, _) => Err(ApiError::new(
            ErrorCode::MemberAmbiguous,
            "Several members have this phone number. Choose who is paying.",
        )),
    }
}

refusals! {
    PhoneLookupRefusals = SIGNED_IN, JSON_BODY, &[ErrorCode::MemberNotFound]
}

/// Every member of the till's program with this phone number (name and the last four digits of
/// the card), for the cashier to choose one.
#[utoipa::path(post, path = "/api/v1/till/phone-lookup", tag = "till", security(("bearer" = [])),
    request_body = PhoneLookupRequest,
    responses((status = 200, body = PhoneMembers), PhoneLookupRefusals))]
pub async fn phone_lookup(
    State(state): State<AppState>,
    till: TillSession,
    ApiJson(req): ApiJson<PhoneLookupRequest>,
) -> ApiResult<ApiJson<PhoneMembers>> {
    let program = till.program(&state.config)?;
    let mut members = Vec::new();
    for found in phone_members(&state, &program.id, &req.phone).await? {
        // A card gets its number when its code is first shown; one found by phone may not have
        // one yet.
        let number = match found.number {
            Some(number) => number,
            None => crate::checkout::assign_number(&state, &found.card_id).await?,
        };
        members.push(PhoneMember {
            card_id: found.card_id,
            name: found.name,
            card_last4: number[number.len().saturating_sub(4)..].to_owned(),
        });
    }
    Ok(ApiJson(PhoneMembers { members }))
}
