//! Running commands, loudly: each command is printed before it runs and a failure names it.

use anyhow::{bail, Context, Result};
use std::process::Command;

/// Runs a command to completion in the workspace root, failing if it fails.
pub fn run(cmd: &mut Command) -> Result<()> {
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(crate::root());
    }
    let shown = format!("{cmd:?}").replace('"', "");
    eprintln!("\x1b[1m$ {shown}\x1b[0m");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("failed ({status}): {shown}");
    }
    Ok(())
}

/// `cargo <args>` with the cargo that runs xtask.
pub fn cargo(args: &[&str]) -> Result<()> {
    run(Command::new(cargo_bin()).args(args))
}

pub fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Whether a command can be found and run.
pub fn exists(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}
