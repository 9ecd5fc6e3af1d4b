//! What the phone keeps to show a card's checkout code without a connection: the card's secret
//! (one per card and session, from `POST /cards/{id}/checkout-secret`), the card number and program
//! the code names, and how far the phone's clock is from the server's. Kept in IndexedDB
//! ([`crate::kept::KEYS`], by card id, with its owner), so the customer's session store's clear
//! forgets them with the rest.
//!
//! Where the page is a secure context (HTTPS, or localhost), the secret is imported as a
//! non-extractable WebCrypto HMAC key and IndexedDB keeps the key object: scripts on the page can
//! sign with it but never read it, and the codes are `crypto.subtle.sign` tags turned into codes by
//! `tessera_core::checkout::Step`. On a plain-HTTP address there is no WebCrypto: the secret is
//! kept as its hex digits and the MAC made in the wasm (README, "Checkout codes").
//!
//! The wallet keeps a key for every card at sign-in and whenever a card appears
//! ([`keep_missing`]), so the first offline open of a card's code works.

use crate::api::{self, ApiError};
use crate::kept::{self, KEYS};
use std::cell::RefCell;
use std::collections::BTreeSet;
use tessera_core::api::ErrorCode;
use tessera_core::checkout::{ms_left, scanned_code, step_at, typed_code, CardSecret, Step};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Array, Date, Promise, Uint8Array};
use web_sys::{CryptoKey, HmacImportParams, SubtleCrypto};

/// One card's checkout key on this device.
#[derive(Clone, Debug)]
pub struct CheckoutKey {
    signer: Signer,
    /// The card number the codes name.
    pub card_number: String,
    /// The program, part of the codes' MAC.
    pub program_id: String,
    /// Server clock minus this phone's clock, in ms, when the key was fetched.
    pub offset_ms: i64,
}

/// Who makes the MACs.
#[derive(Clone, Debug)]
enum Signer {
    /// A non-extractable WebCrypto HMAC-SHA256 key: scripts can sign with it, not read it.
    WebCrypto(CryptoKey),
    /// The secret itself, where the page has no WebCrypto (not a secure context).
    InWasm(CardSecret),
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

    /// Whether scripts cannot read the secret (a WebCrypto key).
    pub fn is_sealed(&self) -> bool {
        matches!(self.signer, Signer::WebCrypto(_))
    }

    /// The codes for the step of `server_ms`; `None` if WebCrypto refused to sign.
    pub async fn codes(&self, server_ms: i64) -> Option<Codes> {
        let step = step_at(server_ms);
        let (program, number) = (&self.program_id, &self.card_number);
        let (scanned, typed) = match &self.signer {
            Signer::InWasm(secret) => (
                scanned_code(secret, program, number, step),
                typed_code(secret, program, number, step),
            ),
            Signer::WebCrypto(key) => {
                let messages = Step::new(program, number, step);
                let scanned = sign(key, &messages.scanned_message).await?;
                let typed = sign(key, &messages.typed_message).await?;
                (
                    messages.scanned_code(&scanned)?,
                    messages.typed_code(&typed)?,
                )
            }
        };
        Some(Codes {
            step,
            scanned,
            typed,
        })
    }

    /// The record kept for the key: `[owner, key object or hex secret, number, program, offset]`.
    fn record(&self, owner: &str, secret_hex: &str) -> Array {
        let signer = match &self.signer {
            Signer::WebCrypto(key) => JsValue::from(key),
            Signer::InWasm(_) => secret_hex.into(),
        };
        let record = Array::of3(&owner.into(), &signer, &self.card_number.as_str().into());
        record.push(&self.program_id.as_str().into());
        record.push(&(self.offset_ms as f64).into());
        record
    }

    fn from_record(record: &Array) -> Option<Self> {
        let signer = record.get(1);
        let signer = match signer.as_string() {
            Some(hex) => Signer::InWasm(CardSecret::from_hex(&hex)?),
            None => Signer::WebCrypto(signer.dyn_into().ok()?),
        };
        Some(Self {
            signer,
            card_number: record.get(2).as_string()?,
            program_id: record.get(3).as_string()?,
            offset_ms: record.get(4).as_f64()? as i64,
        })
    }
}

/// The clock correction from one request: the server's time minus the middle of the phone's
/// send and receive times (the server answered somewhere in between).
pub fn clock_offset(server_time: i64, sent_ms: i64, received_ms: i64) -> i64 {
    server_time - (sent_ms + received_ms) / 2
}

/// WebCrypto, where the page is a secure context.
fn subtle() -> Option<SubtleCrypto> {
    let window = web_sys::window()?;
    if !window.is_secure_context() {
        return None;
    }
    Some(window.crypto().ok()?.subtle())
}

/// The secret's 64 hex digits as a non-extractable HMAC-SHA256 key for signing, where WebCrypto
/// is; else kept for the wasm to sign with. `None` for a secret that is not 64 hex digits.
async fn seal(secret_hex: &str) -> Option<Signer> {
    let secret = CardSecret::from_hex(secret_hex)?;
    let Some(subtle) = subtle() else {
        return Some(Signer::InWasm(secret));
    };
    let raw = Uint8Array::from(&secret.0[..]);
    let algorithm = HmacImportParams::new_with_str("HMAC", "SHA-256");
    let usages = Array::of1(&"sign".into());
    let import = subtle
        .import_key_with_object("raw", &raw, &algorithm, false, &usages)
        .ok()?;
    let key = JsFuture::from(import).await.ok()?;
    Some(Signer::WebCrypto(key.dyn_into().ok()?))
}

