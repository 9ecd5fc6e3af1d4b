//! The checkout code inside the wallet's page: a tap on "Show code" shows it with no page load.
//!
//! The code screen is an app of its own (`crate::code_screen`, built into `dist/code/` without
//! hashes in its file names), as the wallet's first load has a byte budget it would break. So the
//! wallet imports that app's module after its first paint ([`CodeModule::loading`], through
//! `index.html`'s `tesseraLoadCode`: from the service worker's cache, compiled off the main
//! thread) with its stylesheet, and its route `/cards/{id}/code` ([`CodeRoute`]) asks the module
//! to show the screen in the page. Until the module is loaded (or if it cannot be), "Show code"
//! stays a link that loads the code page, which the server and the service worker serve at the
//! same address.

use leptos::html::Div;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The code app's module (`src/bin/tessera-code.rs`), instantiated, once its stylesheet
    /// has loaded too (`index.html`'s script).
    #[wasm_bindgen(catch, js_name = tesseraLoadCode)]
    async fn load_code_app() -> Result<JsValue, JsValue>;

    /// The code app's module.
    type CodeApp;

    /// Shows the code screen of card `card_id` in `host`, in place of any shown before; `Err`
    /// if the module failed (it is another wasm: its failure must not become this one's).
    #[wasm_bindgen(method, catch, js_name = showCode)]
    fn show_code(this: &CodeApp, host: &web_sys::HtmlElement, card_id: &str)
        -> Result<(), JsValue>;

    /// Removes the screen shown.
    #[wasm_bindgen(method, js_name = hideCode)]
    fn hide_code(this: &CodeApp);
}

/// The code app's module as this page has it: `None` until it is loaded (and for good if it
/// cannot be). Provided by the wallet.
#[derive(Clone, Copy)]
pub struct CodeModule(RwSignal<Option<CodeApp>, LocalStorage>);

impl CodeModule {
    /// Loads the module once the first frame is painted, which it must not delay.
    pub fn loading() -> Self {
        let module = CodeModule(RwSignal::new_local(None));
        crate::after_next_paint(move || {
            leptos::task::spawn_local(async move {
                if let Ok(app) = load_code_app().await {
                    module.0.try_set(Some(app.unchecked_into()));
                }
            });
        });
        module
    }

    /// Whether "Show code" can show the screen in this page (tracked): the wallet provides the
    /// module and it is loaded.
    pub fn ready() -> bool {
        use_context::<CodeModule>().is_some_and(|module| module.0.with(Option::is_some))
    }
}

/// `/cards/{id}/code` in the wallet's page: the code app's screen over the wallet. Reached by
/// "Show code" once the module is loaded; reached before (Back or Forward to it), the address is
/// loaded afresh, and the code page answers it.
#[component]
pub fn CodeRoute() -> impl IntoView {
    let params = use_params_map();
    let module = use_context::<CodeModule>();
    let host = NodeRef::<Div>::new();
    Effect::new(move |_| {
        let Some(host) = host.get() else {
            return;
        };
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        let shown = module.and_then(|module| {
            module
                .0
                .with_untracked(|app| app.as_ref().map(|app| app.show_code(&host, &id)))
        });
        match shown {
            Some(Ok(())) => focus_screen(&host),
            // Not loaded (or failed): the code page answers this address.
            _ => {
                let _ = window().location().reload();
            }
        }
    });
    on_cleanup(move || {
        if let Some(module) = module {
            module
                .0
                .try_with_untracked(|app| app.as_ref().map(CodeApp::hide_code));
        }
    });
    view! { <div class="code-host" node_ref=host></div> }
}

/// Moves the focus to the code screen shown in `host`, as a page load would move it to the top:
/// the link tapped is under the screen now.
fn focus_screen(host: &web_sys::HtmlElement) {
    if let Ok(Some(screen)) = host.query_selector("section") {
        let _ = screen.set_attribute("tabindex", "-1");
        let _ = screen.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}
