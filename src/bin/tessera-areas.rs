//! The wallet's areas (rewards and vouchers; see `crate::areas`): a module the wallet's page
//! imports after its first paint (`crate::modules`) and asks to [`show`] a screen, so the wallet's
//! first load carries none of them. Built by trunk from `areas/index.html` into `dist/areas/`.

use tessera_wallet::areas::Area;
use wasm_bindgen::prelude::*;

/// Nothing to do on its own: the wallet calls [`show`].
fn main() {}

/// Shows the screen of `path` (an address of one of the areas) in `host`, an element of the
/// wallet's page, in place of any shown before.
#[wasm_bindgen]
pub fn show(host: web_sys::HtmlElement, path: String) {
    tessera_wallet::show_instead(|| {
        tessera_wallet::areas::show_in(host, &path, Area::rewards_or_vouchers)
    });
}

/// Removes the screen [`show`] showed (the wallet's route was left).
#[wasm_bindgen]
pub fn hide() {
    tessera_wallet::hide_shown();
}
