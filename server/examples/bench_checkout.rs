//! `cargo xtask bench checkout`: the till's budgets, measured on SQLite in one run.
//!
//! - checkout codes verified per second on the server (native, one core);
//! - the storage floor: the work of a till purchase (idempotency claim, ticket, purchase service,
//!   card read, stored response: `till::operations::record_purchase`) called directly by 32
//!   concurrent tasks, without HTTP, in purchases per second;
//! - till purchases over real HTTP (a TCP listener on 127.0.0.1, 32 keep-alive connections), per
//!   second and their p99 latency, and `till ratio` = HTTP rate / storage floor (budget: ratio at
//!   least 0.7, p99 under 25 ms).
//!
//! The two alternate in rounds, so a slow spell of this shared machine, and the database growing,
//! weigh on both alike; the rates are over all rounds and the p99 over every HTTP purchase.
//!
//! Codes generated per second in the browser are measured with the wallet's code screen (issue 4).
//! Flags: `--purchases N` (each phase of a round, default 4000), `--rounds N` (default 4),
//! `--members N` (default 200).

// Tests and benchmarks look at the tables directly (see clippy.toml).
#![allow(clippy::disallowed_methods)]

use axum::http::{Method, StatusCode};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tessera_core::api::TillPurchaseRequest;
use tessera_core::checkout::{self, CardSecret};
use tessera_server::state::AppState;
use tessera_server::store::now_ms;
use tessera_server::till::operations::record_purchase;
use tessera_server::till::session::TillSession;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

mod support;
use support::{call_ok, customer, demo_config, flag, sqlite_state};

const CONCURRENCY: usize = 32;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let purchases = flag("--purchases", 4_000)?;
    let rounds = flag("--rounds", 4)?.max(1);
    let members = flag("--members", 200)?;
    verify_rate();

    let dir = tempfile::tempdir()?;
    let state = sqlite_state(&dir, "checkout.db", demo_config()?).await?;
    let app = tessera_server::app(state.clone());

    // A cashier, and members each identified by a checkout code (one ticket each).
    let login = serde_json::json!({ "email": "till@example.com", "password": "tessera-till" });
    let till_token = call_ok(
        &app,
        Method::POST,
        "/api/v1/till/auth/login",
        None,
        login.to_string(),
    )
    .await?["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut tickets = Vec::with_capacity(members);
    for i in 0..members {
        let (token, card) = customer(&app, &format!("m{i}@example.com")).await?;
        let secret = call_ok(
            &app,
            Method::POST,
            &format!("/api/v1/cards/{card}/checkout-secret"),
            Some(&token),
            String::new(),
        )
        .await?;
        let key: [u8; 32] = hex::decode(secret["secret"].as_str().unwrap_or_default())?
            .try_into()
            .map_err(|_| anyhow::anyhow!("secret length"))?;
        let number = secret["card_number"].as_str().unwrap_or_default();
        let code = checkout::scanned_code(
            &CardSecret(key),
            "mziuri",
            number,
            checkout::step_at(now_ms()),
        );
        let member = call_ok(
            &app,
            Method::POST,
            "/api/v1/till/identify",
            Some(&till_token),
            serde_json::json!({ "code": code }).to_string(),
        )
        .await?;
        tickets.push(member["ticket"].as_str().unwrap_or_default().to_owned());
    }
    let tickets = Arc::new(tickets);

    let till = till_session(&state, &till_token).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let (mut floor_time, mut http_time) = (Duration::ZERO, Duration::ZERO);
    let mut latencies = Vec::with_capacity(rounds * purchases);
    let mut spread = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let floor = storage_floor(&state, &till, tickets.clone(), round, purchases).await?;
        let (http, round_latencies) =
            over_http(address, &till_token, tickets.clone(), round, purchases).await?;
        floor_time += floor;
        http_time += http;
        latencies.extend(round_latencies);
        spread.push(format!(
            "{:.0}/{:.0}",
            purchases as f64 / floor.as_secs_f64(),
            purchases as f64 / http.as_secs_f64()
        ));
    }
    let total = (rounds * purchases) as f64;
    let (floor, rate) = (
        total / floor_time.as_secs_f64(),
        total / http_time.as_secs_f64(),
    );
    latencies.sort_unstable();
    // The latency below which the fraction `q` of HTTP purchases took, in milliseconds.
    let ms_at = |q: f64| {
        let i = ((latencies.len() as f64 * q) as usize).min(latencies.len() - 1);
        latencies[i].as_secs_f64() * 1e3
    };
    println!("storage floor: {floor:.0} purchases/s ({CONCURRENCY} concurrent, no HTTP)");
    println!(
        "till purchases over HTTP: {rate:.0}/s, p99 {:.2} ms ({CONCURRENCY} connections)",
        ms_at(0.99)
    );
    println!(
        "till ratio: {:.2} (budget at least 0.7; p99 budget under 25 ms)",
        rate / floor
    );
    println!(
        "rounds (floor/HTTP purchases per s, {purchases} each): {}",
        spread.join(", ")
    );
    println!(
        "till latency over HTTP: p50 {:.2} ms, p90 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms",
        ms_at(0.5),
        ms_at(0.9),
        ms_at(0.999),
        ms_at(1.0)
    );
    Ok(())
}

