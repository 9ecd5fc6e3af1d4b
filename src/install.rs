//! "Install app": Chromium offers to install a PWA with a `beforeinstallprompt` event, once the
//! page loads; the wallet keeps the offer (instead of the browser's own mini-bar) and settings
//! makes it when the customer asks. Browsers without the event (Safari, Firefox) show no button:
//! there, installing is the browser's "Add to Home Screen".

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::js_sys::{Function, Reflect};

/// The browser's install offer, while there is one (provided by [`crate::app::App`]).
#[derive(Clone, Copy)]
pub struct InstallOffer(RwSignal<Option<web_sys::Event>, LocalStorage>);

impl InstallOffer {
    /// Keeps the offer the browser makes from now on, and drops it once the app is installed.
    pub fn listening() -> Self {
        let offer = RwSignal::new_local(None);
        window_event_listener_untyped("beforeinstallprompt", move |event| {
            event.prevent_default();
            offer.set(Some(event));
        });
        window_event_listener_untyped("appinstalled", move |_| offer.set(None));
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
        if let Ok(prompt) = Reflect::get(&event, &"prompt".into()) {
            if let Some(prompt) = prompt.dyn_ref::<Function>() {
                let _ = prompt.call0(&event);
            }
        }
    }
}
