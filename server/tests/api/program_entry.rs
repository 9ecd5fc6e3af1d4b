//! Joining a closed program over HTTP on both engines: the wallet's list and the entry, applying
//! with answers and a cardholder's invitation code, every refusal, the managers' decision (the
//! card at once on approval, the reason on rejection), cardholders' codes, two applications at
//! once, and a program that needs no approval.

use crate::common::*;
use crate::till::{cashier, till_login};
use axum::http::StatusCode;
use serde_json::{json, Value};
use tessera_core::api::{
    ApplicationStatus, ApplicationView, EntryState, ErrorCode, ProgramEntry, ProgramOffer,
    TillApplications, TillSession, Wallet,
};

const CELLAR: &str = "/api/v1/programs/cellar";
const DAY: i64 = 86_400_000;

async fn entry(t: &TestApp, token: &str) -> ProgramEntry {
    t.get(&format!("{CELLAR}/entry"), Some(token))
        .await
        .decode(StatusCode::OK)
}

async fn wallet(t: &TestApp, token: &str) -> Wallet {
    t.get("/api/v1/wallet", Some(token))
        .await
        .decode(StatusCode::OK)
}

/// Applies to the cellar with `body` under the `Idempotency-Key` `key`.
async fn apply(t: &TestApp, token: &str, key: &str, body: Value) -> Reply {
    t.post_keyed(&format!("{CELLAR}/apply"), Some(token), Some(key), body)
        .await
}

async fn make_code(t: &TestApp, token: &str) -> Reply {
    t.post(&format!("{CELLAR}/invitations"), Some(token), Value::Null)
        .await
}

/// A new customer holding the cellar's card (as if approved), and one of their codes.
async fn cardholder(t: &TestApp, email: &str) -> (String, String) {
    let token = t.register(email).await;
    enrol(t, &token).await;
    let made: ProgramEntry = make_code(t, &token).await.decode(StatusCode::CREATED);
    (token, made.invitations[0].code.clone())
}

