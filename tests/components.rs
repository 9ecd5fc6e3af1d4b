#![cfg(target_arch = "wasm32")]
//! Component tests in a real browser (wasm-bindgen-test + headless Chromium).

use leptos::prelude::*;
use leptos_router::components::Router;
use tessera_core::api::Card;
use tessera_core::Currency;
use tessera_wallet::components::CardTile;
use tessera_wallet::i18n::I18nContextProvider;
use tessera_wallet::pages::{JoinPage, SignInPage};
use tessera_wallet::session::Auth;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::js_sys;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts `view` into a fresh container and returns the container.
fn mount<F, N>(view: F) -> web_sys::HtmlElement
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    let container: web_sys::HtmlElement =
        document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(container.clone(), view);
    // Keep the view alive for the rest of the test.
    std::mem::forget(handle);
    container
}

/// Lets effects, the async executor and the DOM settle.
async fn settle(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn query(root: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn type_into(root: &web_sys::HtmlElement, selector: &str, text: &str) {
    let input: web_sys::HtmlInputElement = query(root, selector).unchecked_into();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn requests_to(path: &str) -> u32 {
    js_sys::eval(&format!(
        "performance.getEntriesByType('resource').filter(e => e.name.includes('{path}')).length"
    ))
    .unwrap()
    .as_f64()
    .unwrap() as u32
}

#[wasm_bindgen_test]
fn card_tile_shows_program_balance_and_point_name() {
    let card = Card {
        id: "card-1".into(),
        program_id: "demo".into(),
        program_name: "Demo Coffee".into(),
        point_name: "beans".into(),
        currency: Currency::new("GEL").unwrap(),
        balance: 12_345,
        terms_version: "2026-11".into(),
        enrolled_at: 1_795_392_000_000, // 2026-11-23T00:00:00Z
    };
    let root =
        mount(move || view! { <I18nContextProvider><CardTile card=card /></I18nContextProvider> });
    assert_eq!(
        query(&root, ".card-tile__program").text_content().unwrap(),
        "Demo Coffee"
    );
    assert_eq!(
        query(&root, "[data-testid=balance]")
            .text_content()
            .unwrap(),
        "12,345"
    );
    assert_eq!(
        query(&root, ".card-tile__unit").text_content().unwrap(),
        "beans"
    );
    assert_eq!(
        query(&root, ".card-tile__since").text_content().unwrap(),
        "Member since 2026-11-23"
    );
}

#[wasm_bindgen_test]
async fn join_with_invalid_email_shows_translated_field_errors_and_sends_nothing() {
    let root = mount(|| {
        provide_context(Auth::from_storage());
        view! {
            <I18nContextProvider>
                <Router>
                    <JoinPage />
                </Router>
            </I18nContextProvider>
        }
    });
    settle(50).await;

    // The labels the end-to-end tests rely on.
    for (id, label) in [
        ("email", "Email"),
        ("password", "Password"),
        ("display_name", "Name"),
        ("phone", "Phone (optional)"),
    ] {
        let text = query(&root, &format!("label[for={id}]"))
            .text_content()
            .unwrap();
        assert_eq!(text, label);
    }
    let marketing: web_sys::HtmlInputElement = query(&root, "#marketing_opt_in").unchecked_into();
    assert!(!marketing.checked(), "marketing consent starts unticked");

    type_into(&root, "#email", "not-an-email");
    type_into(&root, "#password", "short");
    type_into(&root, "#display_name", "Nino");
    let button: web_sys::HtmlButtonElement = query(&root, "button[type=submit]").unchecked_into();
    button.click();
    settle(50).await;

    let email = query(&root, "#email");
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(email
        .get_attribute("aria-describedby")
        .unwrap()
        .contains("email-error"));
    assert_eq!(
        query(&root, "#email-error").text_content().unwrap(),
        "Enter an email address like name@example.com."
    );
    assert_eq!(
        query(&root, "#password-error").text_content().unwrap(),
        "Use at least 10 characters."
    );
    assert_eq!(
        query(&root, "#display_name")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("false")
    );
    assert_eq!(
        query(&root, "[role=alert]").text_content().unwrap(),
        "!Some fields need attention."
    );
    assert!(!button.disabled(), "nothing is in flight");
    assert_eq!(requests_to("/api/v1/auth/register"), 0);
}

#[wasm_bindgen_test]
async fn sign_in_error_is_shown_translated_and_double_submit_sends_once() {
    // The test runner's server has no /api: the login answers 404 without an ErrorBody, which the
    // client maps to a typed error; the form shows the alert and is usable again.
    let root = mount(|| {
        provide_context(Auth::from_storage());
        view! {
            <I18nContextProvider>
                <Router>
                    <SignInPage />
                </Router>
            </I18nContextProvider>
        }
    });
    settle(20).await;
    type_into(&root, "#email", "demo@example.com");
    type_into(&root, "#password", "tessera-demo");
    let button: web_sys::HtmlButtonElement = query(&root, "button[type=submit]").unchecked_into();
    button.click();
    // A second click while the first is in flight does nothing.
    button.click();
    settle(0).await;
    assert!(button.disabled(), "busy while sending");
    settle(500).await;
    assert!(!button.disabled());
    assert_eq!(requests_to("/api/v1/auth/login"), 1);
    let alert = query(&root, "[role=alert]").text_content().unwrap();
    assert_eq!(alert, "!We couldn't find that.");
}
