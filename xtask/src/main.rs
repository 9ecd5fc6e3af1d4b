//! `cargo xtask`: the project's own commands, so a fresh machine needs nothing but Rust.
//!
//! - `run`: install missing tools, build the wallet (release), start the server with the demo.
//! - `test`: everything CI runs: fmt, clippy, core and server tests, wallet component tests in
//!   headless Chromium, and the Playwright end-to-end tests against the release server.
//! - `bench size`: the wallet's first-load size (gzip -9 of the JS, wasm and CSS it loads).
//! - `bench ledger`: wallet latency with a short and a long history, and the expiry pass against
//!   writing the lots it expires (`server/examples/bench_ledger.rs`).
//! - `bench checkout`: code verification rate, till purchases over HTTP against the same work
//!   without HTTP (`server/examples/bench_checkout.rs`).
//! - `bench rewards`: redemptions per second of one reward with 32 concurrent customers, on
//!   SQLite and PostgreSQL, and the vouchers issued against its stock
//!   (`server/examples/bench_rewards.rs`).
//! - `bench abuse`: the server's memory under bursts of sign-ins and sign-ups, and `/health`
//!   while idle sockets hold connections (`server/examples/bench_abuse.rs`).
//! - `bench export`: a customer's export with 100,000 entries against one with 10: time, bytes
//!   and the server process's peak memory (`server/examples/bench_export.rs`).
//! - `bench lighthouse`: Lighthouse's scores, FCP, LCP and TBT for five pages, cold and warm,
//!   against their budgets (`tests/lighthouse/bench.mjs`); needs the release wallet and server.

mod bench;
mod locales;
mod process;
mod test;
mod tools;
mod wallet;

use anyhow::{bail, Result};
use std::path::PathBuf;

const USAGE: &str = "usage: cargo xtask <command>\n\n  run [-- server flags]  install tools, build the wallet, serve it with the demo on http://127.0.0.1:8080\n  test [--skip-e2e]      everything CI runs\n  bench size             the wallet's first-load size in bytes (gzip -9)\n  bench ledger [flags]   wallet latency at 10 vs 100,000 entries; expiring 1,000,000 lots vs writing them\n  bench checkout [flags] code verification rate; till purchases over HTTP vs the storage floor\n  bench rewards [flags]  redemptions per second of one reward, 32 customers, SQLite and PostgreSQL; vouchers vs stock\n  bench abuse [flags]    server memory under 200+200 unauthenticated requests; /health with 300 half-open sockets\n  bench export [flags]   \"Download my data\" for 100,000 entries: time, bytes, the server's peak memory (vs 10 entries)\n  bench code             tap on \"Show code\" to the QR on screen: median and p90, server up or stopped, CPU 1x or 4x\n  bench lighthouse       Lighthouse (mobile) on sign-in, home, a card, its code, the console: cold and warm medians, budgets\n  install-tools          only install the pinned tools into the cache";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["run", rest @ ..] => run(rest),
        ["test", rest @ ..] => test::all(rest),
        ["bench", "size"] => bench::size(),
        ["bench", "ledger", rest @ ..] => bench::ledger(rest),
        ["bench", "checkout", rest @ ..] => bench::checkout(rest),
        ["bench", "rewards", rest @ ..] => bench::rewards(rest),
        ["bench", "abuse", rest @ ..] => bench::abuse(rest),
        ["bench", "export", rest @ ..] => bench::export(rest),
        ["bench", "code"] => bench::code(),
        ["bench", "lighthouse"] => bench::lighthouse(),
        ["install-tools"] => tools::Tools::ensure().map(|_| ()),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            bail!("unknown command: {}", args.join(" "))
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_owned()
}

fn run(extra: &[&str]) -> Result<()> {
    let tools = tools::Tools::ensure()?;
    wallet::build_release(&tools)?;
    process::cargo(&["build", "--release", "-p", "tessera-server"])?;
    let server = root().join("target/release/tessera-server");
    let mut args = vec![
        "--listen",
        "127.0.0.1:8080",
        "--database",
        "sqlite://data/tessera.db",
        "--config",
        "config/demo.toml",
        "--wallet-dir",
        "dist",
        "--demo",
    ];
    args.extend(extra.iter().filter(|a| **a != "--"));
    let status = std::process::Command::new(server)
        .args(&args)
        .current_dir(root())
        .status()?;
    if !status.success() {
        bail!("the server stopped with {status}");
    }
    Ok(())
}
