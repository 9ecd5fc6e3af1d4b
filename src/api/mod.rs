//! The wallet's one HTTP client: every request to `/api/v1` goes through here. It attaches the
//! stored session as `Authorization: Bearer`, decodes [`ErrorBody`] into [`ApiError`] and maps
//! network failures, so screens only ever deal with typed results.

use json::{FromJs, ToJs};
use leptos::prelude::{Get, GetUntracked, RwSignal, Set as _};
use std::future::Future;
use tessera_core::api::{
    error_code, Card, ErrorBody, FieldError, HistoryPage, LoginRequest, Me, RegisterRequest,
    Session, Terms, Wallet,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{encode_uri_component, JSON};
use web_sys::{Headers, RequestInit, Response};

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

/// One request's result as a signal, for a screen: `None` until the first answer, then the
/// latest one (kept while [`Remote::refetch`] asks again).
///
/// Used instead of `LocalResource`, whose async-derived machinery (Suspense and transition
/// support the wallet does not use) costs several KB of wasm per resource type.
pub struct Remote<T: Send + Sync + 'static, F> {
    value: RwSignal<Option<Result<T, ApiError>>>,
    fetch: F,
}

impl<T: Send + Sync + 'static, F: Copy> Clone for Remote<T, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static, F: Copy> Copy for Remote<T, F> {}

impl<T, F, Fut> Remote<T, F>
where
    T: Clone + Send + Sync + 'static,
    F: Fn() -> Fut + Copy + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    /// Starts the request at once, e.g. `Remote::new(api::wallet)`.
    pub fn new(fetch: F) -> Self {
        let this = Self {
            value: RwSignal::new(None),
            fetch,
        };
        this.refetch();
        this
    }

    /// Sends the request again; the current value stays until the answer arrives.
    pub fn refetch(&self) {
        let Self { value, fetch } = *self;
        leptos::task::spawn_local(async move {
            let result = fetch().await;
            // The screen may be gone by now; then the answer is dropped.
            let _ = value.try_set(Some(result));
        });
    }

    /// The latest answer (tracked).
    pub fn get(&self) -> Option<Result<T, ApiError>> {
        self.value.get()
    }

    /// The latest answer (untracked).
    pub fn get_untracked(&self) -> Option<Result<T, ApiError>> {
        self.value.get_untracked()
    }
}

/// The response body as `T` (`None` if it could not be read or is not a `T`).
async fn json<T: FromJs>(response: &Response) -> Option<T> {
    let value = JsFuture::from(response.json().ok()?).await.ok()?;
    T::from_js(&value)
}

/// `value` as JSON text.
pub(crate) fn to_json<T: ToJs>(value: &T) -> Option<String> {
    JSON::stringify(&value.to_js()).ok()?.as_string()
}

/// Parses JSON text into `T`.
pub(crate) fn from_json<T: FromJs>(text: &str) -> Option<T> {
    T::from_js(&JSON::parse(text).ok()?)
}

/// Turns a response into `T` or an [`ApiError`].
async fn decode<T: FromJs>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return json::<T>(&response).await.ok_or_else(|| ApiError::Server {
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
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u32>().ok());
    let body = json::<ErrorBody>(&response).await;
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

/// Sends one request to `{BASE}{path}` with the stored session's bearer token and, when given,
/// a JSON body; any failure to get a response is [`ApiError::Network`].
async fn fetch(method: &str, path: &str, body: Option<String>) -> Result<Response, ApiError> {
    let headers = Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("Accept", "application/json");
    if let Some(token) = session::token() {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let response = JsFuture::from(window.fetch_with_str_and_init(&format!("{BASE}{path}"), &init))
        .await
        .map_err(|_| ApiError::Network)?;
    response.dyn_into().map_err(|_| ApiError::Network)
}

async fn get<T: FromJs>(path: &str) -> Result<T, ApiError> {
    decode(fetch("GET", path, None).await?).await
}

async fn post<B: ToJs, T: FromJs>(path: &str, body: &B) -> Result<T, ApiError> {
    let body = to_json(body).ok_or(ApiError::Network)?;
    decode(fetch("POST", path, Some(body)).await?).await
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
    let result = fetch("POST", "/auth/logout", None).await;
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

/// `GET /cards/{id}`: [`ApiError::Server`] with `not_found` for an unknown card (or another
/// customer's).
pub async fn card(id: &str) -> Result<Card, ApiError> {
    get(&format!(
        "/cards/{}",
        String::from(encode_uri_component(id))
    ))
    .await
}

/// `GET /cards/{id}/history`: the newest page without `cursor`, else the page after the one whose
/// `next_cursor` it is. The cursor is opaque, hence encoded.
pub async fn history(id: &str, cursor: Option<&str>) -> Result<HistoryPage, ApiError> {
    let mut path = format!("/cards/{}/history", String::from(encode_uri_component(id)));
    if let Some(cursor) = cursor {
        path.push_str("?cursor=");
        path.push_str(&String::from(encode_uri_component(cursor)));
    }
    get(&path).await
}

mod json;
