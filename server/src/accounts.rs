//! Customer accounts: joining (which enrols in open programs), signing in and out, and
//! what a new session answers with (the customer's own details: `crate::profile`).

use crate::auth::attempts::{Attempt, Realm};
use crate::auth::session::{self, CustomerSession};
use crate::auth::verify_sign_in;
use crate::cards;
use crate::client_address::{ClientAddress, ClientNet};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, UserAgent};
use crate::openapi::refusals::{refusals, SessionRefusals, SignInRefusals};
use crate::openapi::refusals::{JSON_BODY, PASSWORD_HASHING};
use crate::state::AppState;
use crate::store::accounts::{self, NewCustomer};
use crate::store::sessions::SessionKind;
use crate::store::{self, now_ms};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use tessera_core::api::{ErrorCode, LoginRequest, Me, RegisterRequest, SignedIn};
use tessera_core::validation::{normalize_email, normalize_phone, validate_registration};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
}

refusals! {
    RegisterRefusals = JSON_BODY, PASSWORD_HASHING, &[ErrorCode::EmailTaken]
}

/// Creates an account, enrols it in every open program and signs it in.
///
/// `rate_limited`: too many sign-ups from this address.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = SignedIn), RegisterRefusals))]
pub async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    UserAgent(user_agent): UserAgent,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, ApiJson<SignedIn>)> {
    let fields = validate_registration(&req, &state.config.terms.version);
    if !fields.is_empty() {
        return Err(ApiError::validation(fields));
    }
    // A place for the hash first, so a sign-up refused for load is not counted.
    let place = state.passwords.admit()?;
    let _counted = Attempt::sign_up(&address).take(&state.store).await?;
    let hash = place
        .hash(req.password.clone())
        .await
        .map_err(ApiError::internal)?;
    let customer = NewCustomer {
        email: normalize_email(&req.email),
        password_hash: hash,
        display_name: req.display_name.trim().to_owned(),
        phone: req.phone.as_deref().and_then(normalize_phone),
        terms_version: req.accepted_terms_version,
        marketing_opt_in: req.marketing_opt_in,
        preferred_language: req.preferred_language,
        is_demo: false,
    };
    let mut tx = state.store.transaction().await?;
    let Some(id) = accounts::insert(&mut tx, &customer, now_ms()).await? else {
        return Err(ApiError::new(
            ErrorCode::EmailTaken,
            "An account with this e-mail already exists. Sign in instead.",
        ));
    };
    cards::enrol_in_open_programs(&mut tx, &state.config, &id).await?;
    let new_session = session::create(&mut tx, state.sessions, &id, user_agent).await?;
    store::commit(tx).await?;
    Ok((
        StatusCode::CREATED,
        signed_in(&state, &id, new_session).await?,
    ))
}

/// Signs in with e-mail and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = SignedIn), SignInRefusals))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    UserAgent(user_agent): UserAgent,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<ApiJson<SignedIn>> {
    let id = verify_customer(&state, &address, req).await?;
    let mut tx = state.store.transaction().await?;
    let new_session = session::create(&mut tx, state.sessions, &id, user_agent).await?;
    store::commit(tx).await?;
    signed_in(&state, &id, new_session).await
}

/// The customer `req`'s e-mail and password sign in as: the attempt counted, the password
/// checked (`auth::verify_sign_in`). Signing in, and "I lost my phone" from the sign-in screen.
pub(crate) async fn verify_customer(
    state: &AppState,
    address: &ClientNet,
    req: LoginRequest,
) -> ApiResult<String> {
    let email = crate::auth::sign_in_email(&req.email)?;
    let attempt = Attempt::sign_in(Realm::Customer, &email, address);
    let account = async {
        Ok(accounts::credentials(&state.store, &email)
            .await?
            .map(|c| (c.id, c.password_hash)))
    };
    verify_sign_in(state, attempt, req.password, account).await
}

/// The answer to a sign-in: the new session and the customer.
pub(crate) async fn signed_in(
    state: &AppState,
    id: &str,
    new_session: session::NewSession,
) -> ApiResult<ApiJson<SignedIn>> {
    let (customer, preferred_language) = load_customer(state, id).await?;
    Ok(ApiJson(SignedIn {
        token: new_session.token,
        idle_expires_at: new_session.idle_expires_at,
        customer,
        preferred_language,
    }))
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), SessionRefusals))]
pub async fn logout(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<StatusCode> {
    store::sessions::delete(&state.store, SessionKind::Customer, &session.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The customer `id` as `GET /me` shows them (an account gone: the session is no more).
pub(crate) async fn load_me(state: &AppState, id: &str) -> ApiResult<Me> {
    Ok(load_customer(state, id).await?.0)
}

/// The customer `id` as `GET /me` shows them, and the language chosen on the account.
async fn load_customer(state: &AppState, id: &str) -> ApiResult<(Me, Option<String>)> {
    let c = accounts::customer(&state.store, id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let me = Me {
        id: c.id,
        email: c.email,
        display_name: c.display_name,
        phone: c.phone,
        marketing_opt_in: c.marketing_opt_in != 0,
        terms_version: c.terms_version,
        terms_accepted_at: c.terms_accepted_at,
        created_at: c.created_at,
    };
    Ok((me, c.preferred_language))
}
