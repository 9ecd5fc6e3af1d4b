//! Building the wallet with trunk: release, offline, with the pinned wasm-bindgen and wasm-opt.

use crate::locales::Audience;
use crate::process::run;
use crate::tools::Tools;
use anyhow::Result;
use std::process::Command;

/// The wallet's other apps, each a binary of the wallet crate with its own page: the directory
/// of its `index.html`, which is also its directory in `dist/` and its public URL. The checkout
/// code screen (served at `/cards/{id}/code`), the areas (rewards and vouchers), the
/// memberships (clubs), the entry (a closed program), the account (details, password) and trust
/// (sessions, data, new terms), only ever shown in the wallet's page,
/// sign-in and join (`/sign-in`,
/// `/join`), the cashier console (`/till/`) and its club parts (only ever shown in the console's
/// page).
pub const APPS: [&str; 9] = [
    "code",
    "areas",
    "memberships",
    "entry",
    "account",
    "trust",
    "welcome",
    "till",
    "till-clubs",
];

/// The pages (`dist/`-relative) that start a wallet app, each with the language script of
/// `partials/head.html`, and whose tables they fetch.
pub const PAGES: [(&str, Audience); 4] = [
    ("index.html", Audience::Customer),
    ("code/index.html", Audience::Customer),
    ("welcome/index.html", Audience::Customer),
    ("till/index.html", Audience::Console),
];

/// The apps whose files keep their names without a hash: the wallet's (and the console's) page
/// imports their modules
/// (`/{app}/tessera-{app}.js`) and the code's stylesheet (`/code/code.css`) by name
/// (`src/modules.rs`). The server revalidates unhashed code on every load and the service
/// worker's cache version follows their content, so a new build is still picked up.
const UNHASHED: [&str; 7] = [
    "code",
    "areas",
    "memberships",
    "entry",
    "account",
    "trust",
    "till-clubs",
];

/// `trunk build --release` of the wallet into `dist/`, then of each of [`APPS`] into its
/// directory of `dist/`.
///
/// The wallet comes first because trunk empties its dist directory first: building it after the
/// others would delete theirs. Their builds' post-build hook writes no service worker
/// (`scripts/sw-assets.sh`); the wallet's is written again at the end, so that it precaches the
/// code screen and sign-in too (the code must show offline), and the languages' tables
/// (`dist/locales/`), written before it.
pub fn build_release(tools: &Tools) -> Result<()> {
    trunk_build(tools, &[])?;
    for app in APPS {
        let (dist, url, page) = (
            format!("dist/{app}"),
            format!("/{app}/"),
            format!("{app}/index.html"),
        );
        let filehash = if UNHASHED.contains(&app) {
            "false"
        } else {
            "true"
        };
        trunk_build(
            tools,
            &[
                "--dist",
                &dist,
                "--public-url",
                &url,
                "--filehash",
                filehash,
                &page,
            ],
        )?;
    }
    let root = crate::root();
    crate::locales::write_tables(&root, &root.join("dist"))?;
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
