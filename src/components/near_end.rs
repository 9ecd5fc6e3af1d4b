//! Endless lists: an `IntersectionObserver` reports when the element at a list's end (its "Load
//! more" button) comes near the viewport, so the next page can be asked for before the reader
//! gets there.
//!
//! The binding is declared here rather than through web-sys, whose `IntersectionObserver`
//! feature the wallet does not enable: two methods are all it needs.

use leptos::prelude::document;
use wasm_bindgen::prelude::*;
use web_sys::js_sys::{self, Array, Object, Reflect};

#[wasm_bindgen]
extern "C" {
    type IntersectionObserver;

    /// Throws (caught: `Err`) in browsers without it; the button still works there.
    #[wasm_bindgen(constructor, catch)]
    fn new(callback: &js_sys::Function, options: &Object) -> Result<IntersectionObserver, JsValue>;

    #[wasm_bindgen(method)]
    fn observe(this: &IntersectionObserver, target: &web_sys::Element);
}

/// How far below the viewport the end counts as near: about a screen ahead.
const AHEAD: &str = "0px 0px 600px 0px";

/// Tells `near` whether the element with the id `end` is within [`AHEAD`] of the viewport, each
/// time that changes (and once at the start).
///
/// Call it once the element is in the document. Nothing needs undoing when the list goes:
/// browsers collect an observer together with its removed target, and `near` must ignore a late
/// report (e.g. by writing to the list's signals with `try_`). The callback is handed to JS for
/// good (it holds a few signal handles), which spares the wasm the code to store and disconnect
/// it.
pub fn watch_near_end(end: &str, mut near: impl FnMut(bool) + 'static) {
    let Some(element) = document().get_element_by_id(end) else {
        return;
    };
    let callback = Closure::<dyn FnMut(Array)>::new(move |entries: Array| {
        // The last entry is the element's latest state.
        let intersecting = Reflect::get(&entries.at(-1), &"isIntersecting".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        near(intersecting);
    })
    .into_js_value();
    let options = Object::new();
    let _ = Reflect::set(&options, &"rootMargin".into(), &AHEAD.into());
    if let Ok(observer) = IntersectionObserver::new(callback.unchecked_ref(), &options) {
        observer.observe(&element);
    }
}
