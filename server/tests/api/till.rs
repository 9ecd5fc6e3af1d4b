//! Staff sign-in at the till: configured accounts, separate sessions, on both engines.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::{json, Value};
use tessera_core::checkout::{self, CardSecret};

async fn till_login(t: &TestApp, email: &str, password: &str) -> Reply {
    t.post(
        "/api/v1/till/auth/login",
        None,
        json!({ "email": email, "password": password }),
    )
    .await
}

#[tokio::test]
async fn staff_sign_in_with_a_till_session_that_customers_tokens_are_not() {
    each_engine(|t| async move {
        let r = till_login(&t, "Till@Example.com", "tessera-till").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let till = r.body["token"].as_str().unwrap().to_owned();
        assert_eq!(r.body["staff"]["email"], "till@example.com");
        assert_eq!(r.body["staff"]["role"], "cashier");
        assert_eq!(r.body["staff"]["program_name"], "Mziuri Coffee");
        assert_eq!(r.body["staff"]["location"], "Vake Park");
        let me = t.get("/api/v1/till/me", Some(&till)).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body, r.body["staff"]);

        for (email, password) in [
            ("till@example.com", "wrong password!"),
            ("nobody@example.com", "tessera-till"),
        ] {
            let r = till_login(&t, email, password).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{email}");
            assert_eq!(r.error_code(), "invalid_credentials");
        }

        // Neither kind of token opens the other's endpoints.
        let customer = t.register("shopper@example.com").await;
        assert_eq!(
            t.get("/api/v1/till/me", Some(&customer)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            t.get("/api/v1/wallet", Some(&till)).await.status,
            StatusCode::UNAUTHORIZED
        );
        // A customer's password is not a till password.
        let r = till_login(&t, "shopper@example.com", "correct horse battery").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);

        let r = t
            .post("/api/v1/till/auth/logout", Some(&till), Value::Null)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(
            t.get("/api/v1/till/me", Some(&till)).await.status,
            StatusCode::UNAUTHORIZED
        );
    })
    .await;
}

