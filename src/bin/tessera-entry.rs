//! The wallet's screens of a closed program (`/programs/{id}`) and of a closed club's
//! application form (`/cards/{id}/clubs/{club}/apply`; see `crate::areas`,
//! `crate::pages::program_entry`, `crate::pages::club_apply`): a module the wallet's page imports when it is first opened
//! (`crate::modules`) and asks to [`show`], so neither the wallet's first load nor the
//! memberships module carries it (in the memberships module it put that 4,530 bytes further
//! over its budget: `bench size`, 2026-12-07). Built by trunk from `entry/index.html` into
//! `dist/entry/`.

use tessera_wallet::areas::Area;
use wasm_bindgen::prelude::*;

/// Nothing to do on its own: the wallet calls [`show`].
fn main() {}

/// Shows the screen of `path` (a closed program's address) in `host`, an element of the
/// wallet's page, in place of any shown before.
#[wasm_bindgen]
pub fn show(host: web_sys::HtmlElement, path: String) {
    tessera_wallet::show_instead(|| tessera_wallet::areas::show_in(host, &path, Area::entry));
}

/// Removes the screen [`show`] showed (the wallet's route was left).
#[wasm_bindgen]
pub fn hide() {
    tessera_wallet::hide_shown();
}
