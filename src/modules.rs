//! The wallet's other apps shown inside its page, with no page load: each is a wasm module of its
//! own (a binary of this crate built into `dist/<name>/` without hashes in its file names), which
//! the wallet imports after its first paint (`index.html`'s `tesseraLoadApp`: from the service
//! worker's cache, compiled off the main thread) and asks to show a screen in an element of a
//! route of its own. Two reasons to be apart: the wallet's first load has a byte budget, and a
//! module can grow without the wallet's first paint paying for it.
//!
//! - The checkout code ([`CodeModule`], `src/bin/tessera-code.rs`, `crate::code_screen`): a tap
//!   on "Show code" shows it at once. Until the module is loaded (or if it cannot be), "Show
//!   code" stays a link that loads the code page, which the server and the service worker serve
//!   at the same address.
//! - The wallet's areas ([`AreasModule`], `crate::areas`): the areas module
//!   (`src/bin/tessera-areas.rs`: rewards and vouchers, which in the wallet cost its first load
//!   35 KB, `bench size`, 2026-12-07), loaded after the first paint; and the memberships module
//!   (`src/bin/tessera-memberships.rs`: clubs, which put the areas module 40 KB over its budget),
//!   loaded when a clubs screen is first opened, and the entry module (`src/bin/tessera-entry.rs`:
//!   a closed program, whose screen with the application form put the areas module 30 KB and
//!   the memberships module 4.5 KB over their budgets), loaded when one is first opened; the
//!   account module (`src/bin/tessera-account.rs`: the customer's details, consents and
//!   password) and the trust module (`src/bin/tessera-trust.rs`: sessions, the customer's data
//!   and a program's new terms), apart because together they were 6 KB over a module's budget,
//!   each loaded when one of its screens is first opened. A route
//!   reached before its module is loaded shows a loading state until it is.
//! - The console's club parts (`crate::till::clubs`, `src/bin/tessera-till-clubs.rs`): taking
//!   club fees and the managers' applications, loaded when the console first needs one.
//!
//! Each module exports `show(host, path)` (a screen in place of any shown before; `Err` if the
//! module failed: it is another wasm, and its failure must not become this one's) and `hide()`.
//! Links in a module's screens are the wallet's router's (it handles every anchor's click in
//! the page), so moving between them changes the wallet's route, which shows the next.

use leptos::html::Div;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The module of app `name` (`/{name}/tessera-{name}.js`), instantiated, once its stylesheet
    /// `/{name}/{css}` has loaded too when it has one (`index.html`'s script).
    #[wasm_bindgen(catch, js_name = tesseraLoadApp)]
    async fn load_app(name: &str, css: Option<&str>) -> Result<JsValue, JsValue>;

    /// An app's module.
    pub type AppModule;

    /// Shows the screen of `path` in `host`, in place of any shown before.
    #[wasm_bindgen(method, catch)]
    fn show(this: &AppModule, host: &web_sys::HtmlElement, path: &str) -> Result<(), JsValue>;

    /// Removes the screen shown.
    #[wasm_bindgen(method)]
    fn hide(this: &AppModule);
}

/// An app's module as this page has it: `None` until it is loaded (and for good if it cannot
/// be); and the number of the route element whose screen it shows (0: none).
#[derive(Clone, Copy)]
pub(crate) struct Loaded(RwSignal<Option<AppModule>, LocalStorage>, StoredValue<u64>);

