//! `cargo xtask bench ...`: figures for the budgets the issues name.

use crate::tools::Tools;
use crate::{root, wallet};
use anyhow::{bail, Context, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The wallet's builds, each its own page (trunk cannot split one wasm file): the name, its
/// `index.html` under `dist/`, and its budget in bytes after gzip -9 of the JS, wasm and CSS that
/// page loads. Issue 12 set them; an area moves into a build of its own when the first load would
/// pass its budget: sign-in and join did in issue 13 (a new visitor's first load, within the same
/// budget), when every card's checkout key put the wallet 10,586 bytes over. The console's is 190,000, not the 160,000 of the other builds: its sign-in
/// screen alone measured 115,004 (Leptos, the client, serde and the form parts), and a console
/// split in two pages would load a page per customer at the till (README, "Sizes").
pub const BUILDS: [(&str, &str, u64); 10] = [
    ("wallet first load", "index.html", 240_000),
    ("sign-in and join", "welcome/index.html", 240_000),
    ("code screen", "code/index.html", 160_000),
    ("rewards and vouchers (areas)", "areas/index.html", 160_000),
    ("clubs (memberships)", "memberships/index.html", 160_000),
    ("a closed program (entry)", "entry/index.html", 160_000),
    (
        "details and password (account)",
        "account/index.html",
        160_000,
    ),
    (
        "sessions, data, new terms (trust)",
        "trust/index.html",
        160_000,
    ),
    ("cashier console", "till/index.html", 190_000),
    (
        "console's clubs (till-clubs)",
        "till-clubs/index.html",
        160_000,
    ),
];

/// The till camera's decoder, a web worker no page names (the console starts it with the
/// camera): its files under `dist/`, and its budget.
pub const DECODER: (&str, [&str; 3], u64) = (
    "camera decoder (worker)",
    [
        "till/tessera-decoder_loader.js",
        "till/tessera-decoder.js",
        "till/tessera-decoder_bg.wasm",
    ],
    160_000,
);

/// Builds the wallet and prints the gzip -9 sizes of what each build's `index.html` loads.
pub fn size() -> Result<()> {
    let tools = Tools::ensure()?;
    wallet::build_release(&tools)?;
    let dist = root().join("dist");
    let mut over = Vec::new();
    let mut builds = Vec::new();
    for (build, page, budget) in BUILDS {
        let index = std::fs::read_to_string(dist.join(page))
            .with_context(|| format!("reading dist/{page}"))?;
        let files = first_load_files(&index)
            .into_iter()
            .filter(|file| !of_another_build(file, page))
            .collect();
        builds.push((build, files, budget));
    }
    let (decoder, files, budget) = DECODER;
    builds.push((decoder, files.map(String::from).to_vec(), budget));
    let mut first_load = 0;
    for (build, files, budget) in builds {
        let mut total = 0;
        for name in files {
            let bytes =
                std::fs::read(dist.join(&name)).with_context(|| format!("reading dist/{name}"))?;
            let gz = gzip9(&bytes)?;
            println!("{name}: {} bytes, {gz} bytes gzip -9", bytes.len());
            total += gz;
        }
        println!("{build}: {total} bytes gzip -9 (budget {budget})");
        if total > budget {
            over.push(format!("{build} by {} bytes", total - budget));
        }
        if build == BUILDS[0].0 {
            first_load = total;
        }
    }
    // Another language's first load is English's and its customer table (`dist/locales/`),
    // which the page's language script fetches alongside the wasm.
    let (budget, mut tables) = (
        BUILDS[0].2,
        std::fs::read_dir(dist.join("locales"))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<std::io::Result<Vec<_>>>()?,
    );
    tables.sort();
    for table in tables {
        let name = table
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let tag = name.split('.').next().unwrap_or_default();
        let gz = gzip9(&std::fs::read(&table)?)?;
        if tag.ends_with("-console") {
            // The console's words (every key), which only the console's page fetches.
            println!("locales/{name}: {gz} bytes gzip -9 (the console's table)");
            continue;
        }
        let total = first_load + gz;
        println!("locales/{name}: {gz} bytes gzip -9");
        println!("wallet first load in {tag}: {total} bytes gzip -9 (budget {budget})");
        if total > budget {
            over.push(format!(
                "the first load in {tag} by {} bytes",
                total - budget
            ));
        }
    }
    println!(
        "(after its first paint the wallet's page also loads the code screen's JS, wasm and \
         code.css, and the areas' JS and wasm, to show them with no page load, the \
         memberships' when a clubs screen is first opened, the entry's when a closed \
         program's is, and the account's or the trust's when one of their screens is: \
         src/modules.rs)"
    );
    if !over.is_empty() {
        anyhow::bail!("over budget: {}", over.join(", "));
    }
    Ok(())
}

/// Whether `file`, named by `page`, is another build's: the wallet's `index.html` names the code
/// screen's files, which it loads after its first paint, in its script.
fn of_another_build(file: &str, page: &str) -> bool {
    BUILDS.iter().any(|(_, other, _)| {
        let dir = other.trim_end_matches("index.html");
        other != &page && !dir.is_empty() && file.starts_with(dir)
    })
}

/// Runs the ledger benchmark (`server/examples/bench_ledger.rs`); `flags` pass through
/// (`--entries`, `--requests`, `--lots`, `--skip-wallet`, `--skip-expiry`).
pub fn ledger(flags: &[&str]) -> Result<()> {
    server_example("bench_ledger", flags)
}

/// Runs the rewards benchmark (`server/examples/bench_rewards.rs`): redemptions per second of
/// one reward with 32 concurrent customers on SQLite and PostgreSQL, and vouchers against stock;
/// `flags` pass through (`--stock`).
pub fn rewards(flags: &[&str]) -> Result<()> {
    server_example("bench_rewards", flags)
}

/// Runs the checkout benchmark: codes made per second in the browser (`tests/bench_codes.rs`,
/// release wasm in headless Chromium), then `server/examples/bench_checkout.rs`; `flags` pass
/// through to the latter (`--purchases`, `--rounds`, `--members`).
pub fn checkout(flags: &[&str]) -> Result<()> {
    browser_codes()?;
    server_example("bench_checkout", flags)
}

/// The wasm half of part (a): runs the ignored `bench_codes` browser test in release mode and
/// prints the figures it logs.
fn browser_codes() -> Result<()> {
    let tools = Tools::ensure()?;
    crate::tools::ensure_browser()?;
    let output = tools
        .command(crate::process::cargo_bin())
        .args([
            "test",
            "--release",
            "-p",
            "tessera-wallet",
            "--target",
            crate::tools::WASM_TARGET,
            "--test",
            "bench_codes",
            "--",
            "--include-ignored",
            "--nocapture",
        ])
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running the browser code benchmark")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let figures: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("per second"))
        .collect();
    if !output.status.success() || figures.is_empty() {
        anyhow::bail!("the browser code benchmark failed:\n{stdout}");
    }
    for line in figures {
        println!("{}", line.trim());
    }
    Ok(())
}

/// Runs the abuse benchmark (`server/examples/bench_abuse.rs`) against the release server;
/// `flags` pass through (`--database URL`).
/// `cargo xtask bench code`: the release wallet and server, then Playwright's
/// `tests/e2e/bench-code.spec.ts`, which taps "Show code" 20 times in each of four conditions and
/// writes the median and p90 from the tap to the QR on screen; printed here.
pub fn code() -> Result<()> {
    let tools = crate::tools::Tools::ensure()?;
    crate::tools::ensure_browser()?;
    crate::wallet::build_release(&tools)?;
    crate::process::run(
        std::process::Command::new(crate::process::cargo_bin())
            .args(["build", "--release", "-p", "tessera-server"])
            .current_dir(crate::root()),
    )?;
    let work = crate::root().join("target/bench-code");
    std::fs::create_dir_all(&work)?;
    crate::test::playwright(&["bench-code.spec.ts"], &[("BENCH_CODE", "1")], &work)?;
    print!("{}", std::fs::read_to_string(work.join("bench-code.txt"))?);
    Ok(())
}

pub fn abuse(flags: &[&str]) -> Result<()> {
    crate::process::cargo(&["build", "--release", "-p", "tessera-server"])?;
    let server = root().join("target/release/tessera-server");
    let server = server.to_string_lossy();
    let mut all = vec!["--server", server.as_ref()];
    all.extend_from_slice(flags);
    server_example("bench_abuse", &all)
}

/// Runs the export benchmark (`server/examples/bench_export.rs`) against the release server;
/// `flags` pass through (`--entries`).
pub fn export(flags: &[&str]) -> Result<()> {
    crate::process::cargo(&["build", "--release", "-p", "tessera-server"])?;
    let server = root().join("target/release/tessera-server");
    let server = server.to_string_lossy();
    let mut all = vec!["--server", server.as_ref()];
    all.extend_from_slice(flags);
    server_example("bench_export", &all)
}

/// `cargo xtask bench lighthouse`: Lighthouse 13 (mobile, its default throttling) on five pages
/// of the release wallet: sign-in, the signed-in cards home, the demo's Mziuri Coffee card, its
/// code screen and the cashier console; each three times cold (no HTTP cache, service worker,
/// Cache Storage or IndexedDB, the session kept) and three times warm (the page loaded once, its
/// service worker installed). Prints the medians of the performance, accessibility and best
/// practices scores, FCP, LCP and TBT, the budgets broken and the audits that failed
/// (`tests/lighthouse/bench.mjs`); the reports stay in `target/lighthouse/`. Budgets are printed,
/// not enforced: it fails only when Lighthouse (or the server) does.
///
/// It builds nothing: like the measurement it is, it takes the wallet and server already built.
pub fn lighthouse() -> Result<()> {
    let started = Instant::now();
    let root = root();
    for (built, by) in [
        ("dist/index.html", "cargo xtask bench size"),
        (
            "target/release/tessera-server",
            "cargo build --release -p tessera-server",
        ),
    ] {
        if !root.join(built).exists() {
            bail!("{built} is missing: build it first (`{by}`)");
        }
    }
    crate::tools::ensure_browser()?;
    let dir = root.join("tests/lighthouse");
    if !node_packages_installed(&dir)? {
        // Lighthouse 13 declares Node >= 22.19 and runs on Node 20 (shared/TOOLCHAIN.md): an
        // `engine-strict` npm configuration must not refuse it.
        crate::process::run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--engine-strict=false"])
                .current_dir(&dir),
        )?;
    }
    // A fresh directory each time: its database is the demo's as the server loads it, and its
    // reports are this run's.
    let work = root.join("target/lighthouse");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    let port = crate::test::free_port()?;
    let server = crate::test::Server::start(&work, port)?;
    let result = crate::process::run(
        Command::new("node")
            .arg(dir.join("bench.mjs"))
            .arg(format!("http://127.0.0.1:{port}"))
            .arg(&work)
            .current_dir(&dir),
    );
    // Stopped before the result is looked at, so a failed run leaves no server behind.
    drop(server);
    result?;
    eprintln!("bench lighthouse took {}s", started.elapsed().as_secs());
    Ok(())
}

