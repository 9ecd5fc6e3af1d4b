//! Joining a closed program (`enrolment = "closed"`): what applying asks and where the customer
//! stands (`GET /programs/{id}/entry`), applying with the answers to its questionnaire and an
//! invitation code from a cardholder (`POST /programs/{id}/apply`: then a card at once, or an
//! application the program's managers decide, `crate::till::clubs`), and a cardholder's
//! invitation codes (`POST /programs/{id}/invitations`). A closed program's entry asks for no
//! purchases: a customer without its card has none in it. The checks of answers and codes are
//! the clubs' (`crate::clubs`); the codes are kept with theirs, for the club `PROGRAM_ITSELF`.

use crate::auth::session::CustomerSession;
use crate::clubs::{
    application_status, check_answers, invitation_views, left, live_invitation, make_invitation,
    question_views, spend_invitation, year_start,
};
use crate::config::{Enrolment, Program, ProgramConfig};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdPath, ReaderLanguage};
use crate::openapi::refusals::{refusals, IDEMPOTENCY_KEY, JSON_BODY, SIGNED_IN};
use crate::rewards::ledger_error;
use crate::state::AppState;
use crate::store::clubs as club_store;
use crate::store::program_entry::{self as stored, NewProgramApplication, PROGRAM_ITSELF};
use crate::store::{self, ledger, now_ms, StoreError, Tx, Write};
use crate::till::idempotency::{self, customer_scope, Claim, IdempotencyKey};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sqlx::AnyConnection;
use std::sync::Arc;
use tessera_core::api::{
    ApplicationView, ApplyToProgram, EntryState, ErrorCode, ProgramEntry, ProgramOffer,
};
use tessera_core::club::Entry;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programs/{id}/entry", get(entry))
        .route("/programs/{id}/apply", post(apply))
        .route("/programs/{id}/invitations", post(invite))
}

/// The closed program `id` names, with its entry; an open or unknown one is "not found" (an
/// implausible id is, by `IdPath`).
fn closed_program<'a>(config: &'a ProgramConfig, id: &str) -> ApiResult<(&'a Program, &'a Entry)> {
    config
        .program(id)
        .filter(|p| p.enrolment == Enrolment::Closed)
        .and_then(|p| Some((p, p.entry.as_ref()?)))
        .ok_or_else(ApiError::not_found)
}

/// The closed programs for the wallet's home: each held or not, the latest application to
/// those not held (read only when there is one), and whether it makes invitation codes.
pub async fn offers(
    conn: &mut AnyConnection,
    config: &ProgramConfig,
    customer_id: &str,
    held: &[&str],
) -> Result<Vec<ProgramOffer>, StoreError> {
    let closed: Vec<&Program> = config
        .programs
        .iter()
        .filter(|p| p.enrolment == Enrolment::Closed)
        .collect();
    let applications = if closed.iter().any(|p| !held.contains(&p.id.as_str())) {
        stored::latest(conn, customer_id).await?
    } else {
        Vec::new()
    };
    Ok(closed
        .into_iter()
        .map(|p| {
            let held = held.contains(&p.id.as_str());
            ProgramOffer {
                program_id: p.id.clone(),
                name: p.name.clone(),
                held,
                application: applications
                    .iter()
                    .find(|a| a.program_id == p.id && !held)
                    .map(|a| application_status(&a.status)),
                invitations: p.entry.as_ref().is_some_and(|e| e.invitations.is_some()),
            }
        })
        .collect())
}

/// The program's entry as `customer_id` stands with it at `now`, read on `conn`, its texts in
/// `language`.
async fn read_entry(
    conn: &mut AnyConnection,
    program: &Program,
    language: Option<&str>,
    entry: &Entry,
    customer_id: &str,
    now: i64,
) -> Result<ProgramEntry, StoreError> {
    let card_id = store::cards::id_in_program(conn, customer_id, &program.id).await?;
    let application = if card_id.is_none() {
        stored::latest(conn, customer_id)
            .await?
            .into_iter()
            .find(|a| a.program_id == program.id)
    } else {
        None
    };
    let per_year = entry.invitations.map_or(0, |i| i.per_year);
    let codes = match &card_id {
        Some(card) if per_year > 0 => {
            club_store::invitations(conn, card, PROGRAM_ITSELF, year_start(program, now)).await?
        }
        _ => Vec::new(),
    };
    let state = match (&card_id, &application) {
        (Some(_), _) => EntryState::Cardholder,
        (None, Some(a)) if a.status == "pending" => EntryState::Pending,
        (None, _) => EntryState::CanApply,
    };
    Ok(ProgramEntry {
        program_id: program.id.clone(),
        name: program.name.clone(),
        description: program
            .description
            .as_ref()
            .map(|d| program.text(language, d))
            .unwrap_or_default(),
        questions: question_views(program, language, &entry.questions),
        invitation: entry.invitations.is_some(),
        approval: entry.approval,
        state,
        card_id,
        application: application.map(|a| ApplicationView {
            status: application_status(&a.status),
            id: a.id,
            applied_at: a.applied_at,
            decided_at: a.decided_at,
            reason: a.reason,
        }),
        invitations: invitation_views(&codes),
        invitations_left: if state == EntryState::Cardholder {
            left(per_year, &codes)
        } else {
            0
        },
    })
}

