//! `cargo xtask bench ledger`: the ledger's budgets, measured on SQLite in one run.
//!
//! (a) `GET /api/v1/wallet` for a customer with 10 entries and one with 100,000 (written through
//!     the purchase service and the ledger, like real activity over five years), requests
//!     interleaved, through the whole app in-process (router, session check, queries; no TCP):
//!     the medians and `wallet ratio` = heavy / light (budget 1.5).
//! (b) 1,000,000 point lots written through `ledger::add` (10,000 cards x 100 lots, one
//!     transaction per card) and then expired by the expiry job's pass (`settle_due`):
//!     both times and `expiry ratio` = expire / write (budget 2).
//!
//! Flags: `--entries N`, `--requests N`, `--lots N` (multiples of 100), `--skip-wallet`, `--skip-expiry`.

// Tests and benchmarks look at the tables directly (see clippy.toml).
#![allow(clippy::disallowed_methods)]

use axum::http::{Method, StatusCode};
use sqlx::Row;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tessera_core::points::EntryKind;
use tessera_server::config::ProgramConfig;
use tessera_server::store::ledger::{self, Addition};
use tessera_server::store::{new_id, now_ms};

mod support;
use support::{call, customer, demo_config, fill, sqlite_state};

const DAY: i64 = 86_400_000;

struct Args {
    entries: i64,
    requests: usize,
    lots: i64,
    wallet: bool,
    expiry: bool,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        entries: 100_000,
        requests: 1_000,
        lots: 1_000_000,
        wallet: true,
        expiry: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || -> anyhow::Result<i64> {
            Ok(it
                .next()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?
                .parse()?)
        };
        match flag.as_str() {
            "--entries" => a.entries = value()?,
            "--requests" => a.requests = value()? as usize,
            "--lots" => a.lots = value()?,
            "--skip-wallet" => a.wallet = false,
            "--skip-expiry" => a.expiry = false,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let dir = tempfile::tempdir()?;
    let config = demo_config()?;
    if args.wallet {
        wallet_latency(&dir, config.clone(), &args).await?;
    }
    if args.expiry {
        expiry_pass(&dir, &config, args.lots).await?;
    }
    Ok(())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

async fn wallet_latency(
    dir: &tempfile::TempDir,
    config: Arc<ProgramConfig>,
    args: &Args,
) -> anyhow::Result<()> {
    let state = sqlite_state(dir, "wallet.db", config).await?;
    let app = tessera_server::app(state.clone());
    let program = state.config.programs[0].clone();
    let (light_token, light_card) = customer(&app, "light@example.com").await?;
    let (heavy_token, heavy_card) = customer(&app, "heavy@example.com").await?;
    fill(&state, &program, &light_card, 10).await?;
    let t = Instant::now();
    fill(&state, &program, &heavy_card, args.entries).await?;
    eprintln!(
        "(wrote {} entries in {:.1} s)",
        args.entries,
        t.elapsed().as_secs_f64()
    );

    let mut light = Vec::with_capacity(args.requests);
    let mut heavy = Vec::with_capacity(args.requests);
    for round in 0..args.requests + 50 {
        // Interleaved, so both see the same machine conditions.
        for (token, samples) in [(&light_token, &mut light), (&heavy_token, &mut heavy)] {
            let t = Instant::now();
            let (status, _) = call(
                &app,
                Method::GET,
                "/api/v1/wallet",
                Some(token),
                String::new(),
            )
            .await?;
            let elapsed = t.elapsed();
            anyhow::ensure!(status == StatusCode::OK, "wallet: {status}");
            if round >= 50 {
                samples.push(elapsed);
            }
        }
    }
    let (light, heavy) = (median(light), median(heavy));
    println!(
        "wallet median, 10 entries: {:.3} ms",
        light.as_secs_f64() * 1e3
    );
    println!(
        "wallet median, {} entries: {:.3} ms",
        args.entries,
        heavy.as_secs_f64() * 1e3
    );
    println!(
        "wallet ratio: {:.2} (budget 1.5)",
        heavy.as_secs_f64() / light.as_secs_f64()
    );
    state.store.pool_for_checks().close().await;
    Ok(())
}

async fn expiry_pass(
    dir: &tempfile::TempDir,
    config: &ProgramConfig,
    lots: i64,
) -> anyhow::Result<()> {
    const PER_CARD: i64 = 100;
    let state = sqlite_state(dir, "expiry.db", Arc::new(config.clone())).await?;
    let pool = state.store.pool_for_checks();
    let cards = (lots / PER_CARD).max(1);
    // Customers and cards straight into the tables: only the lots are being measured.
    let mut ids = Vec::with_capacity(cards as usize);
    let mut tx = pool.begin().await?;
    for i in 0..cards {
        let (customer, card) = (new_id(), new_id());
        sqlx::query(
            "INSERT INTO customers (id, email, password_hash, display_name, terms_version, terms_accepted_at,
                 marketing_opt_in, marketing_updated_at, created_at)
             VALUES ($1, $2, 'x', 'Bench', 'v', 0, 0, 0, 0)",
        )
        .bind(&customer)
        .bind(format!("c{i}@example.com"))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO cards (id, customer_id, program_id, balance, terms_version, enrolled_at)
             VALUES ($1, $2, 'mziuri', 0, 'v', 0)",
        )
        .bind(&card)
        .bind(&customer)
        .execute(&mut *tx)
        .await?;
        ids.push(card);
    }
    tx.commit().await?;

    // A year of earning per card: lots expiring at twelve month ends.
    let start = now_ms() - 400 * DAY;
    let t = Instant::now();
    for card in &ids {
        let mut tx = pool.begin().await?;
        for j in 0..PER_CARD {
            let at = start + j * 3 * DAY;
            let reference = format!("lot-{j}");
            let addition = Addition {
                kind: EntryKind::Earned,
                points: 10,
                reason: "bench",
                reference: &reference,
                available_at: at,
                expires_at: Some(start + 400 * DAY + (j / 9) * 30 * DAY),
                place: None,
                spend_minor: None,
            };
            ledger::add(&mut tx, card, &addition, at)
                .await
                .map_err(|e| anyhow::anyhow!("add: {e:?}"))?;
        }
        tx.commit().await?;
    }
    let write = t.elapsed();

    let after = start + 800 * DAY;
    let t = Instant::now();
    let mut settled = 0;
    loop {
        let n = tessera_server::jobs::settle_due(&state.store, after, 500)
            .await
            .map_err(|e| anyhow::anyhow!("settle: {e:?}"))?;
        settled += n;
        if n < 500 {
            break;
        }
    }
    let expire = t.elapsed();
    let left: i64 =
        sqlx::query("SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM point_lots")
            .fetch_one(pool)
            .await?
            .try_get(0)?;
    let balances: i64 = sqlx::query("SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM cards")
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    anyhow::ensure!(
        left == 0 && balances == 0,
        "after expiry: {left} points in lots, {balances} in balances"
    );
    anyhow::ensure!(
        settled as i64 == cards,
        "settled {settled} of {cards} cards"
    );
    let written = cards * PER_CARD;
    println!("lots written: {written} in {:.1} s", write.as_secs_f64());
    println!(
        "lots expired: {written} in {:.1} s ({settled} cards)",
        expire.as_secs_f64()
    );
    println!(
        "expiry ratio: {:.2} (budget 2)",
        expire.as_secs_f64() / write.as_secs_f64()
    );
    Ok(())
}