fn verify_rate() {
    let secret = CardSecret([7; 32]);
    let number = checkout::card_number(123_456_789);
    let step = checkout::step_at(now_ms());
    let code = checkout::scanned_code(&secret, "mziuri", &number, step);
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..1_000 {
            let claim = checkout::parse(std::hint::black_box(&code)).expect("a code");
            assert!(claim.verify(&secret, "mziuri", step).is_ok());
        }
        n += 1_000;
    }
    println!(
        "codes verified per second (server, one core): {:.0}",
        n as f64 / start.elapsed().as_secs_f64()
    );
}

/// The till session of `till_token`, as the floor's direct calls need it.
async fn till_session(state: &AppState, till_token: &str) -> anyhow::Result<TillSession> {
    let session_id: String =
        sqlx::query_scalar::<_, String>("SELECT id FROM till_sessions WHERE token_hash = $1")
            .bind(tessera_server::auth::token::token_hash(till_token))
            .fetch_one(state.store.pool_for_checks())
            .await?;
    Ok(TillSession {
        session_id,
        staff: state
            .config
            .staff("till@example.com")
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no demo cashier"))?,
    })
}

/// `total` purchases by 32 concurrent tasks calling the till's purchase work directly: how long
/// they took.
async fn storage_floor(
    state: &AppState,
    till: &TillSession,
    tickets: Arc<Vec<String>>,
    round: usize,
    total: usize,
) -> anyhow::Result<Duration> {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (state, till, tickets, next) =
            (state.clone(), till.clone(), tickets.clone(), next.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<(), anyhow::Error>(());
                }
                let req = TillPurchaseRequest {
                    ticket: tickets[i % tickets.len()].clone(),
                    amount_minor: 350 + (i as i64 % 900),
                    points: 0,
                    voucher: None,
                };
                let key = format!("floor-{round}-{i}");
                let response = record_purchase(&state, &till, &key, &req)
                    .await
                    .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
                anyhow::ensure!(
                    response.status() == StatusCode::CREATED,
                    "floor: {}",
                    response.status()
                );
            }
        });
    }
    for result in tasks.join_all().await {
        result?;
    }
    Ok(start.elapsed())
}

/// One keep-alive HTTP/1.1 request: status and elapsed time.
async fn post(
    conn: &mut BufReader<tokio::net::TcpStream>,
    token: &str,
    key: &str,
    body: &str,
) -> anyhow::Result<u16> {
    let request = format!(
        "POST /api/v1/till/purchases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Idempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.get_mut().write_all(request.as_bytes()).await?;
    let mut line = String::new();
    conn.read_line(&mut line).await?;
    let status: u16 = line.split(' ').nth(1).unwrap_or("0").parse()?;
    let mut length = 0usize;
    loop {
        line.clear();
        conn.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse()?;
            }
        }
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body).await?;
    Ok(status)
}

/// `total` purchases over HTTP on 32 keep-alive connections to `address`: how long they took,
/// and each one's latency.
async fn over_http(
    address: SocketAddr,
    till_token: &str,
    tickets: Arc<Vec<String>>,
    round: usize,
    total: usize,
) -> anyhow::Result<(Duration, Vec<Duration>)> {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (tickets, next, token) = (tickets.clone(), next.clone(), till_token.to_owned());
        tasks.spawn(async move {
            let mut conn = BufReader::new(tokio::net::TcpStream::connect(address).await?);
            conn.get_mut().set_nodelay(true)?;
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let body = serde_json::json!({ "ticket": tickets[i % tickets.len()], "amount_minor": 350 + (i % 900) }).to_string();
                let t = Instant::now();
                let status = post(&mut conn, &token, &format!("http-{round}-{i}"), &body).await?;
                latencies.push(t.elapsed());
                anyhow::ensure!(status == 201, "purchase over HTTP: {status}");
            }
        });
    }
    let mut latencies = Vec::with_capacity(total);
    for result in tasks.join_all().await {
        latencies.extend(result?);
    }
    Ok((start.elapsed(), latencies))
}
