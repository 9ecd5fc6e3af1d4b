//! The full-screen checkout code (`/cards/{id}/code`): a binary of its own so the wallet's first
//! load carries none of it. Built by trunk from `code/index.html`; see `code_screen`. The wallet's
//! page imports this module too (`code_module`), to show the screen with [`show_code`].

use std::any::Any;
use std::cell::RefCell;
use tessera_wallet::code_screen;
use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated: in its own page it mounts the screen; in the wallet's it
/// waits for [`show_code`].
fn main() {
    if code_screen::on_own_page() {
        code_screen::start();
    }
}

thread_local! {
    /// The screen [`show_code`] shows in the wallet's page, until [`hide_code`].
    static SHOWN: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Shows the code screen of card `card_id` in `host`, an element of the wallet's page, in place
/// of any shown before.
#[wasm_bindgen(js_name = showCode)]
pub fn show_code(host: web_sys::HtmlElement, card_id: String) {
    console_error_panic_hook::set_once();
    hide_code();
    let shown = code_screen::show_in(host, card_id);
    SHOWN.with(|slot| *slot.borrow_mut() = Some(shown));
}

/// Removes the screen [`show_code`] showed (the wallet's route was left).
#[wasm_bindgen(js_name = hideCode)]
pub fn hide_code() {
    // Taken out first: dropping it runs the screen's cleanups, outside the borrow.
    let shown = SHOWN.with(|slot| slot.borrow_mut().take());
    drop(shown);
}
