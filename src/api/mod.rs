//! The one HTTP client of the wallet and the cashier console: every request to `/api/v1` goes
//! through [`send`]. Its [`Realm`] picks the stored session whose token goes as
//! `Authorization: Bearer` and which a 401 ends (here, and nowhere else); error bodies become
//! [`ApiError`] and network failures [`ApiError::Network`], so screens only deal with typed results.

use gloo_net::http::{Method, RequestBuilder, Response};
use leptos::prelude::{
    set_timeout, use_context, window_event_listener_untyped, Effect, GetValue, LocalStorage,
    Notify as _, RwSignal, Set as _, StoredValue, Track as _, Trigger, Update as _,
    UpdateValue as _, With, WithUntracked,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::marker::PhantomData;
use std::time::Duration;
use tessera_core::api::{
    AcceptTerms, ApplyToProgram, AutoRenew, Card, CheckoutSecret, DeleteAccount, ErrorBody,
    ErrorCode, FieldError, HistoryPage, JoinClub, LoginRequest, Me, PasswordChange,
    PasswordResetConfirm, PasswordResetInfo, PasswordResetRequest, Profile, ProfileChange,
    ProgramTerms, RegisterRequest, SignedIn, Terms, VoucherWithCard, Wallet,
};
use web_sys::js_sys::encode_uri_component;
use web_sys::js_sys::Date;

use crate::session::{CUSTOMER, ENDED, TILL};

pub mod idempotency;

/// Where the API lives (same origin as the wallet).
pub const BASE: &str = "/api/v1";

/// Whose request it is: the customer's (the wallet) or the till's (the console). Each sends its
/// own session's token, and a 401 ends only its own session, so a customer signed in to the
/// wallet in the same browser as a till stays signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Realm {
    Customer,
    Till,
    /// A customer session logged out on this device that the server has not heard of yet.
    Ended,
}

impl Realm {
    fn token(self) -> Option<String> {
        match self {
            Realm::Customer => CUSTOMER.token(),
            Realm::Till => TILL.token(),
            Realm::Ended => ENDED.token(),
        }
    }

    /// Forgets the session on this device (signing out on purpose).
    fn forget(self) {
        match self {
            Realm::Customer => CUSTOMER.clear(),
            Realm::Till => TILL.clear(),
            Realm::Ended => ENDED.clear(),
        }
    }

    /// The server ended the session: forget it on this device, and the app follows.
    fn session_ended(self) {
        match self {
            Realm::Customer => CUSTOMER.end(),
            Realm::Till => TILL.end(),
            Realm::Ended => ENDED.end(),
        }
    }
}

/// Why a request failed, in terms a screen can show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: offline, server down, DNS. A till write may or may not have been applied, so it
    /// is retried with the same `Idempotency-Key`.
    Network,
    /// The server refused the request.
    Refused {
        /// HTTP status.
        status: u16,
        /// The body's code (or one from the status when the body was not an [`ErrorBody`]).
        code: ErrorCode,
        /// `Retry-After` seconds, when given (`rate_limited`, `too_many_attempts`, `server_busy`).
        retry_after: Option<u32>,
        /// The invalid fields of a `validation` error, each with its `FieldCode`.
        fields: Vec<FieldError>,
    },
}

impl ApiError {
    /// A refusal with only a code (for checks made before sending).
    pub fn refused(code: ErrorCode) -> Self {
        ApiError::Refused {
            status: 0,
            code,
            retry_after: None,
            fields: Vec::new(),
        }
    }

    /// The server's error code; `None` when no answer came.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Network => None,
            ApiError::Refused { code, .. } => Some(*code),
        }
    }

    /// Whether the session has ended (and was forgotten on this device).
    pub fn unauthenticated(&self) -> bool {
        self.code() == Some(ErrorCode::Unauthenticated)
    }

    /// The per-field problems (empty unless `validation`).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            ApiError::Refused { fields, .. } => fields,
            ApiError::Network => &[],
        }
    }

    /// The seconds to wait before trying again, when the server said.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            ApiError::Refused { retry_after, .. } => *retry_after,
            ApiError::Network => None,
        }
    }
}

