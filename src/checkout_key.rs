//! What the phone keeps to show a card's checkout code without a connection: the card's secret
//! (one per card and session, from `POST /cards/{id}/checkout-secret`), the card as last seen, and
//! how far the phone's clock is from the server's. Kept in `localStorage` under [`STORAGE_KEY`], one
//! JSON object by card id, so that ending the session forgets them all with one call (see
//! [`crate::session::CUSTOMER`]'s clear; the wallet's first load has no bytes to spare for more).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tessera_core::api::{Card, CheckoutSecret};
use tessera_core::checkout::{scanned_code, step_at, typed_code, CardSecret};

/// The `localStorage` key of every card's checkout key.
pub const STORAGE_KEY: &str = "tessera.codes";

/// One card's checkout key on this device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutKey {
    /// The secret and the card number and program the code names.
    pub secret: CheckoutSecret,
    /// The card when the secret was last fetched (shown offline).
    pub card: Card,
    /// Server clock minus this phone's clock, in ms, from the last fetch.
    pub offset_ms: i64,
}

/// The two forms of the code for one time step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Codes {
    /// The 30-second step they belong to.
    pub step: i64,
    /// The `TSR1.…` text the QR carries.
    pub scanned: String,
    /// Digits grouped in fours, to read out when the scanner fails.
    pub typed: String,
}

impl CheckoutKey {
    /// The server's time now, by this phone's clock and the last correction.
    pub fn server_now(&self, phone_now_ms: i64) -> i64 {
        phone_now_ms + self.offset_ms
    }

    /// The codes for the step of `server_ms`; `None` if the stored secret is unreadable.
    pub fn codes(&self, server_ms: i64) -> Option<Codes> {
        let secret = CardSecret::from_hex(&self.secret.secret)?;
        let (program, number) = (&self.secret.program_id, &self.secret.card_number);
        let step = step_at(server_ms);
        Some(Codes {
            step,
            scanned: scanned_code(&secret, program, number, step),
            typed: typed_code(&secret, program, number, step),
        })
    }
}

/// The clock correction from one request: the server's time minus the middle of the phone's
/// send and receive times (the server answered somewhere in between).
pub fn clock_offset(server_time: i64, sent_ms: i64, received_ms: i64) -> i64 {
    server_time - (sent_ms + received_ms) / 2
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Every stored key by card id (none when there is none; an unreadable one reads as none).
fn stored() -> BTreeMap<String, CheckoutKey> {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|raw| crate::json::from_text(&raw))
        .unwrap_or_default()
}

fn store(all: &BTreeMap<String, CheckoutKey>) {
    if let (Some(storage), Some(raw)) = (storage(), crate::json::to_text(all)) {
        let _ = storage.set_item(STORAGE_KEY, &raw);
    }
}

/// The key kept for `card_id`, if any (an unreadable one reads as none).
pub fn load(card_id: &str) -> Option<CheckoutKey> {
    stored().remove(card_id)
}

/// Keeps `key` for its card, replacing the previous one.
pub fn save(key: &CheckoutKey) {
    let mut all = stored();
    all.insert(key.card.id.clone(), key.clone());
    store(&all);
}

/// Removes `card_id`'s key from this device.
pub fn forget(card_id: &str) {
    let mut all = stored();
    all.remove(card_id);
    store(&all);
}

/// The `localStorage` key of the card whose code was shown last.
const LAST_KEY: &str = "tessera.codes.last";

/// Notes `card_id` as the card whose code was shown last (for the `/code` shortcut).
pub fn mark_last(card_id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(LAST_KEY, card_id);
    }
}

/// The card for `/code`: the one whose code was shown last while its key is kept, else the only
/// card with a key; `None` when that does not name one card.
pub fn last() -> Option<String> {
    let all = stored();
    let marked = storage().and_then(|s| s.get_item(LAST_KEY).ok().flatten());
    match marked.filter(|id| all.contains_key(id)) {
        Some(id) => Some(id),
        None if all.len() == 1 => all.into_keys().next(),
        None => None,
    }
}

/// Removes every card's key from this device.
pub fn forget_all() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(STORAGE_KEY);
        let _ = storage.remove_item(LAST_KEY);
    }
}
