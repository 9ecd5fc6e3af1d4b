//! The Tessera wallet: a Leptos (client-side rendered) PWA.
//!
//! `main.rs` only mounts [`app::App`]; everything lives here so `tests/` can mount components.

pub mod api;
pub mod app;
pub mod areas;
pub mod checkout_key;
pub mod code_screen;
pub mod components;
pub mod format;
pub mod install;
pub mod json;
pub mod kept;
pub mod messages;
pub mod modules;
pub mod next_step;
pub mod pages;
pub mod session;
pub mod till;
pub mod wake_lock;
pub mod welcome;

/// The module leptos_i18n generates from `locales/*.json` (keys, translations, `td!`...); its
/// context, provider and `t!` are replaced by [`i18n`]'s lighter ones.
#[allow(unused_imports, dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}

/// Translations: the generated keys and macros of leptos_i18n, with a lighter context.
///
/// `t!`/`t_string!` keep their leptos_i18n syntax (`t!(i18n, key, arg = ...)`) but read the locale
/// from [`i18n::I18nContext`], a plain signal, and hand it to leptos_i18n's `td!`/`td_string!`.
///
/// Screens use `t_string!`: a text fixed when the view is built. Every reactive `t!` view costs
/// about 90 bytes of gzipped wasm (4.2 KB for the 46 texts the screens had), and the locale does
/// not change while a screen is shown; a locale switcher would rebuild the app under the new
/// locale rather than patch every text.
/// The generated `I18nContextProvider` would also pull in leptos_meta (for `<Html lang>`),
/// leptos-use (`navigator.languages` listener) and ICU locale parsing and matching: about
/// 17 KB of gzipped wasm for a wallet that ships one locale.
pub mod i18n {
    pub use crate::generated::i18n::{
        td, td_display, td_string, I18nKeys, I18nLocaleTrait, Locale,
    };
    use leptos::prelude::*;

    /// The current locale, provided by [`I18nContextProvider`].
    #[derive(Clone, Copy, Debug)]
    pub struct I18nContext(RwSignal<Locale>);

    impl I18nContext {
        /// The current locale (tracked).
        pub fn get_locale(self) -> Locale {
            self.0.get()
        }

        /// The current locale (untracked).
        pub fn get_locale_untracked(self) -> Locale {
            self.0.get_untracked()
        }

        /// Switches the locale; every translated text updates.
        pub fn set_locale(self, locale: Locale) {
            self.0.set(locale);
        }
    }

