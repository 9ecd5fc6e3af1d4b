//! The managers' side of applications at the till: the program's pending applications to its
//! closed clubs and, for a closed program, to the program itself, with the questionnaire as
//! answered, and the decision: approve (the applicant becomes a member, or gets the program's
//! card) or reject with a reason the applicant reads. Cashiers are refused (`managers_only`).

use super::session::TillSession;
use crate::clubs;
use crate::config::{Program, ProgramConfig};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdPath, ReaderLanguage};
use crate::openapi::refusals::{refusals, JSON_BODY, SIGNED_IN};
use crate::program_entry;
use crate::state::AppState;
use crate::store::clubs::{self as stored, ApplicationTable, NewMembership};
use crate::store::program_entry as entry_store;
use crate::store::{now_ms, Tx, Write};
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use tessera_core::api::{
    Answer, AnsweredQuestion, ApplicationStatus, ApplicationView, DecideApplication, ErrorCode,
    FieldError, StaffRole, TillApplication, TillApplications,
};
use tessera_core::club::Question;
use tessera_core::validation::{validate_text, FieldCode};

/// The most applications one listing shows (the oldest first).
const QUEUE_LIMIT: i64 = 200;

/// The most characters a rejection's reason may have.
pub const REASON_MAX_CHARS: usize = 300;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/till/applications", get(queue))
        .route("/till/applications/{id}/decide", post(decide))
}

/// Refuses a cashier's session.
fn manager(till: &TillSession) -> ApiResult<()> {
    if till.staff.role == StaffRole::Manager {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::ManagersOnly,
            "Only a manager can decide applications.",
        ))
    }
}

refusals! {
    QueueRefusals = SIGNED_IN, &[ErrorCode::ManagersOnly]
}

/// The program's pending applications, to its closed clubs and to the program itself (a closed
/// program), oldest first: what it applies to, the applicant's name and card number, when, the
/// questionnaire in its order with their answers in words, and whether an invitation came with
/// it. Managers only.
#[utoipa::path(get, path = "/api/v1/till/applications", tag = "till",
    security(("bearer" = [])),
    responses((status = 200, body = TillApplications), QueueRefusals))]
pub async fn queue(
    State(state): State<AppState>,
    till: TillSession,
    ReaderLanguage(language): ReaderLanguage,
) -> ApiResult<ApiJson<TillApplications>> {
    manager(&till)?;
    let program = till.program(&state.config)?;
    let mut applications: Vec<TillApplication> =
        stored::pending(&state.store, &program.id, QUEUE_LIMIT)
            .await?
            .into_iter()
            .filter_map(|p| {
                let a = p.application;
                let club = program.clubs.iter().find(|c| c.id == a.club_id)?;
                let questions = club.entry.as_ref().map_or(&[][..], |e| &e.questions[..]);
                Some(TillApplication {
                    answers: answered(program, language, questions, &a.answers),
                    id: a.id,
                    club_id: Some(club.id.clone()),
                    applies_to: program.text(language, &club.name),
                    member_name: p.name,
                    card_number: Some(p.number.unwrap_or_default()),
                    applied_at: a.applied_at,
                    invited: a.invitation_code.is_some(),
                })
            })
            .collect();
    if let Some(entry) = program.entry.as_ref() {
        let pending = entry_store::pending(&state.store, &program.id, QUEUE_LIMIT).await?;
        applications.extend(pending.into_iter().map(|p| {
            let a = p.application;
            TillApplication {
                answers: answered(program, language, &entry.questions, &a.answers),
                id: a.id,
                club_id: None,
                applies_to: program.name.clone(),
                member_name: p.name,
                card_number: None,
                applied_at: a.applied_at,
                invited: a.invitation_code.is_some(),
            }
        }));
        applications.sort_by_key(|a| a.applied_at);
        applications.truncate(QUEUE_LIMIT as usize);
    }
    Ok(ApiJson(TillApplications { applications }))
}

/// `questions` with the stored `answers` (JSON) in words, in the staff's `language` (else the
/// program's).
fn answered(
    program: &Program,
    language: Option<&str>,
    questions: &[Question],
    answers: &str,
) -> Vec<AnsweredQuestion> {
    let answers: Vec<Answer> = serde_json::from_str(answers).unwrap_or_default();
    questions
        .iter()
        .map(|q| AnsweredQuestion {
            question: program.text(language, &q.text),
            answer: q.answer_in_words(
                answers.iter().find(|a| a.question == q.id),
                language.unwrap_or(&program.language),
                &program.language,
            ),
        })
        .collect()
}

