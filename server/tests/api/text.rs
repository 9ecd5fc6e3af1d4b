//! Text that cannot be stored the same on both engines (NUL, other control characters,
//! bidirectional overrides) and ids that cannot exist: refused alike on SQLite and PostgreSQL,
//! always in the JSON error shape.

use crate::common::*;
use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_core::api::ErrorCode;

#[tokio::test]
async fn control_and_bidi_characters_in_a_sign_up_are_refused_naming_the_field() {
    each_engine(|t| async move {
        let cases = [
            ("display_name", "Ni\u{0}no"),
            ("display_name", "Nino\u{202E}gnp.exe"),
            ("display_name", "Ni\u{85}no"),
            ("display_name", "Ni\nno"),
            ("display_name", "Ni\u{2066}no"),
            ("email", "nul\u{0}@example.com"),
            ("phone", "+995\u{0}555123456"),
        ];
        for (field, value) in cases {
            let mut body = registration("clean@example.com");
            body[field] = json!(value);
            let r = t.join(body).await;
            assert_eq!(r.named_fields(), [field], "{value:?}");
        }
        let (stored,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
            .fetch_one(t.state.store.pool_for_checks())
            .await
            .unwrap();
        assert_eq!(stored, 0, "nothing is stored");
    })
    .await;
}

#[tokio::test]
async fn a_nul_in_a_sign_in_email_is_a_validation_error_at_both_sign_ins() {
    each_engine(|t| async move {
        for path in SIGN_IN_PATHS {
            let r = t
                .sign_in(path, "a\u{0}@example.com", "whatever it is")
                .await;
            assert_eq!(r.named_fields(), ["email"], "{path}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_id_that_cannot_exist_answers_like_an_unknown_one() {
    each_engine(|t| async move {
        let token = t.register("paths@example.com").await;
        for path in [
            "/api/v1/cards/%00",
            "/api/v1/cards/%FF",
            "/api/v1/cards/%C3%28",
            "/api/v1/cards/%00/history",
            "/api/v1/cards/%FF/history",
        ] {
            let r = t.get(path, Some(&token)).await;
            assert_eq!(
                r.refusal(),
                (StatusCode::NOT_FOUND, ErrorCode::NotFound),
                "{path}: {}",
                r.text
            );
        }
        let r = t
            .post(
                "/api/v1/cards/%00/checkout-secret",
                Some(&token),
                json!(null),
            )
            .await;
        assert_eq!(r.refusal(), (StatusCode::NOT_FOUND, ErrorCode::NotFound));
    })
    .await;
}

#[tokio::test]
async fn a_query_that_cannot_be_read_answers_in_the_json_shape() {
    each_engine(|t| async move {
        let (token, card) = t.customer("query@example.com").await;
        for query in ["cursor=%FF", "cursor=%00", "cursor=1&cursor=2"] {
            let req = request(
                Method::GET,
                &format!("/api/v1/cards/{card}/history?{query}"),
                Some(&token),
                Body::empty(),
                None,
            );
            let r = t.send(req).await;
            assert_eq!(
                r.refusal(),
                (StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery),
                "{query}"
            );
        }
    })
    .await;
}