/// Whether every package `package.json` pins is in `node_modules` at that version (so a bumped
/// pin reinstalls, as `npm ci` would on CI).
fn node_packages_installed(dir: &Path) -> Result<bool> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json"))?)?;
    let pins = manifest["devDependencies"]
        .as_object()
        .context("package.json has no devDependencies")?;
    Ok(pins.iter().all(|(name, pin)| {
        std::fs::read_to_string(dir.join("node_modules").join(name).join("package.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|installed| installed["version"] == *pin)
    }))
}

/// A release build and run of one of the server's examples.
fn server_example(name: &str, flags: &[&str]) -> Result<()> {
    crate::process::run(
        std::process::Command::new(env!("CARGO"))
            .args([
                "run",
                "--quiet",
                "--release",
                "-p",
                "tessera-server",
                "--example",
                name,
                "--",
            ])
            .args(flags),
    )
}

fn gzip9(bytes: &[u8]) -> Result<u64> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len() as u64)
}

/// Every distinct `.js`, `.wasm` and `.css` file named in `index.html`, quoted or not (links,
/// preloads and the loader script's imports).
fn first_load_files(index: &str) -> Vec<String> {
    // Trunk's release minifier drops attribute quotes (`href=/main-1.css`), so values also end
    // at `=`, whitespace and `>`.
    let mut files: Vec<String> = index
        .split(['"', '\'', '=', ' ', '\n', '\t', '>'])
        .filter(|s| [".js", ".wasm", ".css"].iter().any(|ext| s.ends_with(ext)))
        .filter(|s| !s.contains(' ') && !s.contains("://"))
        .map(|s| {
            s.trim_start_matches("./")
                .trim_start_matches('/')
                .to_owned()
        })
        // A script's pieces of a name (`"/" + name + ".js"`) are not a file.
        .filter(|s| !s.starts_with('.'))
        .collect();
    files.sort();
    files.dedup();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_screen_the_wallet_loads_after_its_first_paint_is_not_its_first_load() {
        assert!(of_another_build("code/tessera-code.js", "index.html"));
        assert!(of_another_build("code/code.css", "index.html"));
        assert!(!of_another_build("main-1.css", "index.html"));
        assert!(!of_another_build("code/tessera-code.js", "code/index.html"));
        assert!(of_another_build(
            "areas/tessera-areas_bg.wasm",
            "index.html"
        ));
    }

    #[test]
    fn a_name_a_script_puts_together_is_not_a_file() {
        let html = r#"<script>import("/" + name + "/tessera-" + name + ".js")</script>"#;
        assert!(first_load_files(html).is_empty());
    }

    #[test]
    fn finds_each_loaded_asset_once() {
        let html = r#"<link rel="stylesheet" href="/main-1.css"><link rel="modulepreload" href="/w-1.js"><link rel="preload" href="/w-1_bg.wasm" as="fetch"><script type="module">import init from '/w-1.js';init({module_or_path:'/w-1_bg.wasm'});</script><link rel="manifest" href="/manifest.webmanifest">"#;
        assert_eq!(
            first_load_files(html),
            ["main-1.css", "w-1.js", "w-1_bg.wasm"]
        );
    }

    #[test]
    fn finds_unquoted_attributes_of_minified_html() {
        let html = r#"<link href=/main-1.css integrity=sha384-a/b+c rel=stylesheet><link rel=modulepreload href=/w-1.js><script type=module>import init from '/w-1.js';init({module_or_path:'/w-1_bg.wasm'});</script>"#;
        assert_eq!(
            first_load_files(html),
            ["main-1.css", "w-1.js", "w-1_bg.wasm"]
        );
    }
}
