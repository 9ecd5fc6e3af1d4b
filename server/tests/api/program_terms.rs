//! A program's new terms over HTTP on both engines: a member who has not accepted them sees
//! them on the card; the till is told, earns them points as always, but refuses to let them pay
//! with points, and redeeming waits too; accepting (only the version shown) lifts both and is
//! kept once in the consent history, even when tapped twice at once.

use crate::common::*;
use crate::rewards::give;
use crate::till::{cashier, identified_by_code, member, now_step, till_write, Member};
use axum::http::StatusCode;
use serde_json::{json, Value};
use tessera_core::api::{
    Card, ConsentKind, Consents, ErrorCode, ProgramTerms, TillPurchase, Wallet,
};
use tessera_core::validation::FieldCode;

/// The demo program's terms version now (config/demo.toml).
const CURRENT: &str = "2026-11-01";

/// A member who accepted an older version of the program's terms (as if the configuration
/// changed since), with 500 points to spend.
async fn member_under_old_terms(t: &TestApp, email: &str) -> Member {
    let member = member(t, email).await;
    sqlx::query("UPDATE cards SET terms_version = '2025-06-01' WHERE id = $1")
        .bind(&member.card)
        .execute(t.state.store.pool_for_checks())
        .await
        .unwrap();
    give(t, &member.card, 500, "gift", None).await;
    member
}

async fn accept(t: &TestApp, member: &Member, version: &str) -> Reply {
    t.post(
        &format!("/api/v1/cards/{}/terms", member.card),
        Some(&member.token),
        json!({ "version": version }),
    )
    .await
}

async fn redeem(t: &TestApp, member: &Member, key: &str) -> Reply {
    t.post_keyed(
        "/api/v1/programs/mziuri/rewards/extra-shot/redeem",
        Some(&member.token),
        Some(key),
        Value::Null,
    )
    .await
}

async fn program_acceptances(t: &TestApp, member: &Member) -> usize {
    let history: Consents = t
        .get("/api/v1/me/consents", Some(&member.token))
        .await
        .decode(StatusCode::OK);
    history
        .consents
        .iter()
        .filter(|c| c.kind == ConsentKind::ProgramTerms && c.version.as_deref() == Some(CURRENT))
        .count()
}

async fn terms(t: &TestApp, member: &Member) -> ProgramTerms {
    t.get(
        &format!("/api/v1/cards/{}/terms", member.card),
        Some(&member.token),
    )
    .await
    .decode(StatusCode::OK)
}

#[tokio::test]
async fn new_terms_are_asked_for_with_their_date() {
    each_engine(|t| async move {
        let member = member_under_old_terms(&t, "nino@example.com").await;
        let wallet: Wallet = t
            .get("/api/v1/wallet", Some(&member.token))
            .await
            .decode(StatusCode::OK);
        assert_eq!(wallet.terms_to_accept, std::slice::from_ref(&member.card));
        let shown = terms(&t, &member).await;
        assert_eq!(shown.version, CURRENT);
        assert_eq!(shown.updated.as_deref(), Some("2026-11-01"));
        assert_eq!(shown.accepted_version, "2025-06-01");
        assert_eq!(shown.program_name, "Mziuri Coffee");
    })
    .await;
}

#[tokio::test]
async fn until_accepted_the_till_earns_but_points_cannot_pay() {
    each_engine(|t| async move {
        let member = member_under_old_terms(&t, "nino@example.com").await;
        let till = cashier(&t).await;
        let found = identified_by_code(&t, &till, &member.code(now_step())).await;
        assert!(found.terms_pending);
        assert!(found.can_spend);

        let sale = |points: i64| json!({ "ticket": found.ticket, "amount_minor": 2_000, "points": points });
        let paying = till_write(&t, "/api/v1/till/purchases", &till, Some("with-points"), sale(100)).await;
        assert_eq!(
            paying.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::TermsNotAccepted)
        );
        let earning: TillPurchase =
            till_write(&t, "/api/v1/till/purchases", &till, Some("earning"), sale(0))
                .await
                .decode(StatusCode::CREATED);
        assert!(earning.points > 0, "the card earns as always: {earning:?}");

        assert_eq!(accept(&t, &member, CURRENT).await.status, StatusCode::OK);
        let paid: TillPurchase =
            till_write(&t, "/api/v1/till/purchases", &till, Some("after"), sale(100))
                .await
                .decode(StatusCode::CREATED);
        assert_eq!(paid.bill.points_spent, 100);
    })
    .await;
}

#[tokio::test]
async fn until_accepted_redeeming_waits() {
    each_engine(|t| async move {
        let member = member_under_old_terms(&t, "nino@example.com").await;
        assert_eq!(
            redeem(&t, &member, "one").await.refusal().1,
            ErrorCode::TermsNotAccepted
        );
        let balance = t
            .get(
                &format!("/api/v1/cards/{}", member.card),
                Some(&member.token),
            )
            .await
            .decode::<Card>(StatusCode::OK)
            .balance;
        assert_eq!(balance, 500, "nothing was taken");
        accept(&t, &member, CURRENT)
            .await
            .decode::<ProgramTerms>(StatusCode::OK);
        assert_eq!(redeem(&t, &member, "two").await.status, StatusCode::CREATED);
    })
    .await;
}

#[tokio::test]
async fn only_the_terms_shown_can_be_accepted_and_twice_at_once_is_kept_once() {
    each_engine(|t| async move {
        let member = member_under_old_terms(&t, "nino@example.com").await;
        let stale = accept(&t, &member, "2025-06-01").await;
        assert_eq!(
            stale
                .invalid_fields()
                .into_iter()
                .map(|f| (f.field, f.code))
                .collect::<Vec<_>>(),
            [("version".to_owned(), FieldCode::TermsNotAccepted)]
        );
        let before = program_acceptances(&t, &member).await;
        let (a, b) = tokio::join!(accept(&t, &member, CURRENT), accept(&t, &member, CURRENT));
        for reply in [a, b] {
            assert_eq!(
                reply
                    .decode::<ProgramTerms>(StatusCode::OK)
                    .accepted_version,
                CURRENT
            );
        }
        assert_eq!(program_acceptances(&t, &member).await, before + 1);
        let wallet: Wallet = t
            .get("/api/v1/wallet", Some(&member.token))
            .await
            .decode(StatusCode::OK);
        assert!(wallet.terms_to_accept.is_empty());
        let other = member_under_old_terms(&t, "other@example.com").await;
        let theirs = t
            .post(
                &format!("/api/v1/cards/{}/terms", other.card),
                Some(&member.token),
                json!({ "version": CURRENT }),
            )
            .await;
        assert_eq!(
            theirs.refusal(),
            (StatusCode::NOT_FOUND, ErrorCode::NotFound)
        );
    })
    .await;
}