/// A number for each route element that shows a module's screen, so that one that goes knows
/// whether the screen shown is still its own.
pub(crate) fn next_route_number() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Loaded {
    /// A module not loaded yet (see [`Loaded::load`]).
    pub(crate) fn new() -> Self {
        Loaded(RwSignal::new_local(None), StoredValue::new(0))
    }

    /// Loads app `name`'s module (and stylesheet `css`) once the first frame is painted, which it
    /// must not delay; `failed` is set if it cannot be loaded.
    fn after_first_paint(
        name: &'static str,
        css: Option<&'static str>,
        failed: Option<RwSignal<bool>>,
    ) -> Self {
        let module = Loaded::new();
        crate::after_next_paint(move || module.load(name, css, failed));
        module
    }

    /// Whether the module is loaded (tracked).
    pub(crate) fn ready(self) -> bool {
        self.0.with(Option::is_some)
    }

    /// Starts loading app `name`'s module; `failed` is set if it cannot be loaded.
    pub(crate) fn load(
        self,
        name: &'static str,
        css: Option<&'static str>,
        failed: Option<RwSignal<bool>>,
    ) {
        leptos::task::spawn_local(async move {
            match load_app(name, css).await {
                Ok(app) => {
                    self.0.try_set(Some(app.unchecked_into()));
                }
                Err(_) => {
                    failed.map(|f| f.try_set(true));
                }
            }
        });
    }

    /// Shows `path` in `host` for route element `by` ([`next_route_number`]): `None` while the
    /// module is not loaded (untracked).
    pub(crate) fn show(
        self,
        host: &web_sys::HtmlElement,
        path: &str,
        by: u64,
    ) -> Option<Result<(), JsValue>> {
        let shown = self
            .0
            .with_untracked(|app| app.as_ref().map(|app| app.show(host, path)));
        if shown.is_some() {
            self.1.set_value(by);
        }
        shown
    }

    /// Removes what the module shows for route element `by`, if the screen is still its own: a
    /// route left for another of the same module's (a reward from the catalog) is cleaned up
    /// after the new one showed its screen, which must stay.
    pub(crate) fn hide(self, by: u64) {
        if self.1.try_get_value() != Some(by) {
            return;
        }
        self.1.try_set_value(0);
        self.0
            .try_with_untracked(|app| app.as_ref().map(AppModule::hide));
    }
}

/// The checkout code app's module, provided by the wallet.
#[derive(Clone, Copy)]
pub struct CodeModule(Loaded);

impl CodeModule {
    /// Loads the module once the first frame is painted.
    pub fn loading() -> Self {
        CodeModule(Loaded::after_first_paint("code", Some("code.css"), None))
    }

    /// Whether "Show code" can show the screen in this page (tracked): the wallet provides the
    /// module and it is loaded.
    pub fn ready() -> bool {
        use_context::<CodeModule>().is_some_and(|module| module.0 .0.with(Option::is_some))
    }
}

/// `/cards/{id}/code` in the wallet's page: the code app's screen over the wallet. Reached by
/// "Show code" once the module is loaded; reached before (Back or Forward to it), the address is
/// loaded afresh, and the code page answers it.
#[component]
pub fn CodeRoute() -> impl IntoView {
    let location = use_location();
    let module = use_context::<CodeModule>();
    let host = NodeRef::<Div>::new();
    let number = next_route_number();
    Effect::new(move |_| {
        let Some(host) = host.get() else {
            return;
        };
        let path = location.pathname.get();
        // The address changes before the route goes: another route's address is not for this one.
        if crate::code_screen::card_id(&path).is_none() {
            return;
        }
        match module.and_then(|module| module.0.show(&host, &path, number)) {
            Some(Ok(())) => focus_screen(&host),
            // Not loaded (or failed): the code page answers this address.
            _ => {
                let _ = window().location().reload();
            }
        }
    });
    on_cleanup(move || {
        if let Some(module) = module {
            module.0.hide(number);
        }
    });
    view! { <div class="code-host" node_ref=host></div> }
}

/// The modules of the wallet's areas (`crate::areas`), provided by the wallet: the areas module
/// (rewards and vouchers), loaded after the first paint, and the memberships module (clubs), the
/// entry module (a closed program), the account module (details and password) and the trust
/// module (sessions, data, new terms), each loaded when one of its screens is first opened.
#[derive(Clone, Copy)]
pub struct AreasModule {
    areas: Loaded,
    memberships: OnDemand,
    entry: OnDemand,
    account: OnDemand,
    trust: OnDemand,
    /// Set when a module could not be loaded (offline before the service worker had it).
    failed: RwSignal<bool>,
}

