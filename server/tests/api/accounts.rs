use crate::common::*;
use axum::http::{header, StatusCode};
use serde_json::json;
use tessera_core::api::{ErrorCode, FieldCode, Terms};

#[tokio::test]
async fn joining_signs_in_and_records_consent() {
    each_engine(|t| async move {
        let mut body = registration("Nino@Example.GE");
        body["marketing_opt_in"] = json!(true);
        let r = t.join(body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let token = r.body["token"].as_str().unwrap();
        assert_eq!(token.len(), 43, "256-bit base64url token");
        assert!(r.body["idle_expires_at"].as_i64().unwrap() > 0);

        let me = t.get("/api/v1/me", Some(token)).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["email"], "nino@example.ge");
        assert_eq!(me.body["display_name"], "Nino");
        assert_eq!(me.body["phone"], "+995555123456");
        assert_eq!(me.body["terms_version"], TERMS);
        assert_eq!(me.body["marketing_opt_in"], true);
        assert!(me.body["terms_accepted_at"].as_i64().unwrap() > 0);
    })
    .await;
}

#[tokio::test]
async fn passwords_and_tokens_are_stored_only_hashed() {
    each_engine(|t| async move {
        let token = t.register("hash@example.com").await;
        let (hash,): (String,) =
            sqlx::query_as("SELECT password_hash FROM customers WHERE email = $1")
                .bind("hash@example.com")
                .fetch_one(t.state.store.pool_for_checks())
                .await
                .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM sessions")
            .fetch_all(t.state.store.pool_for_checks())
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0].0, token);
        assert_eq!(stored[0].0, tessera_server::auth::token::token_hash(&token));
    })
    .await;
}

#[tokio::test]
async fn a_taken_email_is_a_conflict_whatever_its_case() {
    each_engine(|t| async move {
        t.register("taken@example.com").await;
        let r = t.join(registration(" TAKEN@example.com ")).await;
        assert_eq!(r.refusal(), (StatusCode::CONFLICT, ErrorCode::EmailTaken));
    })
    .await;
}

#[tokio::test]
async fn invalid_fields_are_each_named() {
    each_engine(|t| async move {
        let r = t
            .join(json!({
                "email": "not-an-email", "password": "short", "display_name": "",
                "accepted_terms_version": "1999-01-01"
            }))
            .await;
        assert_eq!(
            r.named_fields(),
            [
                "email",
                "password",
                "display_name",
                "accepted_terms_version"
            ]
        );
        let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
            .fetch_one(t.state.store.pool_for_checks())
            .await
            .unwrap();
        assert_eq!(count.0, 0, "nothing is stored");
    })
    .await;
}

#[tokio::test]
async fn sign_in_works_and_bad_credentials_look_the_same() {
    each_engine(|t| async move {
        t.register("login@example.com").await;
        let ok = t.login("LOGIN@example.com", "correct horse battery").await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        let token = ok.body["token"].as_str().unwrap();
        assert_eq!(
            t.get("/api/v1/me", Some(token)).await.status,
            StatusCode::OK
        );

        let wrong = t.login("login@example.com", "wrong password!").await;
        let unknown = t.login("nobody@example.com", "correct horse battery").await;
        for r in [&wrong, &unknown] {
            assert_eq!(
                r.refusal(),
                (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
            );
        }
        assert_eq!(
            wrong.body, unknown.body,
            "no hint whether the account exists"
        );
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_for_one_email_are_limited_with_retry_after() {
    each_engine(|t| async move {
        t.register("victim@example.com").await;
        for _ in 0..5 {
            let r = t.login("victim@example.com", "guess guess guess").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        // Even the right password is refused while the limit holds.
        let r = t.login("victim@example.com", "correct horse battery").await;
        assert_eq!(
            r.refusal(),
            (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            "{}",
            r.text
        );
        let retry: u64 = r.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry), "{retry}");
    })
    .await;
}

#[tokio::test]
async fn one_address_trying_many_emails_is_limited() {
    each_engine(|t| async move {
        for i in 0..30 {
            let r = t
                .login(&format!("spray{i}@example.com"), "guess guess guess")
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        let r = t.login("spray-next@example.com", "guess guess guess").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);

        // The limit is counted in the database: a second server on it sees the same count.
        let other_server = tessera_server::app(t.state.clone());
        let again = TestApp {
            app: other_server,
            ..t
        };
        let r = again
            .login("spray-other@example.com", "guess guess guess")
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    })
    .await;
}

#[tokio::test]
async fn logout_ends_the_session_and_only_that_session() {
    each_engine(|t| async move {
        let first = t.register("out@example.com").await;
        let second = t.login("out@example.com", "correct horse battery").await;
        let second = second.body["token"].as_str().unwrap().to_owned();
        let r = t.post("/api/v1/auth/logout", Some(&first), json!({})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = t.get("/api/v1/me", Some(&first)).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated)
        );
        assert_eq!(
            t.get("/api/v1/me", Some(&second)).await.status,
            StatusCode::OK
        );
    })
    .await;
}

#[tokio::test]
async fn missing_garbage_and_expired_sessions_are_refused() {
    let setup = Setup {
        session_idle_ms: 50,
        ..Setup::default()
    };
    each_engine_with(setup, |t| async move {
        for token in [None, Some("garbage"), Some("")] {
            let r = t.get("/api/v1/wallet", token).await;
            assert_eq!(
                r.refusal(),
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated),
                "{token:?}"
            );
        }
        let token = t.register("idle@example.com").await;
        tokio::time::sleep(std::time::Duration::from_millis(120)).await;
        let r = t.get("/api/v1/me", Some(&token)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "idle session expired");
    })
    .await;
}

#[tokio::test]
async fn terms_are_published_for_the_join_screen() {
    each_engine(|t| async move {
        let terms: Terms = t.get("/api/v1/terms", None).await.decode(StatusCode::OK);
        assert_eq!(terms.version, TERMS);
        assert_eq!(terms.updated, "2026-11-01");
    })
    .await;
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    each_engine(|t| async move {
        let token = t.register("scheme@example.com").await;
        for scheme in ["bearer", "BEARER", "Bearer"] {
            let req = axum::http::Request::builder()
                .uri("/api/v1/me")
                .header(header::AUTHORIZATION, format!("{scheme} {token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            assert_eq!(t.send(req).await.status, StatusCode::OK, "{scheme}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_sign_in_email_longer_than_any_account_is_refused_as_too_long() {
    each_engine(|t| async move {
        // Not repetitive, so PostgreSQL cannot compress it into an index entry.
        let long: String = (0..1_000).map(|i| format!("{i}")).collect();
        let email = format!("{long}@example.com");
        for path in SIGN_IN_PATHS {
            let r = t.sign_in(path, &email, "whatever it is").await;
            assert_eq!(r.invalid_fields()[0].code, FieldCode::TooLong, "{path}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_email_that_lengthens_when_lower_cased_still_signs_in() {
    each_engine(|t| async move {
        // 254 characters as typed (the most an e-mail may have), 255 once lower-cased.
        let email = format!("\u{130}{}@example.com", "a".repeat(241));
        assert_eq!(email.chars().count(), 254);
        t.register(&email).await;
        let r = t.login(&email, "correct horse battery").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    })
    .await;
}
