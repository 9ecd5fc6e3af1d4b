//! JSON in the wasm, for the API's bodies (`crate::api`) and what the device keeps
//! (`crate::session`, `crate::checkout_key`): written and read by serde, with the derives of
//! `tessera_core::api` (the server's own format), through serde-wasm-bindgen over the browser's
//! `JSON.parse` and `JSON.stringify`.
//!
//! serde_json against serde-wasm-bindgen, measured with `cargo xtask bench size` on the same
//! build: see ARCHITECTURE.md ("The wallet").

use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::js_sys::JSON;

/// `value` as JSON text (`None` only if `T`'s serializer fails, which the API types never do).
pub fn to_text<T: Serialize>(value: &T) -> Option<String> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    JSON::stringify(&value).ok()?.as_string()
}

/// JSON text as `T` (`None` when it is not a `T`).
pub fn from_text<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_wasm_bindgen::from_value(JSON::parse(text).ok()?).ok()
}
