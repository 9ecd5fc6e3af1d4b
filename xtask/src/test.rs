//! `cargo xtask test`: everything CI runs, in order of cost, stopping at the first failure.

use crate::process::{cargo, run};
use crate::tools::{self, Tools, WASM_TARGET};
use crate::{root, wallet};
use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The native crates, linted and tested on the host (the wallet is linted and tested for wasm32).
const NATIVE: [&str; 6] = ["-p", "tessera-core", "-p", "tessera-server", "-p", "xtask"];

pub fn all(args: &[&str]) -> Result<()> {
    let skip_e2e = args.contains(&"--skip-e2e");
    let started = Instant::now();

    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&clippy(&NATIVE))?;
    let tools = Tools::ensure()?;
    run(tools.command(crate::process::cargo_bin()).args(clippy(&[
        "-p",
        "tessera-wallet",
        "--target",
        WASM_TARGET,
    ])))?;

    // Core and server tests; the server suite runs on SQLite and PostgreSQL (mandatory when CI is set).
    cargo(&[&["test"][..], &NATIVE].concat())?;

    tools::ensure_browser()?;
    wallet_component_tests(&tools)?;

    if skip_e2e {
        eprintln!("end-to-end tests skipped (--skip-e2e)");
    } else {
        wallet::build_release(&tools)?;
        cargo(&["build", "--release", "-p", "tessera-server"])?;
        end_to_end()?;
    }
    eprintln!("all checks passed in {}s", started.elapsed().as_secs());
    Ok(())
}

/// `cargo clippy` over `selection` (packages, target) with every lint a denial.
fn clippy<'a>(selection: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["clippy"];
    args.extend_from_slice(selection);
    args.extend(["--all-targets", "--", "-D", "warnings"]);
    args
}

/// wasm-bindgen-test component tests in headless Chromium (flags in webdriver.json).
fn wallet_component_tests(tools: &Tools) -> Result<()> {
    run(tools
        .command(crate::process::cargo_bin())
        .args(["test", "-p", "tessera-wallet", "--target", WASM_TARGET])
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120"))
}

/// Playwright against the release server with a fresh SQLite database and the demo loaded.
fn end_to_end() -> Result<()> {
    let work = root().join("target/e2e");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    let port = free_port()?;
    let server = Server::start(&work, port)?;
    let base_url = format!("http://127.0.0.1:{port}");
    let result = playwright(&[], &[("BASE_URL", &base_url)], &work);
    drop(server);
    if result.is_err() {
        let log = std::fs::read_to_string(work.join("server.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        eprintln!("--- last lines of the server log ---");
        for line in tail.iter().rev() {
            eprintln!("{line}");
        }
    }
    result
}

/// `npx playwright test` with `args` and `env` in `tests/e2e` (its packages installed first when
/// missing), working in `work`.
pub fn playwright(args: &[&str], env: &[(&str, &str)], work: &Path) -> Result<()> {
    let e2e = root().join("tests/e2e");
    if !e2e.join("node_modules/.bin/playwright").exists() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&e2e))?;
    }
    let mut command = Command::new("npx");
    command
        .args(["playwright", "test"])
        .args(args)
        .current_dir(&e2e)
        .env("E2E_WORK_DIR", work);
    for (key, value) in env {
        command.env(key, value);
    }
    run(&mut command)
}

/// The release server with the demo on a fresh SQLite database in `work` (`e2e.db`, its log
/// `server.log`), stopped when dropped (on every path out, errors included).
pub(crate) struct Server(Child);

impl Server {
    /// Starts it on `port` and waits until it answers `/api/v1/health`.
    pub(crate) fn start(work: &Path, port: u16) -> Result<Self> {
        let log = std::fs::File::create(work.join("server.log"))?;
        let child = Command::new(root().join("target/release/tessera-server"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--database")
            .arg(format!("sqlite://{}/e2e.db", work.display()))
            .args([
                "--config",
                "config/demo.toml",
                "--wallet-dir",
                "dist",
                "--demo",
            ])
            .current_dir(root())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting the release server")?;
        let mut server = Self(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !healthy(port) {
            if let Some(status) = server.0.try_wait()? {
                bail!(
                    "the server exited at start ({status}); see {}/server.log",
                    work.display()
                );
            }
            if Instant::now() > deadline {
                bail!("the server did not answer /api/v1/health within 30 s");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn healthy(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let mut reply = String::new();
    s.write_all(req.as_bytes()).is_ok()
        && s.read_to_string(&mut reply).is_ok()
        && reply.starts_with("HTTP/1.1 200")
}

/// A port nothing listens on now.
pub(crate) fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
