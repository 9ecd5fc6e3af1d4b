//! Checkout secrets: one per card and session, stable, revoked with the session; on both engines.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::Value;
use sqlx::Row;
use tessera_core::checkout::{self, CardSecret};

async fn secret_of(t: &TestApp, token: &str, card: &str) -> Reply {
    t.post(
        &format!("/api/v1/cards/{card}/checkout-secret"),
        Some(token),
        Value::Null,
    )
    .await
}

#[tokio::test]
async fn each_session_gets_its_own_stable_secret_until_it_logs_out() {
    each_engine(|t| async move {
        let (phone, card) = t.customer("codes@example.com").await;

        let first = secret_of(&t, &phone, &card).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text);
        let number = first.body["card_number"].as_str().unwrap().to_owned();
        assert!(checkout::is_card_number(&number), "{number}");
        let secret = first.body["secret"].as_str().unwrap().to_owned();
        assert_eq!(secret.len(), 64);
        assert_eq!(first.body["program_id"], "mziuri");
        let skew = first.body["server_time"].as_i64().unwrap() - tessera_server::store::now_ms();
        assert!(skew.abs() < 60_000);
        let again = secret_of(&t, &phone, &card).await;
        assert_eq!(
            (
                again.body["secret"].as_str(),
                again.body["card_number"].as_str()
            ),
            (Some(secret.as_str()), Some(number.as_str()))
        );

        // The secret makes codes the core verifies.
        let key: [u8; 32] = hex::decode(&secret).unwrap().try_into().unwrap();
        let code = checkout::scanned_code(&CardSecret(key), "mziuri", &number, 100);
        assert_eq!(
            checkout::parse(&code)
                .unwrap()
                .verify(&CardSecret(key), "mziuri", 100),
            Ok(100)
        );

        // A second device: same card number, another secret.
        let tablet = t.login("codes@example.com", "correct horse battery").await;
        let tablet = tablet.body["token"].as_str().unwrap().to_owned();
        let other = secret_of(&t, &tablet, &card).await;
        assert_eq!(other.body["card_number"].as_str(), Some(number.as_str()));
        assert_ne!(other.body["secret"].as_str(), Some(secret.as_str()));

        // Logging out revokes that device's secret only.
        let r = t
            .post("/api/v1/auth/logout", Some(&phone), Value::Null)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let left: Vec<String> = sqlx::query("SELECT secret FROM card_secrets WHERE card_id = $1")
            .bind(&card)
            .fetch_all(t.state.store.pool_for_checks())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(
            left,
            vec![other.body["secret"].as_str().unwrap().to_owned()]
        );

        // Someone else's card is not found; no session is unauthenticated.
        let stranger = t.register("stranger@example.com").await;
        assert_eq!(
            secret_of(&t, &stranger, &card).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            secret_of(&t, &tablet, "no-such-card").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.post(
                &format!("/api/v1/cards/{card}/checkout-secret"),
                None,
                Value::Null
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
    })
    .await;
}
