//! Deleting the account over HTTP on both engines: the confirmation's figures; the password is
//! required; afterwards every token of the account is refused and its personal data is gone,
//! while the customer row stays as a tombstone with its ledger for the books; the e-mail can
//! join again; and a till's purchase at the same moment is either wholly before the deletion or
//! refused, never half-written.

use crate::common::*;
use crate::rewards::give;
use crate::till::{
    cashier, count, identified_by_code, identify_by_code, member, now_step, till_write, Member,
};
use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;
use tessera_core::api::{DeletionPreview, ErrorCode};

const PASSWORD: &str = "correct horse battery";

async fn delete(t: &TestApp, token: &str, password: &str) -> Reply {
    t.post(
        "/api/v1/me/delete",
        Some(token),
        json!({ "password": password }),
    )
    .await
}

/// A member with 500 points, a voucher and a club membership.
async fn member_with_things(t: &TestApp, email: &str) -> Member {
    let member = member(t, email).await;
    give(t, &member.card, 500, "gift", None).await;
    let voucher = t
        .post_keyed(
            "/api/v1/programs/mziuri/rewards/extra-shot/redeem",
            Some(&member.token),
            Some("voucher"),
            Value::Null,
        )
        .await;
    assert_eq!(voucher.status, StatusCode::CREATED, "{}", voucher.text);
    let joined = t
        .post_keyed(
            "/api/v1/programs/mziuri/clubs/morning/join",
            Some(&member.token),
            Some("club"),
            json!({}),
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.text);
    member
}

/// The stored customer row of `id`: (email, display name, phone, deleted).
async fn stored_customer(t: &TestApp, id: &str) -> (String, String, Option<String>, bool) {
    let row =
        sqlx::query("SELECT email, display_name, phone, deleted_at FROM customers WHERE id = $1")
            .bind(id)
            .fetch_one(t.state.store.pool_for_checks())
            .await
            .unwrap();
    (
        row.get("email"),
        row.get("display_name"),
        row.get("phone"),
        row.get::<Option<i64>, _>("deleted_at").is_some(),
    )
}