/// A signed-in customer with a checkout secret: (customer token, card id, card number, secret).
async fn member(t: &TestApp, email: &str) -> (String, String, String, CardSecret) {
    let token = t.register(email).await;
    let wallet = t.get("/api/v1/wallet", Some(&token)).await;
    let card = wallet.body["cards"][0]["id"].as_str().unwrap().to_owned();
    let r = t
        .post(
            &format!("/api/v1/cards/{card}/checkout-secret"),
            Some(&token),
            Value::Null,
        )
        .await;
    let number = r.body["card_number"].as_str().unwrap().to_owned();
    let key: [u8; 32] = hex::decode(r.body["secret"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    (token, card, number, CardSecret(key))
}

async fn cashier(t: &TestApp) -> String {
    let r = till_login(t, "till@example.com", "tessera-till").await;
    r.body["token"].as_str().unwrap().to_owned()
}

async fn identify(t: &TestApp, till: &str, body: Value) -> Reply {
    t.post("/api/v1/till/identify", Some(till), body).await
}

fn now_step() -> i64 {
    checkout::step_at(tessera_server::db::now_ms())
}

#[tokio::test]
async fn a_code_identifies_its_member_once_and_every_refusal_says_why() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let (_, card, number, secret) = member(&t, "payer@example.com").await;
        let step = now_step();
        let code = |s: i64| checkout::scanned_code(&secret, "mziuri", &number, s);
        let refused = |r: &Reply, status: StatusCode, reason: &str| {
            assert_eq!((r.status, r.error_code()), (status, reason), "{}", r.text);
        };

        let ok = identify(&t, &till, json!({ "code": code(step) })).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        assert_eq!(ok.body["name"], "Nino");
        assert_eq!(ok.body["can_spend"], true);
        assert_eq!(ok.body["card"]["id"], card.as_str());
        assert_eq!(ok.body["card"]["balance"], 0);
        assert_eq!(ok.body["card"]["tier"]["name"], "Red");
        assert!(ok.body["ticket"].as_str().unwrap().len() >= 32);

        // The same code again, and an older one: used.
        refused(
            &identify(&t, &till, json!({ "code": code(step) })).await,
            StatusCode::CONFLICT,
            "code_used",
        );
        refused(
            &identify(&t, &till, json!({ "code": code(step - 1) })).await,
            StatusCode::CONFLICT,
            "code_used",
        );
        // The next step (a phone clock a little ahead) is still good, once.
        assert_eq!(
            identify(&t, &till, json!({ "code": code(step + 1) }))
                .await
                .status,
            StatusCode::OK
        );
        // A screenshot from minutes ago, a forged proof, not a code at all.
        refused(
            &identify(&t, &till, json!({ "code": code(step - 10) })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "code_stale",
        );
        let mut forged = code(step + 1);
        forged.replace_range(forged.len() - 4.., "AAAA");
        refused(
            &identify(&t, &till, json!({ "code": forged })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "code_invalid",
        );
        refused(
            &identify(&t, &till, json!({ "code": "hello" })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "code_malformed",
        );
        // A well-formed number no card has.
        let unknown = (0..1000)
            .map(checkout::card_number)
            .find(|n| *n != number)
            .unwrap();
        let stranger = checkout::scanned_code(&secret, "mziuri", &unknown, step);
        refused(
            &identify(&t, &till, json!({ "code": stranger })).await,
            StatusCode::NOT_FOUND,
            "card_unknown",
        );
        // Neither or both of code and phone.
        refused(
            &identify(&t, &till, json!({})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        );
        // Customers cannot identify.
        let customer = t.register("nosy@example.com").await;
        assert_eq!(
            identify(&t, &customer, json!({ "code": code(step) }))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );

        // A closed card.
        sqlx::query("UPDATE cards SET closed_at = 1 WHERE id = $1")
            .bind(&card)
            .execute(&t.state.db.pool)
            .await
            .unwrap();
        refused(
            &identify(&t, &till, json!({ "code": code(step + 1) })).await,
            StatusCode::FORBIDDEN,
            "card_closed",
        );
    })
    .await;
}

#[tokio::test]
async fn typed_codes_work_and_guessing_them_is_cut_off() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let (token, _, number, secret) = member(&t, "typist@example.com").await;
        let typed = checkout::typed_code(&secret, "mziuri", &number, now_step());
        let r = identify(&t, &till, json!({ "code": typed })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["can_spend"], true);

        // Five wrong guesses, then even a right code is refused for a while.
        for guess in 0..5 {
            let wrong = format!("{number}{:06}", (guess * 7919) % 1_000_000);
            let r = identify(&t, &till, json!({ "code": wrong })).await;
            assert_eq!(r.error_code(), "code_invalid", "{}", r.text);
        }
        let next = checkout::typed_code(&secret, "mziuri", &number, now_step() + 1);
        let r = identify(&t, &till, json!({ "code": next })).await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
        );
        assert!(r.headers.contains_key("retry-after"));

        // Logging out revokes the phone's secret: its codes stop working.
        t.post("/api/v1/auth/logout", Some(&token), Value::Null)
            .await;
        let scanned = checkout::scanned_code(&secret, "mziuri", &number, now_step() + 1);
        let r = identify(&t, &till, json!({ "code": scanned })).await;
        assert_eq!(r.error_code(), "code_invalid", "{}", r.text);
    })
    .await;
}

#[tokio::test]
async fn a_phone_number_identifies_for_earning_only() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        member(&t, "caller@example.com").await; // phone +995 555 12 34 56 (see registration())
        let r = identify(&t, &till, json!({ "phone": "+995 555 123 456" })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["can_spend"], false);
        let r = identify(&t, &till, json!({ "phone": "+995 599 000 000" })).await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::NOT_FOUND, "member_not_found")
        );
        // Two members sharing a number: neither is identified.
        t.register("spouse@example.com").await;
        let r = identify(&t, &till, json!({ "phone": "+995555123456" })).await;
        assert_eq!(r.error_code(), "member_not_found");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tills_scanning_the_same_code_at_once_one_wins() {
    each_engine(|t| async move {
        let (a, b) = (cashier(&t).await, cashier(&t).await);
        let (_, _, number, secret) = member(&t, "double@example.com").await;
        let code = checkout::scanned_code(&secret, "mziuri", &number, now_step());
        let body = json!({ "code": code });
        let (ra, rb) = tokio::join!(
            identify(&t, &a, body.clone()),
            identify(&t, &b, body.clone())
        );
        let mut statuses = [ra.status, rb.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{} / {}",
            ra.text,
            rb.text
        );
    })
    .await;
}