refusals! {
    EntryRefusals = SIGNED_IN, &[ErrorCode::NotFound]
}

/// A closed program for the signed-in customer: its description, questionnaire, whether it asks
/// for an invitation code and approval; where they stand (cardholder, may apply, pending) with
/// their latest application (a rejection's reason); a cardholder's invitation codes of this
/// calendar year. An open program is "not found".
#[utoipa::path(get, path = "/api/v1/programs/{id}/entry", tag = "programs",
    security(("bearer" = [])), params(IdPath),
    responses((status = 200, body = ProgramEntry), EntryRefusals))]
pub async fn entry(
    State(state): State<AppState>,
    session: CustomerSession,
    ReaderLanguage(language): ReaderLanguage,
    IdPath(id): IdPath,
) -> ApiResult<ApiJson<ProgramEntry>> {
    let (program, entry) = closed_program(&state.config, &id)?;
    let mut conn = state.store.reader().await?;
    Ok(ApiJson(
        read_entry(
            &mut conn,
            program,
            language,
            entry,
            &session.customer_id,
            now_ms(),
        )
        .await?,
    ))
}

refusals! {
    ApplyRefusals = SIGNED_IN, JSON_BODY, IDEMPOTENCY_KEY, &[
        ErrorCode::NotFound,
        ErrorCode::AlreadyMember,
        ErrorCode::ApplicationPending,
        ErrorCode::InvitationInvalid,
        ErrorCode::InvitationUsed,
        ErrorCode::InvitationExpired,
    ]
}

/// Applies to a closed program with the answers to its questionnaire (`validation` names
/// `answers.{question}`) and, if it asks for one, a cardholder's invitation code (used here):
/// without approval the card is enrolled at once; with it, the application waits for the
/// program's managers (one pending at a time: `application_pending`). 201 with the entry
/// after. A retry with the same `Idempotency-Key` gets the first answer.
#[utoipa::path(post, path = "/api/v1/programs/{id}/apply", tag = "programs",
    security(("bearer" = [])), params(IdPath, IdempotencyKey), request_body = ApplyToProgram,
    responses((status = 201, body = ProgramEntry), ApplyRefusals))]
pub async fn apply(
    State(state): State<AppState>,
    session: CustomerSession,
    ReaderLanguage(language): ReaderLanguage,
    IdempotencyKey(key): IdempotencyKey,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ApplyToProgram>,
) -> ApiResult<Response> {
    let (program, _) = closed_program(&state.config, &id)?;
    state
        .store
        .write(EntryChange {
            config: state.config.clone(),
            customer_id: session.customer_id,
            program_id: program.id.clone(),
            what: EntryChangeKind::Apply { key, request },
            language,
        })
        .await
}

refusals! {
    InviteRefusals = SIGNED_IN, &[
        ErrorCode::NotFound,
        ErrorCode::NotAMember,
        ErrorCode::InvitationsUsedUp,
    ]
}

/// Makes one of a cardholder's invitation codes for this year (a program that takes them):
/// 201 with the entry, whose `invitations` lists it first.
#[utoipa::path(post, path = "/api/v1/programs/{id}/invitations", tag = "programs",
    security(("bearer" = [])), params(IdPath),
    responses((status = 201, body = ProgramEntry), InviteRefusals))]
pub async fn invite(
    State(state): State<AppState>,
    session: CustomerSession,
    ReaderLanguage(language): ReaderLanguage,
    IdPath(id): IdPath,
) -> ApiResult<Response> {
    let (program, entry) = closed_program(&state.config, &id)?;
    if entry.invitations.is_none() {
        return Err(ApiError::not_found());
    }
    state
        .store
        .write(EntryChange {
            config: state.config.clone(),
            customer_id: session.customer_id,
            program_id: program.id.clone(),
            what: EntryChangeKind::Invite,
            language,
        })
        .await
}