/// The full HMAC-SHA256 tag of `message` under `key`.
async fn sign(key: &CryptoKey, message: &str) -> Option<Vec<u8>> {
    let signing = subtle()?
        .sign_with_str_and_u8_array("HMAC", key, message.as_bytes())
        .ok()?;
    let tag = JsFuture::from(signing).await.ok()?;
    Some(Uint8Array::new(&tag).to_vec())
}

fn now_ms() -> i64 {
    Date::now() as i64
}

/// Asks the server for the card's secret and keeps it as this device's key for the card
/// (replacing one kept before: a secret the server revoked is gone with it).
pub async fn fetch(card_id: &str) -> Result<CheckoutKey, ApiError> {
    let sent = now_ms();
    let secret = api::checkout_secret(card_id).await?;
    let offset_ms = clock_offset(secret.server_time, sent, now_ms());
    let signer = seal(&secret.secret)
        .await
        .ok_or_else(|| ApiError::refused(ErrorCode::Internal))?;
    let key = CheckoutKey {
        signer,
        card_number: secret.card_number,
        program_id: secret.program_id,
        offset_ms,
    };
    if let Some(owner) = kept::owner() {
        kept::put(KEYS, card_id, &key.record(&owner, &secret.secret)).await;
    }
    Ok(key)
}

/// The key kept for `card_id`, if the signed-in customer has one (an unreadable one reads as
/// none).
pub async fn load(card_id: &str) -> Option<CheckoutKey> {
    let record = kept::get(KEYS, &kept::owner()?, card_id).await?;
    CheckoutKey::from_record(&record)
}

/// Removes `card_id`'s key from this device.
pub async fn forget(card_id: &str) {
    kept::delete(KEYS, card_id).await;
}

thread_local! {
    /// Cards whose key is being fetched by [`keep_missing`].
    static ASKING: RefCell<BTreeSet<String>> = const { RefCell::new(BTreeSet::new()) };
}

/// Fetches and keeps the key of each of `card_ids` this device has none for, one card at a time;
/// a card already being fetched is left to that fetch. Failures are left too: the next call, or
/// the code screen itself, asks again.
pub async fn keep_missing(card_ids: Vec<String>) {
    for id in card_ids {
        if !ASKING.with_borrow_mut(|asking| asking.insert(id.clone())) {
            continue;
        }
        if load(&id).await.is_none() {
            let _ = fetch(&id).await;
        }
        ASKING.with_borrow_mut(|asking| asking.remove(&id));
    }
}

/// The `sessionStorage` key of the codes handed over for a card.
fn handover_key(card_id: &str) -> String {
    format!("tessera.code.{card_id}")
}

/// Codes signed ahead by the cards home for the code page's first frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handover {
    /// The codes of one step.
    pub codes: Codes,
    /// The clock correction they were made with.
    pub offset_ms: i64,
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Signs the current step's codes of each of `card_ids` that has a key and hands them over in
/// this tab's `sessionStorage`, so the code page paints its first frame without waiting for the
/// database (opening IndexedDB in a new page costs 100-200 ms on a slow phone). What is handed
/// over is what the screen shows anyway: a code good for one step and one use, never the secret.
pub async fn hand_over(card_ids: &[String]) {
    let Some(storage) = session_storage() else {
        return;
    };
    for id in card_ids {
        let Some(key) = load(id).await else {
            continue;
        };
        let Some(codes) = key.codes(key.server_now(now_ms())).await else {
            continue;
        };
        // Not if the session ended while signing.
        if kept::owner().is_none() {
            return;
        }
        let handed = format!(
            "{}|{}|{}|{}",
            codes.step, key.offset_ms, codes.scanned, codes.typed
        );
        let _ = storage.set_item(&handover_key(id), &handed);
    }
}

/// The codes handed over for `card_id`, if they are for the step of `phone_now_ms` (by the clock
/// correction that came with them).
pub fn handed_over(card_id: &str, phone_now_ms: i64) -> Option<Handover> {
    let handed = session_storage()?.get_item(&handover_key(card_id)).ok()??;
    let mut parts = handed.splitn(4, '|');
    let step: i64 = parts.next()?.parse().ok()?;
    let offset_ms: i64 = parts.next()?.parse().ok()?;
    let (scanned, typed) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    (step_at(phone_now_ms + offset_ms) == step).then_some(Handover {
        codes: Codes {
            step,
            scanned,
            typed,
        },
        offset_ms,
    })
}

/// Hands over the codes of the cards `card_ids` gives, now and at the start of every step, while
/// `shown` says the screen that offers "Show code" is.
pub fn hand_over_while(
    card_ids: impl Fn() -> Vec<String> + 'static,
    shown: impl Fn() -> bool + 'static,
) {
    leptos::task::spawn_local(async move {
        while shown() {
            hand_over(&card_ids()).await;
            // Just after the next step starts (by this phone's clock; a step is 30 s).
            let wait = ms_left(now_ms()) + 50;
            let _ = JsFuture::from(Promise::new(&mut |resolve, _| {
                if let Some(window) = web_sys::window() {
                    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                        &resolve,
                        wait as i32,
                    );
                }
            }))
            .await;
        }
    });
}

/// The `localStorage` key of the card whose code was shown last.
const LAST_KEY: &str = "tessera.codes.last";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Notes `card_id` as the card whose code was shown last (for the `/code` shortcut).
pub fn mark_last(card_id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(LAST_KEY, card_id);
    }
}

/// The card noted by [`mark_last`], if any.
pub fn marked_last() -> Option<String> {
    storage()?.get_item(LAST_KEY).ok().flatten()
}

/// Forgets what the code page is helped with: the card shown last and every handed-over code
/// (the session ended; the keys go with [`kept::forget_all`]). This tab's `sessionStorage`
/// holds nothing else.
pub fn forget_hints() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(LAST_KEY);
    }
    if let Some(storage) = session_storage() {
        let _ = storage.clear();
    }
}