/// One GET request's answer as a signal, for a screen: `None` until the first answer, then the
/// latest one, read as a `T`.
///
/// The signed-in customer's last good answer for the path is kept on the device
/// ([`crate::kept`]): it shows at once while the request runs (stale-while-revalidate) and stays
/// while the server cannot be reached, [`Remote::stale_since`] saying since when. Unanswered, the
/// request is sent again after 2, 4, 8 … 60 seconds, and at once when [`Wake`] rings (the browser
/// back online, the app back in front).
///
/// Used instead of `LocalResource`, whose async-derived machinery (Suspense and transition
/// support the wallet does not use) costs wasm per resource type: the same four screens on
/// `LocalResource` made the first load 253,441 bytes instead of 237,732 (`bench size`,
/// 2026-12-06), over its 240,000 budget. The answer is kept as the body's text and read as `T`
/// by [`Remote::get`], so the request, its retries, its keeping and its signal are compiled once
/// for every screen ([`Feed`]); only the reading is per type.
pub struct Remote<T> {
    feed: Feed,
    read_as: PhantomData<fn() -> T>,
}

impl<T> Clone for Remote<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Remote<T> {}

impl<T: DeserializeOwned> Remote<T> {
    /// Shows what is kept for `GET {BASE}{path}` and sends it at once, e.g.
    /// `Remote::<Wallet>::new("/wallet")`.
    pub fn new(path: impl Into<String>) -> Self {
        let remote = Self::idle(path);
        remote.start();
        remote
    }

    /// Like [`Remote::new`], but nothing is shown or sent until [`Remote::start`].
    pub fn idle(path: impl Into<String>) -> Self {
        Self {
            feed: Feed::new(path.into()),
            read_as: PhantomData,
        }
    }

    /// Shows what is kept and sends the request.
    pub fn start(&self) {
        self.feed.show_kept();
        self.feed.fetch();
    }

    /// Sends the request again; the current value stays until the answer arrives.
    pub fn refetch(&self) {
        self.feed.fetch();
    }

    /// The latest answer (tracked).
    pub fn get(&self) -> Option<Result<T, ApiError>> {
        self.feed.shown.with(read)
    }

    /// The latest answer (untracked).
    pub fn get_untracked(&self) -> Option<Result<T, ApiError>> {
        self.feed.shown.with_untracked(read)
    }

    /// When the answer shown came (device clock, unix ms), while the latest request for it got
    /// no answer (tracked); `None` when it is fresh or still being checked.
    pub fn stale_since(&self) -> Option<f64> {
        self.feed.shown.with(|shown| {
            shown
                .as_ref()
                .filter(|s| s.unanswered > 0 && s.body.is_ok())
                .map(|s| s.at)
        })
    }
}

/// What a [`Remote`] shows.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    /// The body, or why there is none.
    body: Result<String, ApiError>,
    /// When the body came (device clock, unix ms).
    at: f64,
    /// How many requests in a row got no answer since it came.
    unanswered: u32,
}

/// The app-wide signal that rings when the server may be reachable again (the browser's `online`
/// event, the app back in front): every [`Remote`] whose last request got no answer asks again.
/// Provided by [`crate::app::App`]; without it, only the timed retries run.
#[derive(Clone, Copy)]
pub struct Wake(pub Trigger);

impl Wake {
    /// Rings on the browser's `online` event and whenever the page is shown or hidden again (a
    /// stopped server does not change `navigator.onLine`, so coming back to the app counts too).
    pub fn listening() -> Self {
        let trigger = Trigger::new();
        for event in ["online", "visibilitychange"] {
            window_event_listener_untyped(event, move |_| trigger.notify());
        }
        Wake(trigger)
    }
}

/// The non-generic part of a [`Remote`]: one copy in the wasm for every screen.
#[derive(Clone, Copy)]
struct Feed {
    shown: RwSignal<Option<Shown>, LocalStorage>,
    path: StoredValue<String>,
    /// Counts requests sent, so that only the latest one's timed retry runs.
    sent: StoredValue<u32>,
}

impl Feed {
    fn new(path: String) -> Self {
        let feed = Feed {
            shown: RwSignal::new_local(None),
            path: StoredValue::new(path),
            sent: StoredValue::new(0),
        };
        if let Some(Wake(wake)) = use_context::<Wake>() {
            Effect::new(move |first: Option<()>| {
                wake.track();
                let unanswered = feed
                    .shown
                    .with_untracked(|s| s.as_ref().is_some_and(|s| s.unanswered > 0));
                if first.is_some() && unanswered {
                    feed.fetch();
                }
            });
        }
        feed
    }

