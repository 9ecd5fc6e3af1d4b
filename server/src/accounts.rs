//! Customer accounts: the terms, joining (which enrols in open programs), signing in and out, and
//! the signed-in customer.

use crate::auth::attempts::{Attempt, Realm};
use crate::auth::session::{self, CustomerSession};
use crate::auth::verify_sign_in;
use crate::cards;
use crate::client_address::ClientAddress;
use crate::db::{is_unique_violation, new_id, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use sqlx::Row;
use tessera_core::api::{error_code, ErrorBody, LoginRequest, Me, RegisterRequest, Session, Terms};
use tessera_core::validation::{normalize_email, normalize_phone, validate_registration};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/terms", get(terms))
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
}

/// The terms a new customer accepts.
#[utoipa::path(get, path = "/api/v1/terms", tag = "accounts",
    responses((status = 200, body = Terms)))]
pub async fn terms(State(state): State<AppState>) -> ApiJson<Terms> {
    let t = &state.config.terms;
    ApiJson(Terms {
        version: t.version.clone(),
        updated: t.updated.clone(),
        url: t.url.clone(),
    })
}

/// Creates an account, enrols it in every open program and signs it in.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = Session), (status = 409, body = ErrorBody, description = "email_taken"),
        (status = 422, body = ErrorBody, description = "validation or invalid_body"),
        (status = 400, body = ErrorBody, description = "malformed_json"),
        (status = 429, body = ErrorBody, description = "rate_limited: too many sign-ups from this address, with Retry-After"),
        (status = 503, body = ErrorBody, description = "server_busy, with Retry-After")))]
pub async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, ApiJson<Session>)> {
    let fields = validate_registration(&req, &state.config.terms.version);
    if !fields.is_empty() {
        return Err(ApiError::validation(fields));
    }
    // A place for the hash first, so a sign-up refused for load is not counted.
    let place = state.passwords.admit()?;
    let _counted = Attempt::sign_up(&address).take(&state.db).await?;
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
        is_demo: false,
    };
    let mut tx = state.db.pool.begin().await?;
    let id = match insert_customer(&mut tx, &customer).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                error_code::EMAIL_TAKEN,
                "An account with this e-mail already exists. Sign in instead.",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    cards::enrol_in_open_programs(&mut tx, &state.config, &id).await?;
    let new_session = session::create(&mut *tx, state.sessions, &id).await?;
    tx.commit().await?;
    let me = load_me(&state, &id).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(Session {
            token: new_session.token,
            idle_expires_at: new_session.idle_expires_at,
            customer: me,
        }),
    ))
}

/// Signs in with e-mail and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody, description = "invalid_credentials"),
        (status = 422, body = ErrorBody, description = "validation: the e-mail holds forbidden characters"),
        (status = 429, body = ErrorBody, description = "rate_limited, with Retry-After"),
        (status = 503, body = ErrorBody, description = "server_busy, with Retry-After")))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<ApiJson<Session>> {
    let email = crate::auth::sign_in_email(&req.email)?;
    let attempt = Attempt::sign_in(Realm::Customer, &email, &address);
    let account = async {
        let row = sqlx::query("SELECT id, password_hash FROM customers WHERE email = $1")
            .bind(&email)
            .fetch_optional(&state.db.pool)
            .await?;
        Ok(match row {
            Some(r) => Some((r.try_get::<String, _>("id")?, r.try_get("password_hash")?)),
            None => None,
        })
    };
    let id = verify_sign_in(&state, attempt, req.password, account).await?;
    let new_session = session::create(&state.db.pool, state.sessions, &id).await?;
    Ok(ApiJson(Session {
        token: new_session.token,
        idle_expires_at: new_session.idle_expires_at,
        customer: load_me(&state, &id).await?,
    }))
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<StatusCode> {
    session::delete(&state.db, &session.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in customer.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, session: CustomerSession) -> ApiResult<ApiJson<Me>> {
    Ok(ApiJson(load_me(&state, &session.customer_id).await?))
}

async fn load_me(state: &AppState, id: &str) -> ApiResult<Me> {
    let r = sqlx::query(
        "SELECT id, email, display_name, phone, marketing_opt_in, terms_version, terms_accepted_at, created_at
         FROM customers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or_else(ApiError::unauthenticated)?;
    Ok(Me {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        display_name: r.try_get("display_name")?,
        phone: r.try_get("phone")?,
        marketing_opt_in: r.try_get::<i64, _>("marketing_opt_in")? != 0,
        terms_version: r.try_get("terms_version")?,
        terms_accepted_at: r.try_get("terms_accepted_at")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A customer about to be stored (by joining, or by the demo loader).
pub struct NewCustomer {
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub terms_version: String,
    pub marketing_opt_in: bool,
    pub is_demo: bool,
}

/// Inserts a customer and returns the new id; a taken e-mail is a unique violation.
pub async fn insert_customer(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    c: &NewCustomer,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO customers (id, email, password_hash, display_name, phone, terms_version,
             terms_accepted_at, marketing_opt_in, marketing_updated_at, is_demo, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&c.email)
    .bind(&c.password_hash)
    .bind(&c.display_name)
    .bind(c.phone.as_deref())
    .bind(&c.terms_version)
    .bind(now)
    .bind(i64::from(c.marketing_opt_in))
    .bind(now)
    .bind(i64::from(c.is_demo))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}
