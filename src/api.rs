//! The wallet's one HTTP client: every request to `/api/v1` goes through here. It attaches the
//! stored session as `Authorization: Bearer`, decodes [`ErrorBody`] into [`ApiError`] and maps
//! network failures, so screens only ever deal with typed results.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::{de::DeserializeOwned, Serialize};
use tessera_core::api::{
    error_code, Card, ErrorBody, FieldError, LoginRequest, Me, RegisterRequest, Session, Terms,
    Wallet,
};

use crate::session;

/// Where the API lives (same origin as the wallet).
pub const BASE: &str = "/api/v1";

/// Why a request failed, in terms a screen can show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The server could not be reached (offline, server down, DNS, CORS...).
    Network,
    /// The session is missing, expired or ended. The stored token has been dropped.
    Unauthenticated,
    /// Too many attempts; `retry_after` seconds from the `Retry-After` header, when given.
    RateLimited {
        /// Seconds to wait.
        retry_after: Option<u32>,
    },
    /// Invalid fields (422 `validation`), each with a code from `tessera_core::validation::code`.
    Validation(Vec<FieldError>),
    /// Any other error the server described: `code` is one of `tessera_core::api::error_code`.
    Server {
        /// HTTP status.
        status: u16,
        /// The `error` code of the body (or `internal` when the body was not an [`ErrorBody`]).
        code: String,
    },
}

impl ApiError {
    /// The error code this error stands for, for [`crate::components::error_text`].
    pub fn code(&self) -> &str {
        match self {
            ApiError::Network => "network",
            ApiError::Unauthenticated => error_code::UNAUTHENTICATED,
            ApiError::RateLimited { .. } => error_code::RATE_LIMITED,
            ApiError::Validation(_) => error_code::VALIDATION,
            ApiError::Server { code, .. } => code,
        }
    }

    /// The per-field problems (empty unless [`ApiError::Validation`]).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            ApiError::Validation(fields) => fields,
            _ => &[],
        }
    }
}

/// Turns a response into `T` or an [`ApiError`].
async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response.json::<T>().await.map_err(|_| ApiError::Server {
            status,
            code: error_code::INTERNAL.into(),
        });
    }
    Err(error_from(response).await)
}

async fn error_from(response: Response) -> ApiError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.trim().parse::<u32>().ok());
    let body = response.json::<ErrorBody>().await.ok();
    let code = body
        .as_ref()
        .map(|b| b.error.clone())
        .unwrap_or_else(|| match status {
            401 => error_code::UNAUTHENTICATED.into(),
            404 => error_code::NOT_FOUND.into(),
            429 => error_code::RATE_LIMITED.into(),
            _ => error_code::INTERNAL.into(),
        });
    match code.as_str() {
        error_code::UNAUTHENTICATED => {
            session::clear();
            ApiError::Unauthenticated
        }
        error_code::RATE_LIMITED => ApiError::RateLimited { retry_after },
        error_code::VALIDATION => ApiError::Validation(body.map(|b| b.fields).unwrap_or_default()),
        _ => ApiError::Server { status, code },
    }
}

fn with_auth(builder: RequestBuilder) -> RequestBuilder {
    let builder = builder.header("Accept", "application/json");
    match session::token() {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let response = with_auth(Request::get(&format!("{BASE}{path}")))
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    decode(response).await
}

async fn send_json<B: Serialize>(path: &str, body: &B) -> Result<Response, ApiError> {
    with_auth(Request::post(&format!("{BASE}{path}")))
        .json(body)
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    decode(send_json(path, body).await?).await
}

/// `GET /terms`.
pub async fn terms() -> Result<Terms, ApiError> {
    get("/terms").await
}

/// `POST /auth/register`.
pub async fn register(request: &RegisterRequest) -> Result<Session, ApiError> {
    post("/auth/register", request).await
}

/// `POST /auth/login`.
pub async fn login(request: &LoginRequest) -> Result<Session, ApiError> {
    post("/auth/login", request).await
}

/// `POST /auth/logout`; the token is forgotten locally whatever the server says.
pub async fn logout() -> Result<(), ApiError> {
    let result = with_auth(Request::post(&format!("{BASE}/auth/logout")))
        .send()
        .await
        .map_err(|_| ApiError::Network);
    session::clear();
    let response = result?;
    if (200..300).contains(&response.status()) {
        Ok(())
    } else {
        Err(error_from(response).await)
    }
}

/// `GET /me`.
pub async fn me() -> Result<Me, ApiError> {
    get("/me").await
}

/// `GET /wallet`.
pub async fn wallet() -> Result<Wallet, ApiError> {
    get("/wallet").await
}

/// `GET /cards/{id}`.
pub async fn card(id: &str) -> Result<Card, ApiError> {
    get(&format!("/cards/{id}")).await
}