    /// Shows the answer kept on the device, unless a fresher one came first.
    fn show_kept(self) {
        let Some(owner) = crate::kept::owner() else {
            return;
        };
        let path = self.path.get_value();
        leptos::task::spawn_local(async move {
            let Some(kept) = crate::kept::read(&owner, &path).await else {
                return;
            };
            let _ = self.shown.try_update(|shown| {
                let unanswered = match shown {
                    None => 0,
                    Some(Shown {
                        body: Err(ApiError::Network),
                        unanswered,
                        ..
                    }) => *unanswered,
                    Some(_) => return,
                };
                *shown = Some(Shown {
                    body: Ok(kept.body),
                    at: kept.at,
                    unanswered,
                });
            });
        });
    }

    /// `GET {BASE}{path}` into `shown`; kept on the device when it answers, sent again later
    /// when it does not.
    fn fetch(self) {
        let Some(sent) = self.sent.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        let path = self.path.get_value();
        leptos::task::spawn_local(async move {
            let result = request(Method::GET, &path, &[], None).await;
            let now = Date::now();
            let unanswered = match result {
                Ok(body) => {
                    // Shown first: the device's copy is for later.
                    self.shown.try_set(Some(Shown {
                        body: Ok(body.clone()),
                        at: now,
                        unanswered: 0,
                    }));
                    keep(&path, &body).await;
                    return;
                }
                // Keep what is shown (an earlier answer, or the kept one) and say since when.
                Err(ApiError::Network) => self.shown.try_update(|shown| match shown {
                    Some(s) if s.body.is_ok() => {
                        s.unanswered += 1;
                        s.unanswered
                    }
                    _ => {
                        let unanswered = shown.as_ref().map_or(0, |s| s.unanswered) + 1;
                        *shown = Some(Shown {
                            body: Err(ApiError::Network),
                            at: now,
                            unanswered,
                        });
                        unanswered
                    }
                }),
                Err(refused) => {
                    self.shown.try_set(Some(Shown {
                        body: Err(refused),
                        at: now,
                        unanswered: 0,
                    }));
                    return;
                }
            };
            // The screen is gone when `shown` is.
            let Some(unanswered) = unanswered else { return };
            let pause = Duration::from_secs((1u64 << unanswered.min(6)).min(60));
            set_timeout(
                move || {
                    if self.sent.try_get_value() == Some(sent) {
                        self.fetch();
                    }
                },
                pause,
            );
        });
    }
}

/// A [`Remote`]'s answer as `T`.
fn read<T: DeserializeOwned>(shown: &Option<Shown>) -> Option<Result<T, ApiError>> {
    shown.as_ref().map(|shown| match &shown.body {
        Ok(text) => decode(text),
        Err(error) => Err(error.clone()),
    })
}

/// A success body that is not what was asked for.
fn unreadable(status: u16) -> ApiError {
    ApiError::Refused {
        status,
        code: ErrorCode::Internal,
        retry_after: None,
        fields: Vec::new(),
    }
}

/// Sends a customer request and answers the body of a success, or the [`ApiError`].
///
/// Not generic: the request, its awaits and the error handling are compiled once, and only the
/// reading of each response type per type.
async fn request(
    method: Method,
    path: &str,
    query: &[(&str, &str)],
    body: Option<String>,
) -> Result<String, ApiError> {
    let response = send(Realm::Customer, method, path, query, body, None).await?;
    answer(Realm::Customer, response).await
}

/// The body of a success, or the [`ApiError`] of a refusal (in `realm`).
pub(crate) async fn answer(realm: Realm, response: Response) -> Result<String, ApiError> {
    if response.ok() {
        // A body cut off (the connection lost, or ANSWER_WITHIN passed) is no answer.
        return response.text().await.map_err(|_| ApiError::Network);
    }
    Err(refusal(realm, response).await)
}

/// A success body as `T`.
pub(crate) fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    crate::json::from_text(text).ok_or_else(|| unreadable(200))
}

/// A request body as JSON text.
pub(crate) fn encode<T: Serialize>(body: &T) -> Result<String, ApiError> {
    crate::json::to_text(body).ok_or(ApiError::Network)
}

