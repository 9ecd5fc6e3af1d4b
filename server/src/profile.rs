//! The signed-in customer's own account (issue 16): who they are (`GET /me`), their details and
//! choices (`PATCH /me`, which answers with them as `GET /me/profile` shows them: name, phone,
//! language, marketing), the consent history, and changing the password.

use crate::accounts::{load_me, verify_customer};
use crate::auth::session::CustomerSession;
use crate::client_address::ClientAddress;
use crate::config::ProgramConfig;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::openapi::refusals::{refusals, SessionRefusals, JSON_BODY, PASSWORD_HASHING, SIGNED_IN};
use crate::state::AppState;
use crate::store::accounts::{self, ProfileUpdate};
use crate::store::{self, now_ms};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use tessera_core::api::{
    Consent, ConsentKind, Consents, ErrorCode, FieldError, LoginRequest, Me, PasswordChange,
    Profile, ProfileChange,
};
use tessera_core::validation::{normalize_phone, validate_password, validate_profile_change};

/// The longest consent history shown: years of changes for anyone but a script.
const CONSENTS_SHOWN: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me).patch(change))
        .route("/me/profile", get(profile))
        .route("/me/consents", get(consents))
        .route("/me/password", post(change_password))
}

/// The signed-in customer.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Me), SessionRefusals))]
pub async fn me(State(state): State<AppState>, session: CustomerSession) -> ApiResult<ApiJson<Me>> {
    Ok(ApiJson(load_me(&state, &session.customer_id).await?))
}

/// The customer `id`'s details as `GET /me/profile` shows them.
async fn load_profile(state: &AppState, id: &str) -> ApiResult<Profile> {
    let c = accounts::customer(&state.store, id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    Ok(Profile {
        display_name: c.display_name,
        phone: c.phone,
        preferred_language: c.preferred_language,
        marketing_opt_in: c.marketing_opt_in != 0,
    })
}

/// The customer's details and choices.
#[utoipa::path(get, path = "/api/v1/me/profile", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Profile), SessionRefusals))]
pub async fn profile(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<ApiJson<Profile>> {
    Ok(ApiJson(load_profile(&state, &session.customer_id).await?))
}

refusals! {
    ChangeRefusals = SIGNED_IN, JSON_BODY
}

/// Changes the customer's name, phone, language or marketing choice (each field given; the
/// others stay); a marketing choice that changes is kept in the consent history.
#[utoipa::path(patch, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    request_body = ProfileChange,
    responses((status = 200, body = Profile), ChangeRefusals))]
pub async fn change(
    State(state): State<AppState>,
    session: CustomerSession,
    ApiJson(change): ApiJson<ProfileChange>,
) -> ApiResult<ApiJson<Profile>> {
    let fields = validate_profile_change(&change);
    if !fields.is_empty() {
        return Err(ApiError::validation(fields));
    }
    let blank_is_none =
        |text: Option<String>| text.map(|t| Some(t.trim().to_owned()).filter(|t| !t.is_empty()));
    let update = ProfileUpdate {
        display_name: change.display_name.map(|name| name.trim().to_owned()),
        phone: blank_is_none(change.phone).map(|phone| phone.as_deref().and_then(normalize_phone)),
        preferred_language: blank_is_none(change.preferred_language),
        marketing_opt_in: change.marketing_opt_in,
    };
    let mut tx = state.store.transaction().await?;
    accounts::update_profile(&mut tx, &session.customer_id, &update, now_ms()).await?;
    store::commit(tx).await?;
    Ok(ApiJson(load_profile(&state, &session.customer_id).await?))
}

/// The customer's consent history, the newest first: Tessera's terms and each program's terms
/// accepted (with the version), and marketing given or withdrawn.
#[utoipa::path(get, path = "/api/v1/me/consents", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Consents), SessionRefusals))]
pub async fn consents(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<ApiJson<Consents>> {
    let rows =
        store::consents::of_customer(&state.store, &session.customer_id, CONSENTS_SHOWN).await?;
    let consents = rows
        .into_iter()
        .map(|row| Consent {
            kind: ConsentKind::parse(&row.kind),
            program_name: program_name(&state.config, row.program_id.as_deref()),
            program_id: row.program_id,
            version: row.version,
            granted: row.granted != 0,
            at: row.at,
        })
        .collect();
    Ok(ApiJson(Consents { consents }))
}

/// The name of program `id`, if it is still configured.
fn program_name(config: &ProgramConfig, id: Option<&str>) -> Option<String> {
    let id = id?;
    config
        .programs
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.name.clone())
}

refusals! {
    PasswordRefusals = SIGNED_IN, JSON_BODY, PASSWORD_HASHING, &[ErrorCode::InvalidCredentials]
}

/// Changes the password: the current one is checked (counted like a sign-in), and every other
/// session of the customer ends; this one stays signed in.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", security(("bearer" = [])),
    request_body = PasswordChange,
    responses((status = 204), PasswordRefusals))]
pub async fn change_password(
    State(state): State<AppState>,
    session: CustomerSession,
    ClientAddress(address): ClientAddress,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    if let Some(code) = validate_password(&req.new_password) {
        return Err(ApiError::validation(vec![FieldError {
            field: "new_password".into(),
            code,
        }]));
    }
    let me = load_me(&state, &session.customer_id).await?;
    let current = LoginRequest {
        email: me.email,
        password: req.current_password,
    };
    if verify_customer(&state, &address, current).await? != session.customer_id {
        return Err(ApiError::unauthenticated());
    }
    let hash = state
        .passwords
        .admit()?
        .hash(req.new_password)
        .await
        .map_err(ApiError::internal)?;
    let mut tx = state.store.transaction().await?;
    accounts::set_password(&mut tx, &session.customer_id, &hash).await?;
    store::sessions::delete_others(&mut tx, &session.customer_id, Some(&session.session_id))
        .await?;
    store::commit(tx).await?;
    Ok(StatusCode::NO_CONTENT)
}
