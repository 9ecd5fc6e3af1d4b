//! What the wallet's browser tests share: mounting a view, typing into it, and waiting for what a
//! user would wait for (never a fixed time).

#![allow(dead_code)]

use leptos::prelude::*;
use tessera_core::api::{Card, DiscountView};
use tessera_core::discount::DiscountKind;
use tessera_core::Currency;
use wasm_bindgen::JsCast;
use web_sys::js_sys;

/// How long [`wait_for`] waits before it fails the test.
const PATIENCE_MS: f64 = 5_000.0;

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts `view` into a fresh container in the document and returns the container; the view
/// lives for the rest of the test. It starts with the browser's own `fetch`, whatever a test
/// before it left (see [`FakeFetch`]).
pub fn mount<F, N>(view: F) -> web_sys::HtmlElement
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    restore_fetch();
    mount_view(view)
}

/// [`mount`] with the network answered by `fake` (a JS function expression) from the start, its
/// requests at mount included, for as long as the returned guard lives.
pub fn mount_faked<F, N>(fake: &str, view: F) -> (web_sys::HtmlElement, FakeFetch)
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    restore_fetch();
    let fake = FakeFetch::install(fake);
    (mount_view(view), fake)
}

fn mount_view<F, N>(view: F) -> web_sys::HtmlElement
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    let container: web_sys::HtmlElement =
        document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    std::mem::forget(leptos::mount::mount_to(container.clone(), view));
    container
}

/// Types `text` into the input `selector` finds under `root`, as the input event a user's typing
/// fires.
pub fn type_into(root: &web_sys::HtmlElement, selector: &str, text: &str) {
    let input: web_sys::HtmlInputElement = root
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

/// Waits until `condition` holds, looking again after each turn of the browser's event loop
/// (requests, effects and renders run in between); fails the test naming `what` when it still
/// does not hold after a few seconds.
pub async fn wait_for(what: &str, condition: impl Fn() -> bool) {
    let start = js_sys::Date::now();
    while !condition() {
        if js_sys::Date::now() - start > PATIENCE_MS {
            panic!("waited {PATIENCE_MS} ms for {what}");
        }
        next_turn().await;
    }
}

/// One turn of the event loop (a zero timer).
pub async fn next_turn() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// `window.fetch` answered by a fake while the guard lives ([`mount_faked`]). A test that fails
/// does not drop its guard (a panic in wasm aborts: no `Drop` runs, and the panic hook cannot be
/// changed once a test has panicked), so [`mount`] and [`mount_faked`], which every screen test
/// starts with, put the browser's own `fetch` back first: a failing test never leaves the
/// network faked for the tests after it.
pub struct FakeFetch(());

impl FakeFetch {
    /// Answers `window.fetch` with `fake` from now on (a screen already mounted included).
    pub fn install(fake: &str) -> Self {
        js_sys::eval(&format!(
            "window.__realFetch = window.__realFetch || window.fetch; window.fetch = {fake};"
        ))
        .unwrap();
        FakeFetch(())
    }
}

impl Drop for FakeFetch {
    fn drop(&mut self) {
        restore_fetch();
    }
}

fn restore_fetch() {
    let _ = js_sys::eval("if (window.__realFetch) window.fetch = window.__realFetch;");
}

/// Whether `window.fetch` is the browser's own.
pub fn fetch_is_real() -> bool {
    js_sys::eval("!window.__realFetch || window.fetch === window.__realFetch")
        .unwrap()
        .as_bool()
        .unwrap()
}

/// A card with nothing pending, expiring or to reach (GEL, 12,345 "beans").
pub fn bare_card() -> Card {
    Card {
        id: "card-1".into(),
        program_id: "demo".into(),
        program_name: "Demo Coffee".into(),
        point_name: "beans".into(),
        currency: Currency::new("GEL").unwrap(),
        balance: 12_345,
        terms_version: "2026-11".into(),
        enrolled_at: 1_795_392_000_000, // 2026-11-23T00:00:00Z
        pending: vec![],
        expiring: vec![],
        tier: None,
        discount: DiscountView {
            kind: DiscountKind::None,
            rate_bp: 0,
            next_rate_bp: None,
            next_spend_minor: None,
            drops_at: None,
        },
        next_reward: None,
        changes: Vec::new(),
        last_code_at: None,
        club_discount_bp: None,
    }
}