/// An application or a new invitation code, as its transaction needs it (owned: the writer may
/// run it more than once).
struct EntryChange {
    config: Arc<ProgramConfig>,
    customer_id: String,
    program_id: String,
    what: EntryChangeKind,
    /// The language of the answer's texts.
    language: Option<&'static str>,
}

enum EntryChangeKind {
    Apply {
        key: String,
        request: ApplyToProgram,
    },
    Invite,
}

impl Write for EntryChange {
    type Output = Response;
    type Error = ApiError;

    async fn run(&self, tx: &mut Tx) -> ApiResult<Response> {
        let program = self
            .config
            .program(&self.program_id)
            .ok_or_else(ApiError::not_found)?;
        let entry = program.entry.as_ref().ok_or_else(ApiError::not_found)?;
        let now = now_ms();
        let card_id = store::cards::id_in_program(tx, &self.customer_id, &program.id).await?;
        match &self.what {
            EntryChangeKind::Apply { key, request } => {
                let scope = customer_scope(&self.customer_id);
                let hash = idempotency::request_hash("program-apply", &(&program.id, request));
                if let Claim::Replay(response) = idempotency::claim(tx, &scope, key, &hash).await? {
                    return Ok(response);
                }
                if card_id.is_some() {
                    return Err(already_cardholder());
                }
                self.apply(tx, program, entry, request, now).await?;
                let body =
                    read_entry(tx, program, self.language, entry, &self.customer_id, now).await?;
                idempotency::store(tx, &scope, key, StatusCode::CREATED, &body).await
            }
            EntryChangeKind::Invite => {
                let card_id = card_id.ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::NotAMember,
                        "Only this program's cardholders make invitation codes.",
                    )
                })?;
                let invitations = entry.invitations.ok_or_else(ApiError::not_found)?;
                // Under the card's lock: two at once make no more than the year's codes.
                ledger::lock(tx, &card_id).await.map_err(ledger_error)?;
                make_invitation(tx, program, PROGRAM_ITSELF, &card_id, invitations, now).await?;
                let body =
                    read_entry(tx, program, self.language, entry, &self.customer_id, now).await?;
                Ok((StatusCode::CREATED, ApiJson(body)).into_response())
            }
        }
    }
}

fn application_pending() -> ApiError {
    ApiError::new(
        ErrorCode::ApplicationPending,
        "Your application to this program waits for an answer.",
    )
}

fn already_cardholder() -> ApiError {
    ApiError::new(
        ErrorCode::AlreadyMember,
        "You hold this program's card already.",
    )
}

impl EntryChange {
    /// Applies for a customer without the program's card: see [`apply`].
    async fn apply(
        &self,
        tx: &mut Tx,
        program: &Program,
        entry: &Entry,
        request: &ApplyToProgram,
        now: i64,
    ) -> ApiResult<()> {
        let pending = stored::latest(tx, &self.customer_id)
            .await?
            .iter()
            .any(|a| a.program_id == program.id && a.status == "pending");
        if pending {
            return Err(application_pending());
        }
        check_answers(&entry.questions, &request.answers)?;
        let invitation = match entry.invitations {
            Some(_) => {
                let code = request.invitation.as_deref();
                let row = live_invitation(tx, &program.id, PROGRAM_ITSELF, code, now).await?;
                Some(spend_invitation(tx, row, &self.customer_id, now).await?)
            }
            None => None,
        };
        if entry.approval {
            let answers = serde_json::to_string(&request.answers).map_err(ApiError::internal)?;
            let filed = stored::apply(
                tx,
                &NewProgramApplication {
                    customer_id: &self.customer_id,
                    program_id: &program.id,
                    answers: &answers,
                    invitation_code: invitation.as_deref(),
                    applied_at: now,
                },
            )
            .await?;
            // One filed meanwhile: this transaction is undone, the code with it.
            filed.ok_or_else(application_pending)?;
        } else if !enrol(tx, program, &self.customer_id, now).await? {
            return Err(already_cardholder());
        }
        Ok(())
    }
}

/// Enrols `customer_id` in `program` (an approved or unreviewed application); `false` when they
/// hold its card already.
pub async fn enrol(
    tx: &mut Tx,
    program: &Program,
    customer_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    store::cards::enrol(tx, customer_id, &program.id, &program.terms_version, now).await
}
