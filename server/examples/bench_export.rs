//! `cargo xtask bench export`: "Download my data" for a customer with a long history, on the
//! real server process (`tessera-server`, release, SQLite): the time to stream `GET /me/export`
//! (JSON) and `GET /me/export/ledger.csv` to the end, the bytes, and the server's resident memory
//! idle and at its peak during each (sampled every 10 ms, and the kernel's high-water mark);
//! the same for a customer with 10 entries in the same run, so the ratios say whether memory
//! follows the history (it should not: the export is written as it is read).
//!
//! Usage: `bench_export --server target/release/tessera-server [--entries N]` (100,000 by
//! default).

// Benchmarks look at the tables directly (see clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod support;
use support::{arg, customer, demo_config, fill, flag, proc_status, sqlite_state};

const MIB: f64 = 1024.0 * 1024.0;
const PASSWORD: &str = "a long enough password";

/// One HTTP/1.0 request (so the answer's body ends with the connection, never chunked): the
/// status and the whole body.
async fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> anyhow::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let head_end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow::anyhow!("no header end"))?;
    let status: u16 = String::from_utf8_lossy(&answer[..head_end])
        .split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .parse()?;
    Ok((status, answer[head_end + 4..].to_vec()))
}

/// One export of `path` for `token`: its time, bytes and the server's peak resident memory
/// while it ran.
async fn export(
    port: u16,
    pid: u32,
    path: &str,
    token: &str,
) -> anyhow::Result<(Duration, usize, u64)> {
    let peak = Arc::new(AtomicU64::new(proc_status(pid, "VmRSS")?));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                if let Ok(rss) = proc_status(pid, "VmRSS") {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let started = Instant::now();
    let (status, body) = http(port, "GET", path, Some(token), "").await?;
    let took = started.elapsed();
    sampler.abort();
    anyhow::ensure!(status == 200, "{path}: {status}");
    if path.ends_with(".csv") {
        anyhow::ensure!(body.ends_with(b"\n"), "the CSV ends with a whole row");
    } else {
        serde_json::from_slice::<serde_json::Value>(&body)?;
    }
    Ok((took, body.len(), peak.load(Ordering::Relaxed)))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let binary = PathBuf::from(arg("--server").ok_or_else(|| anyhow::anyhow!("--server PATH"))?);
    let entries = flag("--entries", 100_000)? as i64;
    let dir = tempfile::tempdir()?;
    let config = demo_config()?;
    let program = config.programs[0].clone();

    // The history, written through the purchase service and the ledger (not measured).
    let setup = Instant::now();
    let state = sqlite_state(&dir, "export.db", config.clone()).await?;
    let app = tessera_server::app(state.clone());
    let (_, long_card) = customer(&app, "long@example.com").await?;
    let (_, short_card) = customer(&app, "short@example.com").await?;
    fill(&state, &program, &long_card, entries).await?;
    fill(&state, &program, &short_card, 10).await?;
    state.store.close().await;
    println!(
        "setup: {entries} + 10 entries in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut server = Command::new(&binary)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--database")
        .arg(format!("sqlite://{}/export.db", dir.path().display()))
        .arg("--config")
        .arg(root.join("config/demo.toml"))
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let pid = server.id();
    let outcome = async {
        let started = Instant::now();
        while http(port, "GET", "/api/v1/health", None, "")
            .await
            .map(|r| r.0)
            .unwrap_or(0)
            != 200
        {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let token = |email: &'static str| async move {
            let body = serde_json::json!({ "email": email, "password": PASSWORD }).to_string();
            let (status, answer) = http(port, "POST", "/api/v1/auth/login", None, &body).await?;
            anyhow::ensure!(status == 200, "login {email}: {status}");
            let session: serde_json::Value = serde_json::from_slice(&answer)?;
            Ok::<_, anyhow::Error>(session["token"].as_str().unwrap_or_default().to_owned())
        };
        let (long, short) = (
            token("long@example.com").await?,
            token("short@example.com").await?,
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        let idle = proc_status(pid, "VmRSS")?;
        println!("server idle: {:.1} MiB resident", idle as f64 / MIB);
        for path in ["/api/v1/me/export", "/api/v1/me/export/ledger.csv"] {
            let (short_took, short_bytes, short_peak) = export(port, pid, path, &short).await?;
            let (long_took, long_bytes, long_peak) = export(port, pid, path, &long).await?;
            println!(
                "{path}: {entries} entries: {:.2} s, {:.1} MiB, peak {:.1} MiB resident \
                 (+{:.1} over idle); 10 entries: {:.3} s, {} bytes, peak {:.1} MiB; \
                 memory ratio long/short {:.2}",
                long_took.as_secs_f64(),
                long_bytes as f64 / MIB,
                long_peak as f64 / MIB,
                long_peak.saturating_sub(idle) as f64 / MIB,
                short_took.as_secs_f64(),
                short_bytes,
                short_peak as f64 / MIB,
                long_peak as f64 / short_peak as f64,
            );
        }
        println!(
            "server high-water mark (VmHWM, its whole life): {:.1} MiB",
            proc_status(pid, "VmHWM")? as f64 / MIB
        );
        Ok(())
    }
    .await;
    let _ = server.kill();
    let _ = server.wait();
    outcome
}
