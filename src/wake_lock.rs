//! Keeping the screen on while the checkout code is shown, where the browser has the Screen Wake
//! Lock API (through `Reflect`: web-sys has it only behind an unstable flag).

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Function, Promise, Reflect};

/// Holds a screen wake lock until the calling view is dropped. The browser releases the lock when
/// the page is hidden, so it is asked for again each time the page is shown.
pub fn keep_screen_on() {
    let sentinel = StoredValue::new_local(None::<JsValue>);
    let request = move || {
        let Some(promise) = call(&window().navigator().into(), "wakeLock", "request") else {
            return;
        };
        leptos::task::spawn_local(async move {
            // Refused (no permission, page hidden, battery saver): the screen may dim; no harm.
            if let Ok(lock) = JsFuture::from(promise).await {
                sentinel.try_set_value(Some(lock));
            }
        });
    };
    request();
    let shown = window_event_listener_untyped("visibilitychange", move |_| {
        if !document().hidden() {
            request();
        }
    });
    on_cleanup(move || {
        shown.remove();
        if let Some(Some(lock)) = sentinel.try_get_value() {
            let _ = call(&lock, "", "release");
        }
    });
}

/// `target[object][method]("screen")` (or `target[method]()` when `object` is empty), as a
/// promise; `None` when any part is missing.
fn call(target: &JsValue, object: &str, method: &str) -> Option<Promise> {
    let object = if object.is_empty() {
        target.clone()
    } else {
        Reflect::get(target, &JsValue::from_str(object)).ok()?
    };
    let function: Function = Reflect::get(&object, &JsValue::from_str(method))
        .ok()?
        .dyn_into()
        .ok()?;
    function
        .call1(&object, &JsValue::from_str("screen"))
        .ok()?
        .dyn_into()
        .ok()
}
