//! The till camera's QR decoder: a web worker of its own (trunk `data-type="worker"` in
//! `till/index.html`), so the console's wasm carries no decoder and decoding never holds up the
//! console's thread. The camera (`till::camera`) sends it one frame at a time as `ImageData`; it
//! answers the text of the first QR code that decodes, or `null`.

use tessera_wallet::till::decode::decode_rgba;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, ImageData, MessageEvent};

fn main() {
    let scope: DedicatedWorkerGlobalScope = web_sys::js_sys::global().unchecked_into();
    let answer = scope.clone();
    let on_frame = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let text = event.data().dyn_into::<ImageData>().ok().and_then(|frame| {
            decode_rgba(
                &frame.data(),
                frame.width() as usize,
                frame.height() as usize,
            )
        });
        let _ = answer.post_message(&text.map_or(JsValue::NULL, JsValue::from));
    });
    scope.set_onmessage(Some(on_frame.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_frame.forget();
}
