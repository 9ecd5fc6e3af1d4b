//! The customer's details and password in the wallet (`/settings/details`,
//! `/settings/password`; see `crate::areas`): a module the wallet's page imports when one of its
//! screens is first opened (`crate::modules`) and asks to [`show`], so neither the wallet's
//! first load nor the areas module (which had 922 bytes left of its budget, `bench size`,
//! 2026-12-07) carries them. Built by trunk from `account/index.html` into `dist/account/`.

use tessera_wallet::areas::Area;
use wasm_bindgen::prelude::*;

/// Nothing to do on its own: the wallet calls [`show`].
fn main() {}

/// Shows the screen of `path` (an address of the customer's account) in `host`, an element of
/// the wallet's page, in place of any shown before.
#[wasm_bindgen]
pub fn show(host: web_sys::HtmlElement, path: String) {
    tessera_wallet::show_instead(|| tessera_wallet::areas::show_in(host, &path, Area::account));
}

/// Removes the screen [`show`] showed (the wallet's route was left).
#[wasm_bindgen]
pub fn hide() {
    tessera_wallet::hide_shown();
}
