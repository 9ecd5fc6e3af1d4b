//! The console's club parts (taking club fees, the managers' applications; see
//! `crate::till::clubs`): a module the console's page imports the first time it needs one
//! (`crate::modules`) and asks to [`show`] a part, so the console's own page carries none of
//! them. Built by trunk from `till-clubs/index.html` into `dist/till-clubs/`.

use wasm_bindgen::prelude::*;

/// Nothing to do on its own: the console calls [`show`].
fn main() {}

/// Shows the part `path` names (`crate::till::clubs::APPLICATIONS`, or `fees_path(ticket)`) in
/// `host`, an element of the console's page, in place of any shown before.
#[wasm_bindgen]
pub fn show(host: web_sys::HtmlElement, path: String) {
    tessera_wallet::show_instead(|| tessera_wallet::till::clubs::show_in(host, &path));
}

/// Removes the part [`show`] showed.
#[wasm_bindgen]
pub fn hide() {
    tessera_wallet::hide_shown();
}
