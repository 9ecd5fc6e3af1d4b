//! The cashier console (`/till`): a binary of its own so the wallet's first load carries none of
//! it. Built by trunk from `till/index.html`.

fn main() {
    tessera_wallet::till::start();
}