    /// `template` (a translation) with each `{name}` replaced by its value in `args`; a name not
    /// in `args` stays as it is.
    ///
    /// The wallet's placeholders are `{name}` filled by this one function, not leptos_i18n's
    /// `{{ name }}`, which compiles every such text into formatting code of its own (2.6 KB of
    /// gzipped wasm for the card screen's sentences alone).
    pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                let (_, value) = args.iter().find(|(n, _)| *n == name)?;
                Some((close, *value))
            });
            match value {
                Some((close, value)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The context provided by [`I18nContextProvider`]; panics without one.
    pub fn use_i18n() -> I18nContext {
        expect_context()
    }

    /// The first of the browser's preferred languages we have (exact tag, then its language
    /// subtag: `ka-GE` finds `ka`), else the default locale.
    fn preferred_locale() -> Locale {
        let languages = window().navigator().languages();
        languages
            .iter()
            .filter_map(|l| l.as_string())
            .find_map(|tag| {
                let lang = tag.split('-').next().unwrap_or_default();
                tag.parse::<Locale>().or_else(|_| lang.parse()).ok()
            })
            .unwrap_or_default()
    }

    /// Provides the [`I18nContext`] to `children` and keeps `<html lang dir>` in step with it.
    #[component]
    pub fn I18nContextProvider(children: Children) -> impl IntoView {
        let locale = RwSignal::new(preferred_locale());
        provide_context(I18nContext(locale));
        Effect::new(move |_| {
            let locale = locale.get();
            if let Some(html) = document().document_element() {
                let _ = html.set_attribute("lang", I18nLocaleTrait::as_str(locale));
                let _ = html.set_attribute("dir", I18nLocaleTrait::direction(locale).as_str());
            }
        });
        children()
    }

    /// `t!(i18n, key, args...)`: a translated view that follows the locale. The screens use
    /// `t_string!` (see the module's note); kept for a text that must follow a locale switch.
    #[allow(unused_macros)]
    macro_rules! t {
        ($i18n:expr, $($rest:tt)*) => {
            $crate::i18n::td!(($i18n).get_locale(), $($rest)*)
        };
    }

    /// `t_string!(i18n, key, args...)`: a translated string in the current locale (read
    /// untracked: the text is fixed when the view is built).
    macro_rules! t_string {
        ($i18n:expr, $($rest:tt)*) => {
            $crate::i18n::td_string!(($i18n).get_locale_untracked(), $($rest)*)
        };
    }

    #[allow(unused_imports)]
    pub(crate) use t;
    pub(crate) use t_string;
}

thread_local! {
    /// What a module's `show` export shows in the wallet's page, until its `hide` ([`modules`]).
    static SHOWN: std::cell::RefCell<Option<Box<dyn std::any::Any>>> =
        const { std::cell::RefCell::new(None) };
}

/// A module's `show` export: what `show` mounts, in place of what the module showed before.
pub fn show_instead(show: impl FnOnce() -> Box<dyn std::any::Any>) {
    console_error_panic_hook::set_once();
    hide_shown();
    let shown = show();
    SHOWN.with(|slot| *slot.borrow_mut() = Some(shown));
}

/// A module's `hide` export: removes what [`show_instead`] showed (the wallet's route was left).
pub fn hide_shown() {
    // Taken out first: dropping it runs the screen's cleanups, outside the borrow.
    let shown = SHOWN.with(|slot| slot.borrow_mut().take());
    drop(shown);
}

/// Replaces the static app shell painted by `index.html` with the running wallet.
pub fn start() {
    mount(app::App);
}

/// A route's `page` for the visitors it is for: shown while someone is signed in exactly when
/// `signed_in` says; anyone else leaves for `otherwise`, a page of another of the wallet's apps
/// ([`leave_to`]). Reactive: signing in or out, or the server ending the session, moves on at once.
///
/// Instead of `ProtectedRoute`, whose redirect cannot replace the history entry (leptos_router 0.8
/// sends no options to its `Redirect`), so Back would bounce through the guarded page; it also
/// wraps every route in a `Transition` the wallet never needs.
pub fn for_visitors<V: leptos::IntoView + 'static>(
    signed_in: bool,
    otherwise: &'static str,
    page: fn() -> V,
) -> impl leptos::IntoView {
    let auth = session::Auth::use_context();
    move || {
        if auth.signed_in() == signed_in {
            Some(page())
        } else {
            leave_to(otherwise);
            None
        }
    }
}

/// Goes to a page of another of the wallet's apps (the wallet, sign-in and join, the code
/// screen) with a full page load, replacing this one in the history so Back does not return to it.
pub fn leave_to(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(path);
    }
}

/// Replaces the static app shell painted by the page (`#boot`) with `app`, and registers the
/// service worker (shared by the wallet's apps: the wallet, sign-in and join, the code screen).
pub fn mount<V: leptos::IntoView + 'static>(app: fn() -> V) {
    replace_boot_shell(app);
    #[cfg(not(debug_assertions))]
    after_next_paint(register_service_worker);
}

/// Runs `work` once the next frame is painted (a task queued by that frame's callback): what the
/// first frame does not show waits for it, since on a slow phone every request, database read
/// and registration started before it delays the paint.
pub fn after_next_paint(work: impl FnOnce() + 'static) {
    leptos::prelude::request_animation_frame(move || {
        leptos::prelude::set_timeout(work, std::time::Duration::ZERO)
    });
}

/// Replaces the static app shell painted by the page (`#boot`) with `app`. The console calls it
/// alone: the wallet's service worker leaves `/till` to the network.
pub fn replace_boot_shell<V: leptos::IntoView + 'static>(app: fn() -> V) {
    console_error_panic_hook::set_once();
    if let Some(shell) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        shell.remove();
    }
    leptos::mount::mount_to_body(app);
}

/// Registers `/sw.js` (release builds only: a service worker gets in the way while developing).
#[cfg(not(debug_assertions))]
fn register_service_worker() {
    if let Some(workers) = service_workers() {
        let _ = workers.register("/sw.js");
    }
}

/// The page's service worker container; `None` where there is none (an insecure origin, whose
/// `navigator.serviceWorker` is undefined).
pub(crate) fn service_workers() -> Option<web_sys::ServiceWorkerContainer> {
    use wasm_bindgen::JsValue;
    let navigator = web_sys::window()?.navigator();
    web_sys::js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker"))
        .unwrap_or(false)
        .then(|| navigator.service_worker())
}
