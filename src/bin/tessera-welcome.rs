//! Sign in and join (`/sign-in`, `/join`): a binary of its own so the wallet's first load carries
//! neither form. Built by trunk from `welcome/index.html`; see `welcome`.

fn main() {
    tessera_wallet::welcome::start();
}