refusals! {
    DecideRefusals = SIGNED_IN, JSON_BODY, &[
        ErrorCode::ManagersOnly,
        ErrorCode::NotFound,
        ErrorCode::ApplicationDecided,
    ]
}

/// Approves an application (its applicant becomes a member at once, or gets the program's card)
/// or rejects it with a `reason` (required, the applicant reads it). `application_decided`: it
/// was decided already (by another manager, or a double tap). Managers only.
#[utoipa::path(post, path = "/api/v1/till/applications/{id}/decide", tag = "till",
    security(("bearer" = [])), params(IdPath), request_body = DecideApplication,
    responses((status = 200, body = ApplicationView), DecideRefusals))]
pub async fn decide(
    State(state): State<AppState>,
    till: TillSession,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<DecideApplication>,
) -> ApiResult<ApiJson<ApplicationView>> {
    manager(&till)?;
    let reason = request.reason.as_deref().map(str::trim).unwrap_or_default();
    if !request.approve {
        let code = if reason.is_empty() {
            Some(FieldCode::Required)
        } else if reason.chars().count() > REASON_MAX_CHARS {
            Some(FieldCode::TooLong)
        } else {
            validate_text(reason, false)
        };
        if let Some(code) = code {
            return Err(ApiError::validation(vec![FieldError {
                field: "reason".into(),
                code,
            }]));
        }
    }
    let decided = state
        .store
        .write(Decide {
            config: state.config.clone(),
            program_id: till.staff.program.clone(),
            staff: till.staff.email.clone(),
            application_id: id,
            approve: request.approve,
            reason: (!request.approve).then(|| reason.to_owned()),
        })
        .await?;
    Ok(ApiJson(decided))
}

/// A decision, as its transaction needs it.
struct Decide {
    config: Arc<ProgramConfig>,
    program_id: String,
    staff: String,
    application_id: String,
    approve: bool,
    reason: Option<String>,
}

impl Write for Decide {
    type Output = ApplicationView;
    type Error = ApiError;

    async fn run(&self, tx: &mut Tx) -> ApiResult<ApplicationView> {
        let program = self
            .config
            .program(&self.program_id)
            .ok_or_else(ApiError::not_found)?;
        let now = now_ms();
        let status = if self.approve { "approved" } else { "rejected" };
        let decided_already = || {
            ApiError::new(
                ErrorCode::ApplicationDecided,
                "This application was decided already.",
            )
        };
        // Another program's application is not found.
        let applied_at = if let Some(application) = stored::application(tx, &self.application_id)
            .await?
            .filter(|a| a.program_id == program.id)
        {
            // Under the card's lock, like every change to its memberships.
            crate::store::ledger::lock(tx, &application.card_id)
                .await
                .map_err(|_| ApiError::not_found())?;
            let table = ApplicationTable::Club;
            if !stored::decide(
                tx,
                table,
                &application.id,
                status,
                self.reason(),
                &self.staff,
                now,
            )
            .await?
            {
                return Err(decided_already());
            }
            if self.approve {
                let club = program
                    .clubs
                    .iter()
                    .find(|c| c.id == application.club_id)
                    .ok_or_else(ApiError::not_found)?;
                let current = stored::membership(tx, &application.card_id, &club.id)
                    .await?
                    .is_some_and(|m| m.current(now));
                if !current {
                    clubs::start(
                        tx,
                        &NewMembership {
                            card_id: &application.card_id,
                            program_id: &program.id,
                            club_id: &club.id,
                            joined_at: now,
                            ends_at: clubs::first_period_end(program, club, now),
                            auto_renew: false,
                            entrance_paid: false,
                        },
                    )
                    .await?;
                }
            }
            application.applied_at
        } else {
            let application = entry_store::application(tx, &self.application_id)
                .await?
                .filter(|a| a.program_id == program.id)
                .ok_or_else(ApiError::not_found)?;
            let id = &application.id;
            if !entry_store::decide(tx, id, status, self.reason(), &self.staff, now).await? {
                return Err(decided_already());
            }
            if self.approve {
                // A card they got meanwhile (the program's entry changed) stays as it is.
                program_entry::enrol(tx, program, &application.customer_id, now).await?;
            }
            application.applied_at
        };
        Ok(ApplicationView {
            id: self.application_id.clone(),
            status: if self.approve {
                ApplicationStatus::Approved
            } else {
                ApplicationStatus::Rejected
            },
            applied_at,
            decided_at: Some(now),
            reason: self.reason.clone(),
        })
    }
}

impl Decide {
    fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }
}
