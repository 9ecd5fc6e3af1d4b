//! Staff sign-in at the till: configured accounts, separate sessions, on both engines.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

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
