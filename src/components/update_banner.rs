//! "A new version is ready · Reload": the service worker installs a new build in the background
//! and lets it wait (no `skipWaiting` on install), so the wallet never changes under a customer at
//! the till; this banner offers the switch, and the page reloads once the new build has taken over.
//!
//! The wallet only talks to the build that controls it (`public/sw.template.js`): it asks
//! "update?" at start, hears "update-ready" (then, or when a new build finishes installing), and
//! sends "take-over" on "Reload", which the controlling build passes on to the new one.

use crate::i18n::*;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, ServiceWorkerContainer};

/// The banner, shown once the service worker says a new build waits.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let i18n = use_i18n();
    let ready = RwSignal::new(false);
    if let Some(workers) = crate::service_workers() {
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if event.data().as_string().as_deref() == Some("update-ready") {
                ready.try_set(true);
            }
        });
        workers.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        tell(&workers, "update?");
    }
    move || {
        ready.get().then(|| {
            view! {
                <div class="update" role="status">
                    <p class="update__text">{t_string!(i18n, update.ready)}</p>
                    <button
                        type="button"
                        class="btn btn--primary update__reload"
                        on:click=move |_| take_over()
                    >
                        {t_string!(i18n, update.reload)}
                    </button>
                </div>
            }
        })
    }
}

/// Sends `message` to the build that controls the page, if one does.
fn tell(workers: &ServiceWorkerContainer, message: &str) {
    if let Some(controller) = workers.controller() {
        let _ = controller.post_message(&JsValue::from_str(message));
    }
}

/// Asks for the waiting build to take over, and reloads when it has.
fn take_over() {
    let Some(workers) = crate::service_workers() else {
        return;
    };
    let reload = Closure::<dyn Fn()>::new(|| {
        let _ = window().location().reload();
    });
    workers.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
    reload.forget();
    tell(&workers, "take-over");
}
