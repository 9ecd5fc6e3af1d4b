//! The wallet's clubs screens (see `crate::areas`, `crate::pages::clubs`): a module the wallet's
//! page imports when one is first opened (`crate::modules`) and asks to [`show`] a screen, so
//! neither the wallet's first load nor the areas module carries them. Built by trunk from
//! `memberships/index.html` into `dist/memberships/`.

use tessera_wallet::areas::Area;
use wasm_bindgen::prelude::*;

/// Nothing to do on its own: the wallet calls [`show`].
fn main() {}

/// Shows the screen of `path` (an address of a clubs screen) in `host`, an element of the
/// wallet's page, in place of any shown before.
#[wasm_bindgen]
pub fn show(host: web_sys::HtmlElement, path: String) {
    tessera_wallet::show_instead(|| tessera_wallet::areas::show_in(host, &path, Area::clubs));
}

/// Removes the screen [`show`] showed (the wallet's route was left).
#[wasm_bindgen]
pub fn hide() {
    tessera_wallet::hide_shown();
}
