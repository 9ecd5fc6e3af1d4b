//! The pinned build tools, installed on first use into a cache outside the repository and keyed
//! by version (`<cache>/trunk-0.21.14/`, ...), so they survive between runs and CI runs on the
//! same machine, and bumping a pin installs the new version beside the old.
//!
//! The cache is `$TESSERA_TOOLS_DIR`, else `$XDG_CACHE_HOME/tessera/tools`, else
//! `~/.cache/tessera/tools`.

use crate::process::{self, run};
use anyhow::{bail, Context, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Trunk builds the wallet; 0.22 needs a newer rustc than the machines have.
pub const TRUNK_VERSION: &str = "0.21.14";
/// wasm-opt from the npm registry: Debian's binaryen 108 produces bundles that fail at start-up.
pub const BINARYEN_VERSION: &str = "132.0.0";
/// terser from the npm registry minifies the JS glue in a trunk hook (`scripts/minify-js.sh`).
pub const TERSER_VERSION: &str = "5.51.4";
/// The wallet's compilation target.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where the tools are, once installed.
pub struct Tools {
    pub trunk: PathBuf,
    bin_dirs: Vec<PathBuf>,
}

impl Tools {
    /// Installs whatever is missing and returns the tools' locations.
    pub fn ensure() -> Result<Self> {
        let cache = cache_dir();
        std::fs::create_dir_all(&cache).with_context(|| format!("creating {}", cache.display()))?;
        ensure_wasm_target()?;

        let trunk_dir = cache.join(format!("trunk-{TRUNK_VERSION}"));
        cargo_install(&cache, &trunk_dir, "trunk", TRUNK_VERSION, true)?;

        // wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
        let wb_version = locked_version("wasm-bindgen")?;
        let wb_dir = cache.join(format!("wasm-bindgen-{wb_version}"));
        // Without --locked: with it the install fails on a yanked dependency.
        cargo_install(&cache, &wb_dir, "wasm-bindgen-cli", &wb_version, false)?;

        let wasm_opt_bin = npm_install(&cache, "binaryen", BINARYEN_VERSION, "wasm-opt")?;
        let terser_bin = npm_install(&cache, "terser", TERSER_VERSION, "terser")?;

        Ok(Self {
            trunk: trunk_dir.join("bin/trunk"),
            bin_dirs: vec![wb_dir.join("bin"), wasm_opt_bin, terser_bin],
        })
    }

    /// `PATH` with the pinned wasm-bindgen, wasm-opt and terser first.
    pub fn path_env(&self) -> OsString {
        let mut paths = self.bin_dirs.clone();
        paths.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        std::env::join_paths(paths).expect("PATH entries are valid")
    }

    /// A command with the pinned tools on its `PATH`.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("PATH", self.path_env());
        cmd
    }
}

/// Installs `package@version` from the npm registry into `<cache>/<package>-<version>/` unless
/// its `bin` is there; returns the folder of its commands.
fn npm_install(cache: &Path, package: &str, version: &str, bin: &str) -> Result<PathBuf> {
    let dir = cache.join(format!("{package}-{version}"));
    let bin_dir = dir.join("node_modules/.bin");
    if !bin_dir.join(bin).exists() {
        let staging = staging_dir(&dir)?;
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&staging)
            .arg(format!("{package}@{version}")))?;
        std::fs::rename(&staging, &dir)?;
    }
    Ok(bin_dir)
}

pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TESSERA_TOOLS_DIR") {
        return dir.into();
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    base.join("tessera/tools")
}

fn ensure_wasm_target() -> Result<()> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    match out {
        Ok(o)
            if String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == WASM_TARGET) =>
        {
            Ok(())
        }
        Ok(_) => run(Command::new("rustup").args(["target", "add", WASM_TARGET])),
        Err(_) => bail!("rustup is needed to add the {WASM_TARGET} target"),
    }
}

/// `cargo install` into `<dir>`, unless its binary is there. Installs go to a staging directory
/// renamed at the end, so an interrupted install is never mistaken for a finished one.
fn cargo_install(cache: &Path, dir: &Path, krate: &str, version: &str, locked: bool) -> Result<()> {
    if dir.join("bin").is_dir() {
        return Ok(());
    }
    let staging = staging_dir(dir)?;
    let mut cmd = Command::new(process::cargo_bin());
    cmd.args(["install", krate, "--version", version, "--root"])
        .arg(&staging)
        // Keep tool builds out of the project's target directory.
        .env("CARGO_TARGET_DIR", cache.join("build-target"));
    if locked {
        cmd.arg("--locked");
    }
    run(&mut cmd)?;
    std::fs::rename(&staging, dir)?;
    Ok(())
}

fn staging_dir(dir: &Path) -> Result<PathBuf> {
    let staging = dir.with_extension("partial");
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    Ok(staging)
}

/// The version of a package in the workspace's Cargo.lock.
pub fn locked_version(package: &str) -> Result<String> {
    let lock =
        std::fs::read_to_string(crate::root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .with_context(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = start + lock[start..].find('"').context("malformed Cargo.lock")?;
    Ok(lock[start..end].to_owned())
}

/// Chromium and its driver (for the browser tests), zbar (an independent QR decoder) and a font
/// with Georgian letters (DejaVu; without it Georgian screens and screenshots show boxes), from
/// Debian's packages when missing.
pub fn ensure_browser() -> Result<()> {
    let needed = [
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/chromedriver", "chromium-driver"),
        ("/usr/bin/zbarimg", "zbar-tools"),
        (
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "fonts-dejavu-core",
        ),
    ];
    let missing: Vec<&str> = needed
        .iter()
        .filter(|(path, _)| !Path::new(path).exists())
        .map(|(_, pkg)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let apt = |args: &[&str]| {
        let mut cmd = if root {
            Command::new("apt-get")
        } else {
            Command::new("sudo")
        };
        if !root {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt(&["update"])?;
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend(missing);
    apt(&args)?;
    if !process::exists("/usr/bin/chromium") {
        bail!("chromium was installed but does not run");
    }
    Ok(())
}