async fn customer_id(t: &TestApp, token: &str) -> String {
    t.get("/api/v1/me", Some(token)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_confirmation_says_what_would_be_lost() {
    each_engine(|t| async move {
        let member = member_with_things(&t, "nino@example.com").await;
        let preview: DeletionPreview = t
            .get("/api/v1/me/deletion", Some(&member.token))
            .await
            .decode(StatusCode::OK);
        assert_eq!(preview.points.len(), 1);
        assert_eq!(preview.points[0].program_name, "Mziuri Coffee");
        assert_eq!(preview.points[0].points, 500 - 75);
        assert_eq!(preview.active_vouchers, 1);
        assert_eq!(preview.memberships, 1);
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_deletes_nothing() {
    each_engine(|t| async move {
        let member = member_with_things(&t, "nino@example.com").await;
        let wrong = delete(&t, &member.token, "not my password").await;
        assert_eq!(wrong.refusal().1, ErrorCode::InvalidCredentials);
        assert_eq!(
            t.get("/api/v1/me", Some(&member.token)).await.status,
            StatusCode::OK
        );
        let anonymous = t
            .post("/api/v1/me/delete", None, json!({ "password": PASSWORD }))
            .await;
        assert_eq!(anonymous.refusal().1, ErrorCode::Unauthenticated);
    })
    .await;
}

#[tokio::test]
async fn deleting_erases_the_person_and_keeps_the_books() {
    each_engine(|t| async move {
        let member = member_with_things(&t, "nino@example.com").await;
        let elsewhere = t.login("nino@example.com", PASSWORD).await.body["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let id = customer_id(&t, &member.token).await;
        let entries_before = count(
            &t,
            "SELECT COUNT(*) FROM ledger_entries WHERE card_id = $1",
            &member.card,
        )
        .await;

        let deleted = delete(&t, &member.token, PASSWORD).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);

        // Every token of the account is refused, and it cannot sign in.
        for token in [&member.token, &elsewhere] {
            assert_eq!(
                t.get("/api/v1/wallet", Some(token)).await.refusal().1,
                ErrorCode::Unauthenticated
            );
        }
        assert_eq!(
            t.login("nino@example.com", PASSWORD).await.refusal().1,
            ErrorCode::InvalidCredentials
        );
        // The person is gone; the tombstone stays.
        let (email, name, phone, tombstone) = stored_customer(&t, &id).await;
        assert!(!email.contains("nino"), "{email}");
        assert_eq!((name.as_str(), phone, tombstone), ("", None, true));
        // The card is closed with its points forfeited by an entry; the books are whole.
        let card = |sql: &'static str| count(&t, sql, &member.card);
        assert_eq!(
            card("SELECT COUNT(*) FROM cards WHERE id = $1 AND closed_at IS NOT NULL").await,
            1
        );
        assert_eq!(card("SELECT balance FROM cards WHERE id = $1").await, 0);
        assert_eq!(
            card("SELECT COUNT(*) FROM ledger_entries WHERE card_id = $1").await,
            entries_before + 1
        );
        assert_eq!(
            card("SELECT COUNT(*) FROM vouchers WHERE card_id = $1 AND status = 'active'").await,
            0
        );
        assert_eq!(
            card("SELECT COUNT(*) FROM memberships WHERE card_id = $1 AND status = 'active'").await,
            0
        );
        assert_eq!(
            card("SELECT COUNT(*) FROM card_secrets WHERE card_id = $1").await,
            0
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM sessions WHERE customer_id = $1",
                &id
            )
            .await,
            0
        );
        // The phone's code is refused at the till.
        let till = cashier(&t).await;
        let scanned = identify_by_code(&t, &till, &member.code(now_step())).await;
        assert!(
            matches!(
                scanned.refusal().1,
                ErrorCode::CardClosed | ErrorCode::CodeInvalid
            ),
            "{}",
            scanned.text
        );
    })
    .await;
}

#[tokio::test]
async fn the_email_of_a_deleted_account_can_join_again() {
    each_engine(|t| async move {
        let member = member_with_things(&t, "nino@example.com").await;
        let old = customer_id(&t, &member.token).await;
        delete(&t, &member.token, PASSWORD).await;
        let again = t.register("nino@example.com").await;
        let new = customer_id(&t, &again).await;
        assert_ne!(old, new);
        let card = t.first_card(&again).await;
        assert_ne!(card, member.card, "a new card");
    })
    .await;
}

#[tokio::test]
async fn a_purchase_at_the_moment_of_deletion_is_wholly_before_it_or_refused() {
    each_engine(|t| async move {
        for round in 0..4 {
            let member = member(&t, &format!("nino{round}@example.com")).await;
            let till = cashier(&t).await;
            let found = identified_by_code(&t, &till, &member.code(now_step())).await;
            let sale = json!({ "ticket": found.ticket, "amount_minor": 2_000 });
            let key = format!("sale-{round}");
            let (bought, deleted) = tokio::join!(
                till_write(&t, "/api/v1/till/purchases", &till, Some(&key), sale),
                delete(&t, &member.token, PASSWORD),
            );
            assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
            let purchases = count(
                &t,
                "SELECT COUNT(*) FROM purchases WHERE card_id = $1",
                &member.card,
            )
            .await;
            match bought.status {
                StatusCode::CREATED => assert_eq!(purchases, 1),
                _ => {
                    assert!(
                        matches!(
                            bought.refusal().1,
                            ErrorCode::CardClosed | ErrorCode::TicketInvalid
                        ),
                        "{}",
                        bought.text
                    );
                    assert_eq!(purchases, 0);
                }
            }
            // No entry lost or left over: the sequence has no gap, the card agrees with it, and
            // nothing is spendable on the closed card.
            let card = |sql: &'static str| count(&t, sql, &member.card);
            let entries = card("SELECT COUNT(*) FROM ledger_entries WHERE card_id = $1").await;
            assert_eq!(
                card("SELECT COALESCE(MAX(seq), 0) FROM ledger_entries WHERE card_id = $1").await,
                entries
            );
            assert_eq!(
                card("SELECT entry_seq FROM cards WHERE id = $1").await,
                entries
            );
            assert_eq!(card("SELECT balance FROM cards WHERE id = $1").await, 0);
        }
    })
    .await;
}
