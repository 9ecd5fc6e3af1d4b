//! Tessera's server: the JSON API under `/api/v1`, storage, and the built wallet.
//!
//! [`app`] builds the whole HTTP application from an [`AppState`], apart from `main`, so tests
//! drive it in-process with `tower::ServiceExt::oneshot`.

pub mod account_deletion;
pub mod accounts;
pub mod auth;
pub mod calendar;
pub mod card_status;
pub mod cards;
pub mod checkout;
pub mod client_address;
pub mod clubs;
pub mod config;
pub mod connections;
pub mod demo;
pub mod error;
pub mod export;
pub mod extract;
pub mod health;
pub mod housekeeping;
pub mod jobs;
pub mod mail;
pub mod openapi;
pub mod password_reset;
pub mod profile;
pub mod program_entry;
pub mod published;
pub mod purchases;
pub mod rewards;
pub mod sessions;
pub mod state;
pub mod store;
pub mod till;
pub mod typed_code;
pub mod wallet_files;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use error::ApiError;
use state::AppState;
use tessera_core::api::ErrorCode;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

/// Request bodies larger than this are refused with 413: every API body is a small form.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health::health))
        .route(
            "/openapi.json",
            get(|| async { axum::Json(openapi::ApiDoc::openapi()) }),
        )
        .merge(published::router())
        .merge(accounts::router())
        .merge(cards::router())
        .merge(checkout::router())
        .merge(till::router())
        .merge(rewards::router())
        .merge(clubs::router())
        .merge(program_entry::router())
        .merge(sessions::router())
        .merge(profile::router())
        .merge(export::router())
        .merge(account_deletion::router())
        .merge(password_reset::router())
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                ErrorCode::MethodNotAllowed,
                "This method is not allowed here.",
            )
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(middleware::from_fn(refuse_declared_oversize))
        // Personal data must not be kept by browsers or proxies.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    let csp = state
        .wallet
        .as_ref()
        .map_or(wallet_files::API_ONLY_CSP.to_owned(), |w| w.csp.clone());
    let state_body_timeout = state.body_timeout;
    let mut router = Router::new().nest("/api/v1", api);
    if let Some(wallet) = &state.wallet {
        router = router.merge(wallet.router());
    }
    router
        .with_state(state)
        // A bug that panics answers its request with our 500 (headers below included) instead
        // of dropping the connection.
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a request handler panicked").into_response()
        }))
        .layer(CompressionLayer::new())
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::try_from(csp).expect("CSP is a valid header value"),
        ))
        .layer(security_header(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(security_header(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(security_header(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(security_header(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(security_header(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(self), microphone=(), geolocation=(), payment=()"),
        ))
        // A body that stops arriving ends with an error after this long without a frame (the
        // API's JSON bodies are also bounded as a whole, see `extract::ApiJson`).
        .layer(RequestBodyTimeoutLayer::new(state_body_timeout))
        .layer(TraceLayer::new_for_http())
}

/// A body declared larger than [`BODY_LIMIT_BYTES`] is refused before any of it is read.
async fn refuse_declared_oversize(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT_BYTES as u64) {
        return ApiError::body_too_large().into_response();
    }
    next.run(req).await
}

fn security_header(name: HeaderName, value: HeaderValue) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, value)
}
