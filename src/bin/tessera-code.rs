//! The full-screen checkout code (`/cards/{id}/code`): a binary of its own so the wallet's first
//! load carries none of it. Built by trunk from `code/index.html`; see `code_screen`.

fn main() {
    tessera_wallet::code_screen::start();
}
