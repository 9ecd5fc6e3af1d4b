//! The texts published to everyone, signed in or not: the terms a customer accepts when joining
//! (`GET /terms`) and the privacy notice (`GET /privacy`), from the configuration, each in the
//! language asked for (`?lang=`) where the configuration has it, else English.

use crate::extract::ApiJson;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tessera_core::api::{Privacy, Terms};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/terms", get(terms))
        .route("/privacy", get(privacy))
}

/// The fallback of every published text.
const FALLBACK: &str = "en";

/// `?lang=`: the language to show the text in.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Language {
    /// A language tag (`en`, `ka`, ...); without it, or without a text in it, English.
    pub lang: Option<String>,
}

impl Language {
    fn tag(&self) -> &str {
        self.lang.as_deref().unwrap_or(FALLBACK)
    }
}

/// The terms a new customer accepts.
#[utoipa::path(get, path = "/api/v1/terms", tag = "accounts", params(Language),
    responses((status = 200, body = Terms)))]
pub async fn terms(
    State(state): State<AppState>,
    query: Result<Query<Language>, QueryRejection>,
) -> ApiJson<Terms> {
    // A query that cannot be read asks for no language.
    let language = query.map(|Query(q)| q).unwrap_or_default();
    let t = &state.config.terms;
    ApiJson(Terms {
        version: t.version.clone(),
        updated: t.updated.clone(),
        url: t.url.clone(),
        text: t.text.get(language.tag(), FALLBACK).to_owned(),
    })
}

/// The privacy notice.
#[utoipa::path(get, path = "/api/v1/privacy", tag = "accounts", params(Language),
    responses((status = 200, body = Privacy)))]
pub async fn privacy(
    State(state): State<AppState>,
    query: Result<Query<Language>, QueryRejection>,
) -> ApiJson<Privacy> {
    let language = query.map(|Query(q)| q).unwrap_or_default();
    let p = &state.config.privacy;
    ApiJson(Privacy {
        version: p.version.clone(),
        updated: p.updated.clone(),
        text: p.text.get(language.tag(), FALLBACK).to_owned(),
    })
}
