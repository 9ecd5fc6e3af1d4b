//! The Tessera wallet: a Leptos (client-side rendered) PWA.
//!
//! `main.rs` only mounts [`app::App`]; everything lives here so `tests/` can mount components.

pub mod api;
pub mod app;
pub mod components;
pub mod pages;
pub mod session;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

/// Replaces the static app shell painted by `index.html` with the running app.
pub fn start() {
    console_error_panic_hook::set_once();
    if let Some(shell) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        shell.remove();
    }
    leptos::mount::mount_to_body(app::App);
    #[cfg(not(debug_assertions))]
    register_service_worker();
}

/// Registers `/sw.js` (release builds only: a service worker gets in the way while developing).
#[cfg(not(debug_assertions))]
fn register_service_worker() {
    if let Some(window) = web_sys::window() {
        let navigator = window.navigator();
        // `serviceWorker` is missing on insecure origins; the getter then yields undefined.
        let has_sw = js_sys_has(&navigator, "serviceWorker");
        if has_sw {
            let _ = navigator.service_worker().register("/sw.js");
        }
    }
}

#[cfg(not(debug_assertions))]
fn js_sys_has(target: &web_sys::Navigator, key: &str) -> bool {
    use wasm_bindgen::JsValue;
    let value: &JsValue = target.as_ref();
    web_sys::js_sys::Reflect::has(value, &JsValue::from_str(key)).unwrap_or(false)
}
