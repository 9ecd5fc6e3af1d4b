//! `cargo xtask bench abuse`: what unauthenticated bursts and idle sockets cost the real server
//! process (`tessera-server`, release, its defaults, SQLite unless `--database URL`):
//!
//! - resident memory idle, at the peak of 200 parallel sign-ins and then 200 parallel sign-ups
//!   (each from its own loopback address, 127.0.x.y, so no address limit spares the hashing),
//!   and 10 s after; budgets: peak at most 1 GiB, settled at most idle + 256 MiB;
//! - what those requests got (checked, refused as busy, limited);
//! - the time `GET /api/v1/health` takes while 300 sockets hold half-sent headers.
//!
//! Usage: `bench_abuse --server target/release/tessera-server [--database URL]`; any build of the
//! server takes the same flags, so an older one can be measured the same way.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

mod support;
use support::{arg, proc_status};

const MIB: u64 = 1024 * 1024;
const LOCAL: [u8; 4] = [127, 0, 0, 1];
const PEAK_BUDGET: u64 = 1024 * MIB;
const SETTLED_BUDGET_OVER_IDLE: u64 = 256 * MIB;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One request on its own connection from the loopback address `from`; the status code (0: no
/// answer).
async fn request(port: u16, path: &str, from: [u8; 4], body: &str) -> u16 {
    let attempt = async {
        let socket = TcpSocket::new_v4()?;
        socket.bind((from, 0).into())?;
        let mut s = socket.connect(([127, 0, 0, 1], port).into()).await?;
        let method = if body.is_empty() { "GET" } else { "POST" };
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(head.as_bytes()).await?;
        let mut reply = Vec::new();
        s.read_to_end(&mut reply).await?;
        let status = String::from_utf8_lossy(&reply)
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        Ok::<u16, std::io::Error>(status)
    };
    tokio::time::timeout(Duration::from_secs(60), attempt)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or(0)
}

fn summary(statuses: &[u16]) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for s in statuses {
        *counts.entry(*s).or_insert(0) += 1;
    }
    counts
        .iter()
        .map(|(s, n)| format!("{n} x {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let binary = PathBuf::from(arg("--server").ok_or_else(|| anyhow::anyhow!("--server PATH"))?);
    let dir = tempfile::tempdir()?;
    let database =
        arg("--database").unwrap_or_else(|| format!("sqlite://{}/abuse.db", dir.path().display()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let server = Server(
        Command::new(&binary)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--database", &database])
            .arg("--config")
            .arg(root.join("config/demo.toml"))
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?,
    );
    let pid = server.0.id();
    let started = Instant::now();
    while request(port, "/api/v1/health", LOCAL, "").await != 200 {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = proc_status(pid, "VmRSS")?;

    // The peak: sampled every 10 ms, and the kernel's high-water mark.
    let sampled = Arc::new(AtomicU64::new(idle));
    let sampler = {
        let sampled = sampled.clone();
        tokio::spawn(async move {
            loop {
                if let Ok(rss) = proc_status(pid, "VmRSS") {
                    sampled.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let burst = Instant::now();
    let sign_ins = futures_util::future::join_all((0..200u32).map(|i| async move {
        let body = format!(r#"{{"email":"nobody{i}@example.com","password":"guess guess guess"}}"#);
        request(port, "/api/v1/auth/login", [127, 0, 1, 1 + i as u8], &body).await
    }));
    let sign_ups = futures_util::future::join_all((0..200u32).map(|i| async move {
        let body = format!(
            r#"{{"email":"new{i}@example.com","password":"correct horse battery","display_name":"Bench {i}","accepted_terms_version":"2026-11-01"}}"#
        );
        request(port, "/api/v1/auth/register", [127, 0, 2, 1 + i as u8], &body).await
    }));
    let sign_ins = sign_ins.await;
    let sign_ups = sign_ups.await;
    let burst_ms = burst.elapsed().as_millis();
    sampler.abort();
    let peak = proc_status(pid, "VmHWM")?.max(sampled.load(Ordering::Relaxed));
    tokio::time::sleep(Duration::from_secs(10)).await;
    let settled = proc_status(pid, "VmRSS")?;

    println!("resident memory idle: {} MiB", idle / MIB);
    println!(
        "resident memory at the peak of 200 sign-ins, then 200 sign-ups: {} MiB (budget {} MiB)",
        peak / MIB,
        PEAK_BUDGET / MIB
    );
    println!(
        "resident memory 10 s after: {} MiB (budget idle + {} MiB = {} MiB)",
        settled / MIB,
        SETTLED_BUDGET_OVER_IDLE / MIB,
        (idle + SETTLED_BUDGET_OVER_IDLE) / MIB
    );
    println!("both bursts answered in {burst_ms} ms");
    println!("sign-ins: {}", summary(&sign_ins));
    println!("sign-ups: {}", summary(&sign_ups));

    // 300 sockets holding half-sent headers, then one health check.
    let mut held = Vec::new();
    for _ in 0..300 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
        s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: bench\r\n")
            .await?;
        held.push(s);
    }
    let asked = Instant::now();
    let status = request(port, "/api/v1/health", LOCAL, "").await;
    println!(
        "/health with 300 half-open sockets: {status} in {:.1} ms",
        asked.elapsed().as_secs_f64() * 1000.0
    );
    drop(held);

    let ok = peak <= PEAK_BUDGET && settled <= idle + SETTLED_BUDGET_OVER_IDLE && status == 200;
    println!("abuse budgets: {}", if ok { "met" } else { "NOT met" });
    anyhow::ensure!(ok, "over budget");
    Ok(())
}
