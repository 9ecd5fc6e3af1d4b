//! What the benchmark examples share: an app state (SQLite, or any database URL) with the demo
//! programs, and requests through the whole app in-process.

// Each benchmark uses a part of this.
#![allow(dead_code)]
// Benchmarks write their histories straight into the tables (see clippy.toml).
#![allow(clippy::disallowed_methods)]

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use sqlx::Row;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use tessera_core::points::EntryKind;
use tessera_core::Money;
use tessera_server::auth::password::Passwords;
use tessera_server::config::{Program, ProgramConfig};
use tessera_server::purchases::{self, Purchase};
use tessera_server::state::{AppState, SessionPolicy};
use tessera_server::store::ledger::{self, Deduction};
use tessera_server::store::{now_ms, SqliteSync, Store};
use tower::ServiceExt;

/// The value of the command-line flag `name` (`--stock 500`), else `default`.
pub fn flag(name: &str, default: usize) -> anyhow::Result<usize> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => Ok(args
            .get(i + 1)
            .ok_or_else(|| anyhow::anyhow!("{name} needs a value"))?
            .parse()?),
        None => Ok(default),
    }
}

/// The demo configuration (programs and the demo cashier).
pub fn demo_config() -> anyhow::Result<Arc<ProgramConfig>> {
    let text = include_str!("../../../config/demo.toml");
    Ok(Arc::new(
        ProgramConfig::parse(text).map_err(anyhow::Error::msg)?,
    ))
}

/// An app state on a new SQLite file `file` in `dir`, with cheap password hashing.
pub async fn sqlite_state(
    dir: &tempfile::TempDir,
    file: &str,
    config: Arc<ProgramConfig>,
) -> anyhow::Result<AppState> {
    state_at(&format!("sqlite://{}/{file}", dir.path().display()), config).await
}

/// An app state on the database at `url` (SQLite or PostgreSQL), with cheap password hashing.
pub async fn state_at(url: &str, config: Arc<ProgramConfig>) -> anyhow::Result<AppState> {
    Ok(AppState {
        store: Store::connect(url, SqliteSync::Normal).await?,
        config,
        passwords: Passwords::for_tests(),
        sessions: SessionPolicy {
            idle_ms: 30 * 86_400_000,
        },
        wallet: None,
        trust_proxy_hops: 0,
        body_timeout: std::time::Duration::from_secs(30),
        exports: tessera_server::export::Exports::default(),
        mail: None,
    })
}

/// One request through the app: its status and JSON body (null when not JSON).
pub async fn call(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: String,
) -> anyhow::Result<(StatusCode, serde_json::Value)> {
    call_from(
        app,
        SocketAddr::from(([127, 0, 0, 1], 40_000)),
        method,
        path,
        token,
        body,
    )
    .await
}

/// [`call`] from a client at `address`.
pub async fn call_from(
    app: &Router,
    address: SocketAddr,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: String,
) -> anyhow::Result<(StatusCode, serde_json::Value)> {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let mut req = req
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))?;
    req.extensions_mut().insert(ConnectInfo(address));
    let res = app.clone().oneshot(req).await?;
    let status = res.status();
    let bytes = res.into_body().collect().await?.to_bytes();
    Ok((status, serde_json::from_slice(&bytes).unwrap_or_default()))
}

/// A `POST` with no body and an `Idempotency-Key` through the app: its status and JSON body.
pub async fn call_with_key(
    app: &Router,
    path: &str,
    token: &str,
    key: &str,
) -> anyhow::Result<(StatusCode, serde_json::Value)> {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("idempotency-key", key)
        .body(Body::empty())?;
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
    let res = app.clone().oneshot(req).await?;
    let status = res.status();
    let bytes = res.into_body().collect().await?.to_bytes();
    Ok((status, serde_json::from_slice(&bytes).unwrap_or_default()))
}

/// [`call`] that must succeed; returns the body.
pub async fn call_ok(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: String,
) -> anyhow::Result<serde_json::Value> {
    let (status, json) = call(app, method, path, token, body).await?;
    anyhow::ensure!(status.is_success(), "{path}: {status} {json}");
    Ok(json)
}

/// Registers a customer, each from an address of its own as customers join (sign-ups are
/// limited per address); returns the session token and the card id.
pub async fn customer(app: &Router, email: &str) -> anyhow::Result<(String, String)> {
    static JOINED: AtomicU32 = AtomicU32::new(0);
    let n = JOINED.fetch_add(1, Ordering::Relaxed).to_be_bytes();
    let address = SocketAddr::from(([10, n[1], n[2], n[3]], 40_000));
    let body = serde_json::json!({
        "email": email, "password": "a long enough password", "display_name": "Bench",
        "accepted_terms_version": "2026-11-01",
    });
    let (status, session) = call_from(
        app,
        address,
        Method::POST,
        "/api/v1/auth/register",
        None,
        body.to_string(),
    )
    .await?;
    anyhow::ensure!(
        status.is_success(),
        "/api/v1/auth/register: {status} {session}"
    );
    let token = session["token"].as_str().unwrap_or_default().to_owned();
    let wallet = call_ok(
        app,
        Method::GET,
        "/api/v1/wallet",
        Some(&token),
        String::new(),
    )
    .await?;
    let card = wallet["cards"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok((token, card))
}

const DAY: i64 = 86_400_000;

/// Gives a card `entries` ledger entries spread over five years up to an hour ago: purchases
/// (with their expiry entries) and, every fourth, a small spend.
pub async fn fill(
    state: &AppState,
    program: &Program,
    card: &str,
    entries: i64,
) -> anyhow::Result<()> {
    let pool = state.store.pool_for_checks();
    let start = now_ms() - 5 * 365 * DAY;
    let step = (5 * 365 * DAY - DAY / 24) / entries.max(1);
    let mut i = 0;
    // Setup, not measured: many purchases a transaction.
    let mut tx = pool.begin().await?;
    loop {
        if i % 200 == 199 {
            tx.commit().await?;
            tx = pool.begin().await?;
        }
        let seq: i64 = sqlx::query("SELECT entry_seq FROM cards WHERE id = $1")
            .bind(card)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if seq >= entries {
            tx.commit().await?;
            return Ok(());
        }
        let at = start + i * step;
        let reference = format!("bench-{i}");
        if i % 4 == 3 {
            let spend = Deduction {
                kind: EntryKind::Spent,
                points: 5,
                reason: "bench",
                reference: &reference,
                place: None,
            };
            // Refused when the balance is short; the purchases keep it topped up.
            let _ = ledger::take(&mut tx, card, &spend, at).await;
        } else {
            let purchase = Purchase {
                card_id: card,
                amount: Money::new(1_000 + (i * 37) % 4_000, program.currency),
                points: 0,
                voucher: None,
                reference: &reference,
                place: Some("Bench"),
                partner: None,
                reference_is_new: false,
            };
            purchases::record(&mut tx, program, &purchase, at)
                .await
                .map_err(|e| anyhow::anyhow!("purchase: {e:?}"))?;
        }
        i += 1;
    }
}

/// The value of the command-line flag `name` (`--server PATH`), if given.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1).cloned()
}

/// A field of `/proc/<pid>/status` in bytes (`VmRSS`, `VmHWM`).
pub fn proc_status(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: u64 = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .ok_or_else(|| anyhow::anyhow!("no {field} in /proc/{pid}/status"))?
        .parse()?;
    Ok(kib * 1024)
}
