//! "A new version is ready · Reload": the service worker installs a new build in the background
//! and lets it wait (no `skipWaiting` on install), so the wallet never changes under a customer at
//! the till; this banner offers the switch, and the page reloads once the new build has taken over.

use crate::i18n::*;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration};

/// The banner, shown while a new build waits.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let i18n = use_i18n();
    let waiting = RwSignal::new_local(None::<ServiceWorker>);
    if let Some(workers) = container() {
        leptos::task::spawn_local(watch(workers, waiting));
    }
    move || {
        waiting.get().map(|worker| {
            view! {
                <div class="update" role="status">
                    <p class="update__text">{t_string!(i18n, update.ready)}</p>
                    <button
                        type="button"
                        class="btn btn--primary update__reload"
                        on:click=move |_| take_over(&worker)
                    >
                        {t_string!(i18n, update.reload)}
                    </button>
                </div>
            }
        })
    }
}

/// The page's service worker container; `None` where there is none (an insecure origin).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = window().navigator();
    let has = web_sys::js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker"));
    has.unwrap_or(false).then(|| navigator.service_worker())
}

/// Puts a build that waits into `waiting`: one waiting now, or one found later once installed.
async fn watch(
    workers: ServiceWorkerContainer,
    waiting: RwSignal<Option<ServiceWorker>, LocalStorage>,
) {
    let Ok(ready) = workers.ready() else { return };
    let Ok(registration) = JsFuture::from(ready).await else {
        return;
    };
    let registration: ServiceWorkerRegistration = registration.unchecked_into();
    // Only an update waits: the first build takes over at once, and a page it does not control
    // yet has nothing to reload from.
    let offer = move |registration: &ServiceWorkerRegistration| {
        if workers.controller().is_some() {
            if let Some(worker) = registration.waiting() {
                waiting.try_set(Some(worker));
            }
        }
    };
    offer(&registration);
    let found = registration.clone();
    let on_found = Closure::<dyn Fn()>::new(move || {
        if let Some(installing) = found.installing() {
            let (registration, offer) = (found.clone(), offer.clone());
            let on_state = Closure::<dyn Fn()>::new(move || offer(&registration));
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        }
    });
    registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();
}

/// Asks the waiting build to take over, and reloads when it has.
fn take_over(worker: &ServiceWorker) {
    if let Some(workers) = container() {
        let reload = Closure::<dyn Fn()>::new(|| {
            let _ = window().location().reload();
        });
        workers.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
        reload.forget();
    }
    let _ = worker.post_message(&JsValue::from_str("skip-waiting"));
}
