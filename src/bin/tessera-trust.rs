//! Where the customer is signed in, their data and a program's new terms, in the wallet
//! (`/settings/sessions`, `/settings/data`, `/cards/{id}/terms`; see `crate::areas`): a module
//! the wallet's page imports when one of its screens is first opened (`crate::modules`) and
//! asks to [`show`]. Apart from the account module, which with them was 5,939 bytes over a
//! module's budget (`bench size`, 2026-12-07). Built by trunk from `trust/index.html` into
//! `dist/trust/`.

use tessera_wallet::areas::Area;
use wasm_bindgen::prelude::*;

/// Nothing to do on its own: the wallet calls [`show`].
fn main() {}

/// Shows the screen of `path` (an address of the trust screens) in `host`, an element of the
/// wallet's page, in place of any shown before.
#[wasm_bindgen]
pub fn show(host: web_sys::HtmlElement, path: String) {
    tessera_wallet::show_instead(|| tessera_wallet::areas::show_in(host, &path, Area::trust));
}

/// Removes the screen [`show`] showed (the wallet's route was left).
#[wasm_bindgen]
pub fn hide() {
    tessera_wallet::hide_shown();
}
