//! One `Idempotency-Key` per attempt: a write that got no answer may have been applied, so
//! trying the same request again sends the same key (the server then answers what it did the
//! first time instead of doing it twice); any answer ends the attempt, and the next press is a
//! new one with a new key. The till's purchases and the wallet's redeeming use it.

use web_sys::js_sys::Date;

/// A fresh `Idempotency-Key`: 128 random bits from the browser's CSPRNG as 32 hex digits.
///
/// `getRandomValues` rather than `randomUUID`, which exists only in secure contexts: a till on
/// a shop's LAN may be served over plain HTTP.
pub fn new_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No CSPRNG (never seen in a browser): time and Math.random still make a unique key.
        let now = Date::now() as u64;
        let noise = (web_sys::js_sys::Math::random() * u64::MAX as f64) as u64;
        bytes[..8].copy_from_slice(&now.to_be_bytes());
        bytes[8..].copy_from_slice(&noise.to_be_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key of the attempt in progress for one button, if its last send got no answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attempts {
    open: Option<(String, String)>,
}

impl Attempts {
    /// The key to send `request` (a fingerprint of the request: ticket and amounts) with: the
    /// open attempt's key when it was for the same request, else a `fresh` one.
    ///
    /// A different request gets a new key even after a failure: the server refuses a key reused
    /// for another body, and the cashier changed what they meant to record.
    pub fn key(&mut self, request: &str, fresh: impl FnOnce() -> String) -> String {
        match &self.open {
            Some((open, key)) if open == request => key.clone(),
            _ => {
                let key = fresh();
                self.open = Some((request.to_owned(), key.clone()));
                key
            }
        }
    }

    /// Records how the send ended: `unanswered` (no response) keeps the attempt open for a
    /// retry; an answer, success or refusal, closes it.
    pub fn settle(&mut self, unanswered: bool) {
        if !unanswered {
            self.open = None;
        }
    }
}
