//! The full-screen checkout code (`/cards/{id}/code`): a binary of its own so the wallet's first
//! load carries none of it. Built by trunk from `code/index.html`; see `code_screen`. The wallet's
//! page imports this module too (`crate::modules`), to show the screen with [`show`].

use tessera_wallet::code_screen;
use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated: in its own page it mounts the screen; in the wallet's it
/// waits for [`show`].
fn main() {
    if code_screen::on_own_page() {
        code_screen::start();
    }
}

/// Shows the code screen of the card in `path` (`/cards/{id}/code`) in `host`, an element of the
/// wallet's page, in place of any shown before.
#[wasm_bindgen]
pub fn show(host: web_sys::HtmlElement, path: String) {
    let id = code_screen::card_id(&path).unwrap_or_default().to_owned();
    tessera_wallet::show_instead(|| code_screen::show_in(host, id));
}

/// Removes the screen [`show`] showed (the wallet's route was left).
#[wasm_bindgen]
pub fn hide() {
    tessera_wallet::hide_shown();
}
