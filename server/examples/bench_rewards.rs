//! `cargo xtask bench rewards`: redemptions per second of one reward with 32 concurrent
//! customers, on SQLite and on PostgreSQL, and the vouchers issued against its stock (they must
//! be equal: none oversold, none lost).
//!
//! Each engine gets a fresh database with the demo programs, the mug given a stock of `--stock`
//! (default 2000); 32 customers, each with points for far more than their share, redeem it
//! through the whole app (in-process, no TCP) until it is out of stock. PostgreSQL is the test
//! server (`$TESSERA_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`; a
//! database is created and dropped); without one that line says SKIPPED.

// Tests and benchmarks look at the tables directly (see clippy.toml).
#![allow(clippy::disallowed_methods)]

use axum::http::StatusCode;
use sqlx::Connection;
use std::sync::Arc;
use std::time::Instant;
use tessera_server::config::ProgramConfig;
use tessera_server::state::AppState;
use tessera_server::store::ledger::{self, Addition};
use tessera_server::store::now_ms;

mod support;
use support::{call_with_key, customer, flag, state_at};

const CUSTOMERS: usize = 32;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let stock = flag("--stock", 2_000)?;
    let text = include_str!("../../config/demo.toml")
        .replace("stock = 0\n", &format!("stock = {stock}\n"));
    let config = Arc::new(ProgramConfig::parse(&text).map_err(anyhow::Error::msg)?);

    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}/rewards.db", dir.path().display());
    run("sqlite", &sqlite, config.clone(), stock).await?;

    let admin = std::env::var("TESSERA_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    sqlx::any::install_default_drivers();
    match sqlx::AnyConnection::connect(&admin).await {
        Err(e) => println!("rewards, postgres: SKIPPED (no server at {admin}: {e})"),
        Ok(mut conn) => {
            let name = format!("tessera_bench_{}", tessera_server::store::new_id());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await?;
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            let result = run("postgres", &format!("{base}/{name}"), config, stock).await;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await?;
            result?;
        }
    }
    Ok(())
}

/// The run on one engine: prints the rate and the count of vouchers against the stock.
async fn run(
    engine: &str,
    url: &str,
    config: Arc<ProgramConfig>,
    stock: usize,
) -> anyhow::Result<()> {
    let state = state_at(url, config).await?;
    let app = tessera_server::app(state.clone());
    let cost = 900;
    let mut tokens = Vec::with_capacity(CUSTOMERS);
    for i in 0..CUSTOMERS {
        let (token, card) = customer(&app, &format!("r{i}@example.com")).await?;
        // Points for twice a fair share, so stock runs out before anyone's points.
        give(&state, &card, (2 * stock / CUSTOMERS + 2) as i64 * cost).await?;
        tokens.push(token);
    }

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let app = app.clone();
        tasks.spawn(async move {
            let mut issued = 0_usize;
            for attempt in 0.. {
                let path = "/api/v1/programs/mziuri/rewards/mug/redeem";
                let key = format!("bench-{i}-{attempt}");
                let (status, body) = call_with_key(&app, path, &token, &key).await?;
                match status {
                    StatusCode::CREATED => issued += 1,
                    StatusCode::CONFLICT if body["error"] == "out_of_stock" => break,
                    other => anyhow::bail!("redeem: {other} {body}"),
                }
            }
            Ok::<usize, anyhow::Error>(issued)
        });
    }
    let mut redeemed = 0;
    for issued in tasks.join_all().await {
        redeemed += issued?;
    }
    let seconds = started.elapsed().as_secs_f64();

    let vouchers: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM vouchers WHERE reward_id = 'mug'")
            .fetch_one(state.store.pool_for_checks())
            .await?;
    println!(
        "rewards, {engine}: {redeemed} redemptions in {seconds:.2} s: {:.0}/s ({CUSTOMERS} concurrent customers, one reward)",
        redeemed as f64 / seconds
    );
    let verdict = if vouchers == stock as i64 && redeemed == stock {
        "equal"
    } else {
        "NOT EQUAL"
    };
    println!("rewards, {engine}: vouchers issued {vouchers}, stock {stock}: {verdict}");
    anyhow::ensure!(verdict == "equal", "vouchers issued against stock differ");
    Ok(())
}

/// Gives the card `points` spendable now (a goodwill gift).
async fn give(state: &AppState, card: &str, points: i64) -> anyhow::Result<()> {
    let now = now_ms();
    let mut tx = state.store.pool_for_checks().begin().await?;
    let gift = Addition {
        kind: tessera_core::points::EntryKind::Adjusted,
        points,
        reason: "bench",
        reference: "bench",
        available_at: now - 1,
        expires_at: None,
        place: None,
        spend_minor: None,
    };
    ledger::add(&mut tx, card, &gift, now - 1)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    Ok(())
}