/// Gives the customer signed in with `token` the cellar's card directly.
async fn enrol(t: &TestApp, token: &str) {
    let me = t.get("/api/v1/me", Some(token)).await;
    let customer = me.body["id"].as_str().unwrap().to_owned();
    let program = t.state.config.program("cellar").unwrap();
    let mut tx = t.state.store.pool_for_checks().begin().await.unwrap();
    let now = tessera_server::store::now_ms();
    assert!(
        tessera_server::program_entry::enrol(&mut tx, program, &customer, now)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

fn answers() -> Value {
    json!([{ "question": "wines", "choices": [0, 2] }, { "question": "adult", "yes": true }])
}

/// A manager's till session: the cellar's or the coffee shop's.
async fn manager(t: &TestApp, email: &str) -> String {
    till_login(t, email, "tessera-manager")
        .await
        .decode::<TillSession>(StatusCode::OK)
        .token
}

async fn queue(t: &TestApp, till: &str) -> TillApplications {
    t.get("/api/v1/till/applications", Some(till))
        .await
        .decode(StatusCode::OK)
}

async fn decide(t: &TestApp, till: &str, id: &str, body: Value) -> Reply {
    t.post(
        &format!("/api/v1/till/applications/{id}/decide"),
        Some(till),
        body,
    )
    .await
}

#[tokio::test]
async fn the_wallet_lists_a_closed_program_whose_entry_says_what_applying_asks() {
    each_engine(|t| async move {
        let token = t.register("curious@example.com").await;
        let listed = wallet(&t, &token).await;
        assert_eq!(listed.cards.len(), 1, "no card of a closed program");
        assert_eq!(
            listed.by_invitation,
            [ProgramOffer {
                program_id: "cellar".into(),
                name: "Mziuri Wine Cellar".into(),
                held: false,
                application: None,
                invitations: true,
            }]
        );
        let shown = entry(&t, &token).await;
        assert_eq!(shown.state, EntryState::CanApply);
        assert_eq!(shown.card_id, None);
        assert!(shown.description.starts_with("Members' tastings"));
        let questions: Vec<(&str, bool, usize)> = shown
            .questions
            .iter()
            .map(|q| (q.id.as_str(), q.required, q.options.len()))
            .collect();
        assert_eq!(questions, [("wines", true, 4), ("adult", true, 0)]);
        assert!(shown.invitation && shown.approval);
        assert!(shown.invitations.is_empty() && shown.invitations_left == 0);
        // An open program, an unknown one and an impossible id have no entry.
        for path in ["mziuri", "bakery", "NOT%20AN%20ID"] {
            let r = t
                .get(&format!("/api/v1/programs/{path}/entry"), Some(&token))
                .await;
            assert_eq!(r.refusal(), (StatusCode::NOT_FOUND, ErrorCode::NotFound));
        }
        let anonymous = t.get(&format!("{CELLAR}/entry"), None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn an_application_needs_the_required_answers_and_a_cardholders_live_code() {
    each_engine(|t| async move {
        let (host, code) = cardholder(&t, "host@example.com").await;
        let token = t.register("applicant@example.com").await;
        let unanswered = apply(&t, &token, "a", json!({ "invitation": code })).await;
        assert_eq!(unanswered.named_fields(), ["answers.wines", "answers.adult"]);
        let wrong_kind = json!([{ "question": "wines", "choices": [9] }, { "question": "adult", "text": "yes" }]);
        let wrong = apply(&t, &token, "b", json!({ "answers": wrong_kind, "invitation": code })).await;
        assert_eq!(wrong.named_fields(), ["answers.wines", "answers.adult"]);

        for (typed, refused) in [
            (Value::Null, ErrorCode::InvitationInvalid),
            (json!("ZZZZZZZZZZ"), ErrorCode::InvitationInvalid),
        ] {
            let body = json!({ "answers": answers(), "invitation": typed });
            let r = apply(&t, &token, &format!("no-{refused:?}"), body).await;
            assert_eq!(r.error_body().error, refused);
        }
        // A club's code does not open the program.
        let friend = t.register("taster@example.com").await;
        let card = t.first_card(&friend).await;
        sqlx::query(
            "INSERT INTO club_invitations (code, card_id, program_id, club_id, status, created_at, expires_at)
             VALUES ('CLUBCODE00', $1, 'mziuri', 'tasters', 'active', 0, 9999999999999)",
        )
        .bind(&card)
        .execute(t.state.store.pool_for_checks())
        .await
        .unwrap();
        let club_code = apply(&t, &token, "club", json!({ "answers": answers(), "invitation": "clubcode00" })).await;
        assert_eq!(club_code.error_body().error, ErrorCode::InvitationInvalid);

        // Expired, then used.
        sqlx::query("UPDATE club_invitations SET expires_at = 1 WHERE code = $1")
            .bind(&code)
            .execute(t.state.store.pool_for_checks())
            .await
            .unwrap();
        let body = json!({ "answers": answers(), "invitation": code });
        let expired = apply(&t, &token, "expired", body.clone()).await;
        assert_eq!(expired.error_body().error, ErrorCode::InvitationExpired);
        let fresh: ProgramEntry = make_code(&t, &host).await.decode(StatusCode::CREATED);
        let fresh = fresh.invitations[0].code.clone();
        // Typed in lower case with a dash, as people do.
        let typed = format!("{}-{}", &fresh[..5].to_lowercase(), &fresh[5..]);
        apply(&t, &token, "ok", json!({ "answers": answers(), "invitation": typed }))
            .await
            .decode::<ProgramEntry>(StatusCode::CREATED);
        let other = t.register("second@example.com").await;
        let used = apply(&t, &other, "used", json!({ "answers": answers(), "invitation": fresh })).await;
        assert_eq!(used.refusal(), (StatusCode::CONFLICT, ErrorCode::InvitationUsed));
        // Nothing was filed by the refusals.
        assert_eq!(queue(&t, &manager(&t, "cellar@example.com").await).await.applications.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_manager_approves_an_application_and_the_applicant_gets_the_card() {
    each_engine(|t| async move {
        let (host, code) = cardholder(&t, "host@example.com").await;
        let token = t.register("applicant@example.com").await;
        let body = json!({ "answers": answers(), "invitation": code });
        let applied: ProgramEntry = apply(&t, &token, "k", body.clone())
            .await
            .decode(StatusCode::CREATED);
        assert_eq!(applied.state, EntryState::Pending);
        assert_eq!(
            applied.application.as_ref().unwrap().status,
            ApplicationStatus::Pending
        );
        // A double tap gets the first answer; another attempt is refused.
        let replayed: ProgramEntry = apply(&t, &token, "k", body.clone())
            .await
            .decode(StatusCode::CREATED);
        assert_eq!(replayed, applied);
        let again = apply(&t, &token, "k-2", body).await;
        assert_eq!(
            again.refusal(),
            (StatusCode::CONFLICT, ErrorCode::ApplicationPending)
        );
        let offer = &wallet(&t, &token).await.by_invitation[0];
        assert_eq!(offer.application, Some(ApplicationStatus::Pending));

        // The coffee shop's manager does not see it; the cellar's does, answers in words.
        assert!(queue(&t, &manager(&t, "manager@example.com").await)
            .await
            .applications
            .is_empty());
        let boss = manager(&t, "cellar@example.com").await;
        let listed = queue(&t, &boss).await;
        let [application] = &listed.applications[..] else {
            panic!("{listed:?}")
        };
        assert_eq!(application.club_id, None);
        assert_eq!(application.applies_to, "Mziuri Wine Cellar");
        assert_eq!(application.member_name, "Nino");
        assert_eq!(application.card_number, None);
        assert!(application.invited);
        let answered: Vec<(&str, &str)> = application
            .answers
            .iter()
            .map(|a| (a.question.as_str(), a.answer.as_str()))
            .collect();
        assert_eq!(
            answered,
            [
                ("Which wines do you like?", "Red, Amber"),
                ("Are you 18 or older?", "Yes")
            ]
        );
        let by_cashier = decide(
            &t,
            &cashier(&t).await,
            &application.id,
            json!({ "approve": true }),
        )
        .await;
        assert_eq!(by_cashier.error_body().error, ErrorCode::ManagersOnly);
        let by_other_program = decide(
            &t,
            &manager(&t, "manager@example.com").await,
            &application.id,
            json!({ "approve": true }),
        )
        .await;
        assert_eq!(
            by_other_program.refusal(),
            (StatusCode::NOT_FOUND, ErrorCode::NotFound)
        );
        let approved: ApplicationView =
            decide(&t, &boss, &application.id, json!({ "approve": true }))
                .await
                .decode(StatusCode::OK);
        assert_eq!(approved.status, ApplicationStatus::Approved);
        let twice = decide(
            &t,
            &boss,
            &application.id,
            json!({ "approve": false, "reason": "No" }),
        )
        .await;
        assert_eq!(
            twice.refusal(),
            (StatusCode::CONFLICT, ErrorCode::ApplicationDecided)
        );

        // The card is theirs, with the program's 5% and its codes to make.
        let cards = wallet(&t, &token).await;
        let programs: Vec<&str> = cards.cards.iter().map(|c| c.program_id.as_str()).collect();
        assert_eq!(programs, ["mziuri", "cellar"]);
        assert_eq!(cards.cards[1].discount.rate_bp, 500);
        assert!(cards.by_invitation[0].held);
        assert_eq!(cards.by_invitation[0].application, None);
        let holder = entry(&t, &token).await;
        assert_eq!(holder.state, EntryState::Cardholder);
        assert_eq!(holder.card_id.as_deref(), Some(cards.cards[1].id.as_str()));
        assert_eq!(holder.invitations_left, 3);
        let more = apply(&t, &token, "k-3", json!({ "answers": answers() })).await;
        assert_eq!(
            more.refusal(),
            (StatusCode::CONFLICT, ErrorCode::AlreadyMember)
        );
        // The host sees their code used.
        assert!(entry(&t, &host).await.invitations[0].used);
    })
    .await;
}

#[tokio::test]
async fn a_rejected_applicant_reads_the_reason_and_may_apply_again() {
    each_engine(|t| async move {
        let (host, code) = cardholder(&t, "host@example.com").await;
        let token = t.register("applicant@example.com").await;
        apply(
            &t,
            &token,
            "k",
            json!({ "answers": answers(), "invitation": code }),
        )
        .await
        .decode::<ProgramEntry>(StatusCode::CREATED);
        let boss = manager(&t, "cellar@example.com").await;
        let id = queue(&t, &boss).await.applications[0].id.clone();
        let no_reason = decide(&t, &boss, &id, json!({ "approve": false })).await;
        assert_eq!(no_reason.named_fields(), ["reason"]);
        let reason = "The list is full until spring.";
        decide(
            &t,
            &boss,
            &id,
            json!({ "approve": false, "reason": reason }),
        )
        .await
        .decode::<ApplicationView>(StatusCode::OK);

        let shown = entry(&t, &token).await;
        assert_eq!(shown.state, EntryState::CanApply);
        let application = shown.application.unwrap();
        assert_eq!(application.status, ApplicationStatus::Rejected);
        assert_eq!(application.reason.as_deref(), Some(reason));
        let listed = wallet(&t, &token).await;
        assert_eq!(listed.cards.len(), 1);
        assert_eq!(
            listed.by_invitation[0].application,
            Some(ApplicationStatus::Rejected)
        );
        assert!(queue(&t, &boss).await.applications.is_empty());

        let second: ProgramEntry = make_code(&t, &host).await.decode(StatusCode::CREATED);
        let body = json!({ "answers": answers(), "invitation": second.invitations[0].code });
        let again: ProgramEntry = apply(&t, &token, "k-2", body)
            .await
            .decode(StatusCode::CREATED);
        assert_eq!(again.state, EntryState::Pending);
    })
    .await;
}

#[tokio::test]
async fn cardholders_make_invitation_codes_up_to_the_yearly_number() {
    each_engine(|t| async move {
        let token = t.register("host@example.com").await;
        let outsider = make_code(&t, &token).await;
        assert_eq!(
            outsider.refusal(),
            (StatusCode::CONFLICT, ErrorCode::NotAMember)
        );
        enrol(&t, &token).await;
        // Four at once make three.
        let made = futures_util::future::join_all((0..4).map(|_| make_code(&t, &token))).await;
        let statuses: Vec<StatusCode> = made.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::CREATED)
                .count(),
            3,
            "{statuses:?}"
        );
        let shown = entry(&t, &token).await;
        assert_eq!(shown.invitations.len(), 3);
        assert_eq!(shown.invitations_left, 0);
        let code = &shown.invitations[0];
        assert_eq!(code.code.len(), 10);
        assert!(code.expires_at - code.created_at >= 30 * DAY);
        let fifth = make_code(&t, &token).await;
        assert_eq!(
            fifth.refusal(),
            (StatusCode::CONFLICT, ErrorCode::InvitationsUsedUp)
        );
        // An open program has no entry to invite to.
        let open = t
            .post(
                "/api/v1/programs/mziuri/invitations",
                Some(&token),
                Value::Null,
            )
            .await;
        assert_eq!(open.refusal(), (StatusCode::NOT_FOUND, ErrorCode::NotFound));
    })
    .await;
}

#[tokio::test]
async fn two_applications_at_once_file_one_and_use_one_code() {
    each_engine(|t| async move {
        let (host, first) = cardholder(&t, "host@example.com").await;
        let second: ProgramEntry = make_code(&t, &host).await.decode(StatusCode::CREATED);
        let second = second.invitations[0].code.clone();
        let token = t.register("eager@example.com").await;
        let (a, b) = tokio::join!(
            apply(
                &t,
                &token,
                "one",
                json!({ "answers": answers(), "invitation": first })
            ),
            apply(
                &t,
                &token,
                "two",
                json!({ "answers": answers(), "invitation": second })
            ),
        );
        let mut outcomes = [a.status, b.status];
        outcomes.sort();
        assert_eq!(
            outcomes,
            [StatusCode::CREATED, StatusCode::CONFLICT],
            "{} / {}",
            a.text,
            b.text
        );
        let refused = if a.status == StatusCode::CONFLICT {
            &a
        } else {
            &b
        };
        assert_eq!(refused.error_body().error, ErrorCode::ApplicationPending);
        let used = entry(&t, &host)
            .await
            .invitations
            .iter()
            .filter(|c| c.used)
            .count();
        assert_eq!(used, 1, "the refused application's code is not spent");
    })
    .await;
}

#[tokio::test]
async fn a_closed_program_without_approval_gives_the_card_at_once() {
    let config = DEMO_CONFIG.replace(
        "approval = true\nquestions = [\n  { id = \"wines\"",
        "approval = false\nquestions = [\n  { id = \"wines\"",
    );
    assert_ne!(config, DEMO_CONFIG);
    let setup = Setup {
        config,
        ..Setup::default()
    };
    each_engine_with(setup, |t| async move {
        let (_, code) = cardholder(&t, "host@example.com").await;
        let token = t.register("walk-in@example.com").await;
        let joined: ProgramEntry = apply(
            &t,
            &token,
            "k",
            json!({ "answers": answers(), "invitation": code }),
        )
        .await
        .decode(StatusCode::CREATED);
        assert_eq!(joined.state, EntryState::Cardholder);
        assert_eq!(wallet(&t, &token).await.cards.len(), 2);
        assert!(queue(&t, &manager(&t, "cellar@example.com").await)
            .await
            .applications
            .is_empty());
    })
    .await;
}
