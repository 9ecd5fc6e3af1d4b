fn main() {
    tessera_wallet::start();
}