/// The [`ApiError`] of an error response; a 401 ends `realm`'s session on this device.
pub(crate) async fn refusal(realm: Realm, response: Response) -> ApiError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.trim().parse::<u32>().ok());
    let body = response.text().await.ok();
    let (code, fields) = match body
        .as_deref()
        .and_then(crate::json::from_text::<ErrorBody>)
    {
        Some(body) => (body.error, body.fields),
        None => (status_code(status), Vec::new()),
    };
    if code == ErrorCode::Unauthenticated {
        realm.session_ended();
    }
    ApiError::Refused {
        status,
        code,
        retry_after,
        fields,
    }
}

/// The error code of a response without an [`ErrorBody`] (a proxy's page, say).
fn status_code(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::Unauthenticated,
        404 => ErrorCode::NotFound,
        429 => ErrorCode::RateLimited,
        503 => ErrorCode::ServerBusy,
        _ => ErrorCode::Internal,
    }
}

/// How long a request may take, its body included, before it counts as unanswered.
const ANSWER_WITHIN: Duration = Duration::from_secs(8);
/// How long a download (the customer's export) may take: a long history is megabytes.
const DOWNLOAD_WITHIN: Duration = Duration::from_secs(180);

/// Sends one request to `{BASE}{path}` through gloo-net with `realm`'s bearer token and, when
/// given, `query` parameters (encoded by gloo-net), a JSON body and an `Idempotency-Key`; any
/// failure to get a response, within [`ANSWER_WITHIN`], is [`ApiError::Network`]. Not generic: compiled once.
pub(crate) async fn send(
    realm: Realm,
    method: Method,
    path: &str,
    query: &[(&str, &str)],
    body: Option<String>,
    idempotency_key: Option<&str>,
) -> Result<Response, ApiError> {
    // A hanging network (weak signal, a server that accepts and says nothing) is no answer,
    // not a screen that waits forever: the request is aborted after ANSWER_WITHIN.
    let abort = web_sys::AbortController::new().ok();
    if let Some(abort) = abort.clone() {
        set_timeout(move || abort.abort(), ANSWER_WITHIN);
    }
    let mut request = RequestBuilder::new(&format!("{BASE}{path}"))
        .method(method)
        .header("Accept", "application/json")
        // The configured texts (programs, rewards, clubs) in the page's language.
        .header("Accept-Language", crate::i18n::chosen().as_str())
        .abort_signal(abort.map(|a| a.signal()).as_ref());
    if !query.is_empty() {
        request = request.query(query.iter().copied());
    }
    if let Some(token) = realm.token() {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    if let Some(key) = idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    let sent = match body {
        Some(body) => {
            let request = request
                .header("Content-Type", "application/json")
                .body(body)
                .map_err(|_| ApiError::Network)?;
            request.send().await
        }
        None => request.send().await,
    };
    sent.map_err(|_| ApiError::Network)
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(&request(Method::GET, path, &[], None).await?)
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    decode(&request(Method::POST, path, &[], Some(encode(body)?)).await?)
}

/// `POST /auth/lost-phone`: "I lost my phone" from the sign-in screen: every other session and
/// their checkout codes end, and this device is signed in.
pub async fn lost_phone(request: LoginRequest) -> Result<SignedIn, ApiError> {
    post("/auth/lost-phone", &request).await
}

/// `GET /auth/password-reset`: whether a password can be reset by e-mail here.
pub async fn password_reset_info() -> Result<PasswordResetInfo, ApiError> {
    get("/auth/password-reset").await
}

/// `POST /auth/password-reset`: a link to `email`, if it has an account (the answer says nothing
/// either way).
pub async fn ask_password_reset(email: String) -> Result<(), ApiError> {
    let body = encode(&PasswordResetRequest { email })?;
    request(Method::POST, "/auth/password-reset", &[], Some(body))
        .await
        .map(drop)
}

/// `POST /auth/password-reset/confirm`: the new password, with the link's token.
pub async fn confirm_password_reset(confirm: &PasswordResetConfirm) -> Result<(), ApiError> {
    let body = encode(confirm)?;
    request(
        Method::POST,
        "/auth/password-reset/confirm",
        &[],
        Some(body),
    )
    .await
    .map(drop)
}

/// `GET /terms`.
pub async fn terms() -> Result<Terms, ApiError> {
    get("/terms").await
}

/// `POST /auth/register`.
pub async fn register(request: &RegisterRequest) -> Result<SignedIn, ApiError> {
    post("/auth/register", request).await
}

/// `POST /auth/login`. By value: the sign-in form's action owns the request it sends.
pub async fn login(request: LoginRequest) -> Result<SignedIn, ApiError> {
    post("/auth/login", &request).await
}

/// Logs the customer out: the session is forgotten on this device at once, and the server is
/// told (`POST /auth/logout`) now or, when it cannot be reached, by a later [`tell_ended`].
pub fn logout() {
    if let Some(token) = CUSTOMER.token() {
        ENDED.save(&token);
    }
    // Forgotten, and the app told (the route guards then show sign in).
    CUSTOMER.end();
    wasm_bindgen_futures::spawn_local(async {
        let _ = tell_ended().await;
    });
}

/// Tells the server of a log-out it has not heard of (one made offline); the token stays on the
/// device ([`ENDED`]) until the server answers, whatever it says.
pub async fn tell_ended() -> Result<(), ApiError> {
    if ENDED.token().is_none() {
        return Ok(());
    }
    let response = send(Realm::Ended, Method::POST, "/auth/logout", &[], None, None).await?;
    Realm::Ended.forget();
    if response.ok() {
        Ok(())
    } else {
        Err(refusal(Realm::Ended, response).await)
    }
}

/// Tells the server of a log-out made offline ([`tell_ended`]) now and whenever `wake` rings.
pub fn tell_ended_on(wake: Wake) {
    Effect::new(move |_| {
        wake.0.track();
        leptos::task::spawn_local(async {
            let _ = tell_ended().await;
        });
    });
}

/// Ends `realm`'s session at `path`; the session is forgotten on this device whatever the
/// server says (even when it cannot be reached).
pub(crate) async fn sign_out(realm: Realm, path: &str) -> Result<(), ApiError> {
    let result = send(realm, Method::POST, path, &[], None, None).await;
    realm.forget();
    let response = result?;
    if response.ok() {
        Ok(())
    } else {
        Err(refusal(realm, response).await)
    }
}

/// `GET /me`.
pub async fn me() -> Result<Me, ApiError> {
    get("/me").await
}

/// The path of `GET /me/profile`, the customer's details and choices, for a [`Remote`].
pub const PROFILE_PATH: &str = "/me/profile";

/// `PATCH /me`: the customer's changed details, as the server keeps them.
pub async fn change_profile(change: &ProfileChange) -> Result<Profile, ApiError> {
    decode(&request(Method::PATCH, "/me", &[], Some(encode(change)?)).await?)
}

/// The path of `GET /me/consents`, the customer's consent history for a [`Remote`].
pub const CONSENTS_PATH: &str = "/me/consents";

/// `POST /me/password`: a new password (every other session ends).
pub async fn change_password(change: &PasswordChange) -> Result<(), ApiError> {
    request(Method::POST, "/me/password", &[], Some(encode(change)?))
        .await
        .map(drop)
}

/// The path of `GET /cards/{id}/terms`, the card's program terms, for a [`Remote`].
pub fn terms_path(card_id: &str) -> String {
    format!("{}/terms", card_path(card_id))
}

/// `POST /cards/{id}/terms`: the member accepts the program's terms `version`; the terms as
/// they stand after.
pub async fn accept_terms(card_id: &str, version: String) -> Result<ProgramTerms, ApiError> {
    let body = encode(&AcceptTerms { version })?;
    decode(&request(Method::POST, &terms_path(card_id), &[], Some(body)).await?)
}

/// The paths of the customer's export: everything, as JSON, and the ledger as CSV.
pub const EXPORT_PATH: &str = "/me/export";
pub const LEDGER_CSV_PATH: &str = "/me/export/ledger.csv";

/// A download of the customer's (`path`: [`EXPORT_PATH`], [`LEDGER_CSV_PATH`]) as the browser's
/// blob, kept out of the wasm's memory; it may take [`DOWNLOAD_WITHIN`].
pub async fn download(path: &str) -> Result<web_sys::Blob, ApiError> {
    // Not through `send`, whose ANSWER_WITHIN would cut a long download short (and whose every
    // caller would pay for one more parameter).
    let abort = web_sys::AbortController::new().map_err(|_| ApiError::Network)?;
    let signal = abort.signal();
    set_timeout(move || abort.abort(), DOWNLOAD_WITHIN);
    let token = Realm::Customer.token().unwrap_or_default();
    let response = RequestBuilder::new(&format!("{BASE}{path}"))
        .header("Authorization", &format!("Bearer {token}"))
        .abort_signal(Some(&signal))
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if !response.ok() {
        return Err(refusal(Realm::Customer, response).await);
    }
    let blob = web_sys::Response::from(response)
        .blob()
        .map_err(|_| ApiError::Network)?;
    wasm_bindgen_futures::JsFuture::from(blob)
        .await
        .map(wasm_bindgen::JsCast::unchecked_into)
        .map_err(|_| ApiError::Network)
}

/// The path of `GET /me/deletion`, what deleting the account would end, for a [`Remote`].
pub const DELETION_PATH: &str = "/me/deletion";

/// `POST /me/delete`: deletes the account; the session ends on this device too.
pub async fn delete_account(password: String) -> Result<(), ApiError> {
    let body = encode(&DeleteAccount { password })?;
    request(Method::POST, "/me/delete", &[], Some(body)).await?;
    Realm::Customer.session_ended();
    Ok(())
}

/// `GET /wallet`.
pub async fn wallet() -> Result<Wallet, ApiError> {
    get("/wallet").await
}

/// The path of `GET /cards/{id}`, for [`card`] or a [`Remote`].
pub fn card_path(id: &str) -> String {
    format!("/cards/{}", String::from(encode_uri_component(id)))
}

/// `GET /cards/{id}`: refused with `not_found` for an unknown card (or another
/// customer's).
pub async fn card(id: &str) -> Result<Card, ApiError> {
    get(&card_path(id)).await
}

/// The path of `GET /cards/{id}/history`.
pub fn history_path(id: &str) -> String {
    format!("{}/history", card_path(id))
}

/// `GET /cards/{id}/history`: the newest page without `cursor`, else the page after the one whose
/// `next_cursor` it is. The first page is kept on the device ([`crate::kept`]).
pub async fn history(id: &str, cursor: Option<&str>) -> Result<HistoryPage, ApiError> {
    let path = history_path(id);
    let query: Vec<(&str, &str)> = cursor.map(|c| ("cursor", c)).into_iter().collect();
    let body = request(Method::GET, &path, &query, None).await?;
    if cursor.is_none() {
        keep(&path, &body).await;
    }
    decode(&body)
}

/// The path of `GET /programs/{id}/rewards`, the catalog for a [`Remote`].
pub fn rewards_path(program_id: &str) -> String {
    format!(
        "/programs/{}/rewards",
        String::from(encode_uri_component(program_id))
    )
}

/// The path of `GET /vouchers`, the customer's vouchers for a [`Remote`].
pub const VOUCHERS_PATH: &str = "/vouchers";

/// `POST /programs/{id}/rewards/{reward}/redeem` with `key` as its `Idempotency-Key`: the
/// voucher, and the card after.
pub async fn redeem(
    program_id: &str,
    reward_id: &str,
    key: &str,
) -> Result<VoucherWithCard, ApiError> {
    let path = format!(
        "{}/{}/redeem",
        rewards_path(program_id),
        String::from(encode_uri_component(reward_id))
    );
    let response = send(Realm::Customer, Method::POST, &path, &[], None, Some(key)).await?;
    decode(&answer(Realm::Customer, response).await?)
}

/// `POST /vouchers/{id}/cancel`: the voucher cancelled, and the card with its points back.
pub async fn cancel_voucher(id: &str) -> Result<VoucherWithCard, ApiError> {
    let path = format!(
        "{VOUCHERS_PATH}/{}/cancel",
        String::from(encode_uri_component(id))
    );
    decode(&request(Method::POST, &path, &[], None).await?)
}

/// The path of `GET /cards/{id}/clubs`, the clubs of the card's program for a [`Remote`].
pub fn clubs_path(card_id: &str) -> String {
    format!("{}/clubs", card_path(card_id))
}

/// What the member asks of a club.
pub enum ClubAction<'a> {
    /// Join (open), pay the fees with points (paid), or apply (closed).
    Join(&'a JoinClub),
    /// One more period, with points.
    Renew,
    Leave,
    /// Renewal with points on the end date, on or off.
    AutoRenew(bool),
    /// A new invitation code.
    Invite,
}

/// The path of `GET /me/sessions`, the customer's sessions for a [`Remote`].
pub const SESSIONS_PATH: &str = "/me/sessions";

/// What the customer does with their sessions.
pub enum SessionAction {
    /// Sign the session `id` out.
    End(String),
    /// Sign every other session out.
    EndOthers,
    /// "I lost my phone": every other session out, and their checkout codes stopped.
    LostPhone,
}

/// One of the session writes (`DELETE /me/sessions/{id}`, `POST /me/sessions/end-others`,
/// `POST /me/lost-phone`). The answer is not read: the screen reads the list again.
pub async fn session_action(action: SessionAction) -> Result<(), ApiError> {
    let (method, path) = match action {
        SessionAction::End(id) => (
            Method::DELETE,
            format!(
                "{SESSIONS_PATH}/{}",
                String::from(encode_uri_component(&id))
            ),
        ),
        SessionAction::EndOthers => (Method::POST, format!("{SESSIONS_PATH}/end-others")),
        SessionAction::LostPhone => (Method::POST, "/me/lost-phone".to_owned()),
    };
    request(method, &path, &[], None).await.map(drop)
}

/// The path of `GET /programs/{id}/entry`, a closed program's entry for a [`Remote`].
pub fn entry_path(program_id: &str) -> String {
    format!(
        "/programs/{}/entry",
        String::from(encode_uri_component(program_id))
    )
}

/// One of the club writes (`POST /programs/{id}/clubs/{club}/join|renew|leave|invitations`,
/// `PUT .../auto-renew`), with `key` as the `Idempotency-Key` of those that pay. Not generic:
/// one function for all of them. The answer (the club and the card after it) is not read: the
/// screen reads the clubs again, so the module carries no reader of the whole card.
pub async fn club_action(
    program_id: &str,
    club_id: &str,
    action: ClubAction<'_>,
    key: Option<&str>,
) -> Result<(), ApiError> {
    let (method, name, body) = match action {
        ClubAction::Join(join) => (Method::POST, "join", Some(encode(join)?)),
        ClubAction::Renew => (Method::POST, "renew", None),
        ClubAction::Leave => (Method::POST, "leave", None),
        ClubAction::AutoRenew(on) => (Method::PUT, "auto-renew", Some(encode(&AutoRenew { on })?)),
        ClubAction::Invite => (Method::POST, "invitations", None),
    };
    let path = format!(
        "/programs/{}/clubs/{}/{name}",
        String::from(encode_uri_component(program_id)),
        String::from(encode_uri_component(club_id))
    );
    let response = send(Realm::Customer, method, &path, &[], body, key).await?;
    answer(Realm::Customer, response).await.map(drop)
}

/// What a customer asks of a closed program.
pub enum ProgramAction<'a> {
    /// Apply (`POST /programs/{id}/apply`, with an `Idempotency-Key`).
    Apply(&'a ApplyToProgram),
    /// A cardholder's new invitation code (`POST /programs/{id}/invitations`).
    Invite,
}

/// One of a closed program's writes, with `key` as the `Idempotency-Key` of an application. The
/// answer (the entry after it) is not read: the screen reads the entry again.
pub async fn program_action(
    program_id: &str,
    action: ProgramAction<'_>,
    key: Option<&str>,
) -> Result<(), ApiError> {
    let (name, body) = match action {
        ProgramAction::Apply(apply) => ("apply", Some(encode(apply)?)),
        ProgramAction::Invite => ("invitations", None),
    };
    let path = format!(
        "/programs/{}/{name}",
        String::from(encode_uri_component(program_id))
    );
    let response = send(Realm::Customer, Method::POST, &path, &[], body, key).await?;
    answer(Realm::Customer, response).await.map(drop)
}

/// Keeps `body` as the signed-in customer's last answer for `path`.
async fn keep(path: &str, body: &str) {
    if let Some(owner) = crate::kept::owner() {
        crate::kept::keep(&owner, path, body).await;
    }
}

/// `POST /cards/{id}/checkout-secret`: this session's secret for the card's checkout codes.
pub async fn checkout_secret(id: &str) -> Result<CheckoutSecret, ApiError> {
    let path = format!("{}/checkout-secret", card_path(id));
    decode(&request(Method::POST, &path, &[], None).await?)
}
