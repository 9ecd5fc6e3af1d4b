//! The API's JSON bodies in the wasm: written and read by serde, with the derives of
//! `tessera_core::api` (the server's own format), through serde_json.
//!
//! serde_json against serde-wasm-bindgen over the browser's `JSON.parse`, measured with
//! `cargo xtask bench size` on the same build: see ARCHITECTURE.md ("The client kit").

use serde::de::DeserializeOwned;
use serde::Serialize;

/// `value` as JSON text (`None` only if `T`'s serializer fails, which the API types never do).
pub fn to_text<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// JSON text as `T` (`None` when it is not a `T`).
pub fn from_text<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_str(text).ok()
}
