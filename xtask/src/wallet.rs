//! Building the wallet with trunk: release, offline, with the pinned wasm-bindgen and wasm-opt.

use crate::process::run;
use crate::tools::Tools;
use anyhow::Result;
use std::process::Command;

/// `trunk build --release` of the wallet into `dist/`, then of its two other binaries: the
/// checkout code screen (`code/index.html`) into `dist/code/`, served at `/cards/{id}/code`, and
/// the cashier console (`till/index.html`) into `dist/till/`, served at `/till/`.
///
/// The wallet comes first because trunk empties its dist directory first: building it after the
/// others would delete `dist/code/` and `dist/till/`. Their builds' post-build hook writes no
/// service worker (`scripts/sw-assets.sh`); the wallet's is written again at the end, so that it
/// precaches the code screen too (the code must show offline).
pub fn build_release(tools: &Tools) -> Result<()> {
    trunk_build(tools, &[])?;
    trunk_build(
        tools,
        &[
            "--dist",
            "dist/code",
            "--public-url",
            "/code/",
            "code/index.html",
        ],
    )?;
    trunk_build(
        tools,
        &[
            "--dist",
            "dist/till",
            "--public-url",
            "/till/",
            "till/index.html",
        ],
    )?;
    let root = crate::root();
    run(Command::new("sh")
        .arg("scripts/sw-assets.sh")
        .env("TRUNK_STAGING_DIR", root.join("dist"))
        .env("TRUNK_SOURCE_DIR", &root)
        .env_remove("TRUNK_HTML_FILE")
        .current_dir(&root))
}

fn trunk_build(tools: &Tools, extra: &[&str]) -> Result<()> {
    // Trunk must never download anything: it uses the tools on PATH (see Trunk.toml's pins).
    run(tools
        .command(&tools.trunk)
        .args(["build", "--release", "--offline"])
        .args(extra)
        .current_dir(crate::root())
        .env("TRUNK_OFFLINE", "true"))
}
