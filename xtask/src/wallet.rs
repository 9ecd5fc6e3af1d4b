//! Building the wallet with trunk: release, offline, with the pinned wasm-bindgen and wasm-opt.

use crate::process::run;
use crate::tools::Tools;
use anyhow::Result;

/// `trunk build --release` into `dist/`.
pub fn build_release(tools: &Tools) -> Result<()> {
    // Trunk must never download anything: it uses the tools on PATH (see Trunk.toml's pins).
    run(tools
        .command(&tools.trunk)
        .args(["build", "--release", "--offline"])
        .env("TRUNK_OFFLINE", "true"))
}
