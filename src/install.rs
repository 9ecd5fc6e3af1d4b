//! "Install app": Chromium offers to install a PWA with a `beforeinstallprompt` event, once the
//! page loads; the wallet keeps the offer (instead of the browser's own mini-bar) and settings
//! makes it when the customer asks. Browsers without the event (Safari, Firefox) show no button:
//! there, installing is the browser's "Add to Home Screen".
//!
//! The offer is kept on the page (`window.tesseraInstallOffer`), not in one wasm's memory: the
//! wallet hears it at once, and settings, shown by the account module loaded later, finds it
//! there.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::js_sys::{Function, Reflect};

/// The browser's install offer, while there is one.
#[derive(Clone, Copy)]
pub struct InstallOffer(RwSignal<Option<web_sys::Event>, LocalStorage>);

/// Where the page keeps the offer.
const KEPT: &str = "tesseraInstallOffer";

/// Keeps `offer` on the page (or forgets it).
fn keep(offer: Option<&web_sys::Event>) {
    let value = offer.map_or(wasm_bindgen::JsValue::UNDEFINED, |e| e.into());
    let _ = Reflect::set(&window(), &KEPT.into(), &value);
}

impl InstallOffer {
    /// The offer the page kept, and any the browser makes from now on; dropped once the app is
    /// installed.
    pub fn listening() -> Self {
        let kept = Reflect::get(&window(), &KEPT.into())
            .ok()
            .and_then(|offer| offer.dyn_into::<web_sys::Event>().ok());
        let offer = RwSignal::new_local(kept);
        window_event_listener_untyped("beforeinstallprompt", move |event| {
            event.prevent_default();
            keep(Some(&event));
            offer.try_set(Some(event));
        });
        window_event_listener_untyped("appinstalled", move |_| {
            keep(None);
            offer.try_set(None);
        });
        InstallOffer(offer)
    }

    /// Whether the browser offers to install the app now (tracked).
    pub fn available(&self) -> bool {
        self.0.with(Option::is_some)
    }

    /// Shows the browser's install dialog. An offer is good for one dialog, whatever the answer;
    /// the browser makes a new one if the customer declined.
    pub fn prompt(&self) {
        let Some(event) = self.0.get_untracked() else {
            return;
        };
        self.0.set(None);
        keep(None);
        if let Ok(prompt) = Reflect::get(&event, &"prompt".into()) {
            if let Some(prompt) = prompt.dyn_ref::<Function>() {
                let _ = prompt.call0(&event);
            }
        }
    }
}
