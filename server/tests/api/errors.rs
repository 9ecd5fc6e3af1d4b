use crate::common::*;
use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_core::api::ErrorCode;

#[tokio::test]
async fn health_answers_when_the_database_does() {
    each_engine(|t| async move {
        let r = t.get("/api/v1/health", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["status"], "ok");
    })
    .await;
}

#[tokio::test]
async fn malformed_json_is_a_400_with_a_json_error() {
    each_engine(|t| async move {
        let r = t
            .post_raw("/api/v1/auth/register", None, "{\"email\": ")
            .await;
        assert_eq!(
            r.refusal(),
            (StatusCode::BAD_REQUEST, ErrorCode::MalformedJson)
        );
        assert!(!r.body["message"].as_str().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn missing_fields_and_wrong_types_are_422() {
    each_engine(|t| async move {
        let missing = t
            .post("/api/v1/auth/login", None, json!({ "email": "a@b.co" }))
            .await;
        assert_eq!(
            missing.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidBody)
        );
        assert!(missing.body["message"]
            .as_str()
            .unwrap()
            .contains("password"));

        let mut wrong = registration("types@example.com");
        wrong["marketing_opt_in"] = json!("yes please");
        let r = t.join(wrong).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidBody)
        );
    })
    .await;
}

#[tokio::test]
async fn a_body_without_json_content_type_is_415() {
    each_engine(|t| async move {
        let req = request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Body::from(r#"{"email":"a@b.co","password":"x"}"#),
            Some("text/plain"),
        );
        let r = t.send(req).await;
        assert_eq!(
            r.refusal(),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType
            )
        );
    })
    .await;
}

#[tokio::test]
async fn a_huge_body_is_refused_and_nothing_is_stored() {
    each_engine(|t| async move {
        let mut big = registration("big@example.com");
        big["display_name"] = json!("x".repeat(tessera_server::BODY_LIMIT_BYTES + 1));
        let r = t.join(big).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BodyTooLarge)
        );
        let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
            .fetch_one(t.state.store.pool_for_checks())
            .await
            .unwrap();
        assert_eq!(count.0, 0);
    })
    .await;
}

#[tokio::test]
async fn unknown_api_paths_and_methods_answer_json() {
    each_engine(|t| async move {
        let r = t.get("/api/v1/nothing-here", None).await;
        assert_eq!(r.refusal(), (StatusCode::NOT_FOUND, ErrorCode::NotFound));
        let r = t.get("/api/v1/auth/login", None).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed)
        );
        assert_eq!(r.headers["cache-control"], "no-store");
    })
    .await;
}

#[tokio::test]
async fn the_openapi_description_covers_every_endpoint() {
    each_engine(|t| async move {
        let r = t.get("/api/v1/openapi.json", None).await;
        assert_eq!(r.status, StatusCode::OK);
        let paths = r.body["paths"].as_object().unwrap();
        for p in [
            "/api/v1/health",
            "/api/v1/terms",
            "/api/v1/auth/register",
            "/api/v1/auth/login",
            "/api/v1/auth/logout",
            "/api/v1/me",
            "/api/v1/wallet",
            "/api/v1/cards/{id}",
            "/api/v1/till/phone-lookup",
            "/api/v1/till/purchases",
            "/api/v1/till/vouchers/check",
            "/api/v1/programs/{id}/rewards",
            "/api/v1/programs/{id}/rewards/{reward}/redeem",
            "/api/v1/vouchers",
            "/api/v1/vouchers/{id}/cancel",
        ] {
            assert!(paths.contains_key(p), "missing {p}");
        }
        let schemas = &r.body["components"]["schemas"];
        assert!(schemas["RegisterRequest"].is_object());
        // Every error code is in the schema by the name it is sent by.
        let codes = schemas["ErrorCode"]["enum"]
            .as_array()
            .expect("ErrorCode's names");
        for code in ErrorCode::ALL {
            assert!(codes.contains(&code.as_str().into()), "{code}");
        }
    })
    .await;
}