/// A module loaded the first time it is asked for.
#[derive(Clone, Copy)]
struct OnDemand {
    loaded: Loaded,
    asked: StoredValue<bool>,
}

impl OnDemand {
    fn new() -> Self {
        OnDemand {
            loaded: Loaded::new(),
            asked: StoredValue::new(false),
        }
    }

    /// The module `name`, asked for now if it was not.
    fn get(self, name: &'static str, failed: RwSignal<bool>) -> Loaded {
        if !self.asked.get_value() {
            self.asked.set_value(true);
            self.loaded.load(name, None, Some(failed));
        }
        self.loaded
    }
}

impl AreasModule {
    /// Loads the areas module once the first frame is painted.
    pub fn loading() -> Self {
        let failed = RwSignal::new(false);
        AreasModule {
            areas: Loaded::after_first_paint("areas", None, Some(failed)),
            memberships: OnDemand::new(),
            entry: OnDemand::new(),
            account: OnDemand::new(),
            trust: OnDemand::new(),
            failed,
        }
    }

    /// The module named `name` ([`crate::areas::Area::module`]), asked for now if it was not.
    fn module(self, name: &'static str) -> Loaded {
        match name {
            "areas" => self.areas,
            "entry" => self.entry.get(name, self.failed),
            "account" => self.account.get(name, self.failed),
            "trust" => self.trust.get(name, self.failed),
            _ => self.memberships.get(name, self.failed),
        }
    }
}

/// An address of the modules' (`crate::areas::Area::of`: rewards, vouchers, clubs, programs,
/// settings; the wallet's router's fallback, `crate::app`): its screen, shown by its module as
/// soon as it is loaded.
#[component]
pub fn AreaRoute() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let location = use_location();
    let areas = expect_context::<AreasModule>();
    let host = NodeRef::<Div>::new();
    let number = next_route_number();
    let shown = RwSignal::new(false);
    // The module showing this route's screen, once it showed one.
    let showing = StoredValue::new(None::<Loaded>);
    Effect::new(move |_| {
        let Some(host) = host.get() else {
            return;
        };
        let path = location.pathname.get();
        // The address changes before the route goes: another route's address is not for this one.
        let Some(area) = crate::areas::Area::of(&path) else {
            return;
        };
        let module = areas.module(area.module());
        // Tracked: the module arriving shows the screen.
        module.0.track();
        if let Some(result) = module.show(&host, &path, number) {
            showing.set_value(Some(module));
            shown.set(result.is_ok());
            if result.is_err() {
                areas.failed.set(true);
            }
        }
    });
    on_cleanup(move || {
        if let Some(Some(module)) = showing.try_get_value() {
            module.hide(number);
        }
    });
    let waiting = move || {
        (!shown.get()).then(|| {
            if areas.failed.get() {
                view! {
                    <div class="state state--error" role="alert">
                        <h1 class="state__title">{crate::i18n::t_string!(i18n, areas.error_title)}</h1>
                        <p class="state__body">{crate::i18n::t_string!(i18n, errors.network)}</p>
                        <button class="btn btn--secondary" type="button"
                            on:click=move |_| { let _ = window().location().reload(); }>
                            {crate::i18n::t_string!(i18n, cards.retry)}
                        </button>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <div class="cards" aria-busy="true">
                        <p class="sr-only" role="status">{crate::i18n::t_string!(i18n, loading)}</p>
                        <crate::components::CardTileSkeleton />
                    </div>
                }
                .into_any()
            }
        })
    };
    view! {
        <div class="area-host" node_ref=host></div>
        {waiting}
    }
}

/// Moves the focus to the code screen shown in `host`, as a page load would move it to the top:
/// the link tapped is under the screen now.
fn focus_screen(host: &web_sys::HtmlElement) {
    if let Ok(Some(screen)) = host.query_selector("section") {
        let _ = screen.set_attribute("tabindex", "-1");
        let _ = screen.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}
