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

/// The module leptos_i18n generates from `locales/en.json` (keys, English texts, `td_string!`);
/// its context, provider and locale are replaced by [`i18n`]'s.
#[allow(unused_imports, dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}

/// Translations: English compiled in (leptos_i18n's generated texts, whose keys the compiler
/// checks), the other languages a table of texts fetched at start.
///
/// A build carries only the English texts it uses; `locales/<tag>.json` becomes, at build time, a
/// table with a slot per key (`locales/catalog.rs`; xtask writes it to `dist/locales/` under a
/// name with its hash, and the service worker precaches it, so a language works offline). The
/// page's language script (`partials/head.html`) chooses the language before anything paints,
/// writes it as `<html lang>` and fetches its table alongside the wasm into
/// `globalThis.tesseraTexts`, where every wasm the page loads finds it; [`mount`] waits for it.
/// Changing the language reloads the page ([`choose`]), so a page speaks one language from
/// start to end.
///
/// `td_string!(locale, key)` and `t_string!(i18n, key)` keep leptos_i18n's syntax; the text is
/// the table's slot for `key`, else the English. `td_plural!(locale, key, n)` picks a plural
/// message's form for `n` by `Intl.PluralRules` of `locale`. Placeholders are `{name}` filled by
/// [`fill`], not leptos_i18n's `{{ name }}`, which compiles every such text into formatting code
/// of its own (2.6 KB of gzipped wasm for the card screen's sentences alone). leptos_i18n's
/// `I18nContextProvider` is not used: it would pull in leptos_meta, leptos-use and ICU locale
/// matching (about 17 KB of gzipped wasm), and a page's language needs no context.
pub mod i18n {
    include!(concat!(env!("OUT_DIR"), "/i18n/slots.rs"));
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::js_sys::{Array, Intl, Object, Reflect};

    /// A language of the wallet: its texts, plural rules and `Intl` formats.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub enum Locale {
        /// English, compiled in.
        #[default]
        En,
        /// Georgian.
        Ka,
        /// Bulgarian.
        Bg,
        /// Latvian.
        Lv,
        /// Serbian in Latin script (the tag `Intl` needs for Latin month names).
        SrLatn,
    }

    impl Locale {
        /// Every language, as the switchers list them.
        pub const ALL: [Locale; 5] = [
            Locale::En,
            Locale::Ka,
            Locale::Bg,
            Locale::Lv,
            Locale::SrLatn,
        ];

        /// The BCP 47 tag (`sr-Latn`): `<html lang>`, `Intl`, `PATCH /me`, the device's choice.
        pub fn as_str(self) -> &'static str {
            match self {
                Locale::En => "en",
                Locale::Ka => "ka",
                Locale::Bg => "bg",
                Locale::Lv => "lv",
                Locale::SrLatn => "sr-Latn",
            }
        }

        /// The language's name in itself, as a switcher shows it.
        pub fn name(self) -> &'static str {
            match self {
                Locale::En => "English",
                Locale::Ka => "ქართული",
                Locale::Bg => "Български",
                Locale::Lv => "Latviešu",
                Locale::SrLatn => "Srpski",
            }
        }

        /// The language whose tag is `tag` (as the page's language script and the server write
        /// them), if the wallet speaks it.
        pub fn from_tag(tag: &str) -> Option<Locale> {
            Locale::ALL.into_iter().find(|l| l.as_str() == tag)
        }
    }

    /// The page's language, as [`use_i18n`] gives it to a screen.
    #[derive(Clone, Copy, Debug)]
    pub struct I18nContext(Locale);

    impl I18nContext {
        /// The page's locale.
        pub fn get_locale(self) -> Locale {
            self.0
        }

        /// The page's locale (the same: a page speaks one language, see the module's note).
        pub fn get_locale_untracked(self) -> Locale {
            self.0
        }
    }

    /// Where the device keeps the reader's choice of language (the language script reads it).
    const CHOICE_KEY: &str = "tessera.language";

    /// Where the page's language script keeps the fetched table (a JS array of texts), for
    /// every wasm the page loads, and the promise of it.
    const TABLE_GLOBAL: &str = "tesseraTexts";
    const TABLE_READY: &str = "tesseraTextsReady";

    /// The page's language, as its language script (`partials/head.html`) chose it before the
    /// first paint: the device's choice ([`choose`]), else the first of the browser's languages
    /// the wallet speaks, else English; written as `<html lang>`.
    pub fn chosen() -> Locale {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|tag| Locale::from_tag(&tag))
            .unwrap_or_default()
    }

    /// Keeps `locale` as the device's choice and reloads the page in it.
    pub fn choose(locale: Locale) {
        keep_choice(locale);
        let _ = window().location().reload();
    }

    /// Keeps `locale` as the device's choice (the language script reads it at the next start).
    pub fn keep_choice(locale: Locale) {
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item(CHOICE_KEY, locale.as_str());
        }
    }

    /// Forgets the device's choice (the browser's languages decide again from the next start);
    /// whether there was one.
    pub fn forget_choice() -> bool {
        let Ok(Some(storage)) = window().local_storage() else {
            return false;
        };
        let kept = storage.get_item(CHOICE_KEY).ok().flatten().is_some();
        let _ = storage.remove_item(CHOICE_KEY);
        kept
    }

    /// The fetch of the page's table, while the language script has one under way.
    pub fn table_coming() -> Option<web_sys::js_sys::Promise> {
        Reflect::get(&web_sys::js_sys::global(), &JsValue::from_str(TABLE_READY))
            .ok()?
            .dyn_into()
            .ok()
    }

    thread_local! {
        /// The page's table as this wasm first read it (texts live as long as the page; an
        /// empty one is a slot the language leaves to English).
        static TABLE: &'static [Option<&'static str>] = read_table();
    }

    fn read_table() -> &'static [Option<&'static str>] {
        let table = Reflect::get(&web_sys::js_sys::global(), &JsValue::from_str(TABLE_GLOBAL))
            .ok()
            .and_then(|t| t.dyn_into::<Array>().ok());
        let texts: Vec<Option<&'static str>> = table
            .iter()
            .flat_map(|t| t.iter())
            .map(|t| t.as_string().filter(|t| !t.is_empty()))
            .map(|t| t.map(|t| &*t.leak()))
            .collect();
        Box::leak(texts.into_boxed_slice())
    }

    /// The page's table's text at `slot`, if it has one. (A thin answer and not inlined: every
    /// text of a screen asks it, see [`text`].)
    #[inline(never)]
    fn translated(slot: u16) -> Option<&'static &'static str> {
        TABLE.with(|table| table.get(usize::from(slot))?.as_ref())
    }

    /// The text of a [`td_entry!`]: the page's table's at its slot, else its English.
    #[inline(always)]
    pub fn text_of((slot, english): (u16, &'static str)) -> &'static str {
        text(slot, english)
    }

    /// The text in the page's table at `slot`, else `english`. Inlined into each text's place,
    /// where it is a call with one number and the English as constants (a call answering a
    /// whole `&str` costs each place a stack slot and two loads: about 450 bytes of gzipped wasm
    /// over the clubs module's texts).
    #[inline(always)]
    pub fn text(slot: u16, english: &'static str) -> &'static str {
        match translated(slot) {
            Some(text) => text,
            None => english,
        }
    }

    /// A plural message's text for `count` in `locale`: the form of the category
    /// `Intl.PluralRules` gives (`few` for 3 in Serbian), at its slot after `slot`, else English's
    /// `one` or `other`.
    #[inline(never)]
    pub fn plural(
        locale: Locale,
        slot: u16,
        count: i64,
        one: &'static str,
        other: &'static str,
    ) -> &'static str {
        let locales = Array::of1(&JsValue::from_str(locale.as_str()));
        let category = Intl::PluralRules::new(&locales, &Object::new())
            .select(count as f64)
            .as_string()
            .unwrap_or_default();
        let index = ["zero", "one", "two", "few", "many", "other"]
            .iter()
            .position(|c| *c == category)
            .unwrap_or(5);
        let english = if category == "one" { one } else { other };
        text(slot + index as u16, english)
    }

    /// `template` (a translation) with each `{name}` replaced by its value in `args`; a name not
    /// in `args` stays as it is.
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

    /// The page's language, as the screens ask for it (a page speaks one language, so no
    /// reactive context is needed: the language script fixed it before the wasm started).
    pub fn use_i18n() -> I18nContext {
        I18nContext(chosen())
    }

    /// `td_string!(locale, key)`: the text of `key` in the page's language.
    macro_rules! td_string {
        ($locale:expr, $($key:tt)*) => {{
            let _ = $locale;
            $crate::i18n::text_of($crate::i18n::td_entry!($($key)*))
        }};
    }

    /// `td_entry!(key)`: `key`'s slot and English text, for [`text_of`]. A table of messages
    /// (`match code { A => td_entry!(a), ... }`) passes one to one `text_of` call: constants in
    /// each arm, which the compiler keeps as a lookup table, instead of a call in each.
    macro_rules! td_entry {
        ($first:ident $(. $rest:ident)*) => {
            (
                $crate::i18n::keys::$first$(::$rest)*,
                $crate::generated::i18n::td_string!(
                    $crate::generated::i18n::Locale::en, $first$(.$rest)*
                ),
            )
        };
    }

    /// `td_plural!(locale, key, count)`: the form of the plural message `key` for `count`.
    macro_rules! td_plural {
        ($locale:expr, $first:ident $(. $rest:ident)*, $count:expr) => {
            $crate::i18n::plural(
                $locale,
                $crate::i18n::keys::$first$(::$rest)*,
                $count as i64,
                $crate::generated::i18n::td_string!(
                    $crate::generated::i18n::Locale::en, $first$(.$rest)*.one
                ),
                $crate::generated::i18n::td_string!(
                    $crate::generated::i18n::Locale::en, $first$(.$rest)*.other
                ),
            )
        };
    }

    /// `t_string!(i18n, key)`: [`td_string!`] in the context's language.
    macro_rules! t_string {
        ($i18n:expr, $($rest:tt)*) => {
            $crate::i18n::td_string!(($i18n).get_locale_untracked(), $($rest)*)
        };
    }

    /// `t_plural!(i18n, key, count)`: [`td_plural!`] in the context's language.
    #[allow(unused_macros)]
    macro_rules! t_plural {
        ($i18n:expr, $($rest:tt)*) => {
            $crate::i18n::td_plural!(($i18n).get_locale_untracked(), $($rest)*)
        };
    }

    #[allow(unused_imports)]
    pub(crate) use t_plural;
    pub(crate) use t_string;
    pub(crate) use td_entry;
    pub(crate) use td_plural;
    pub(crate) use td_string;
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
///
/// A language other than English has its table fetched by the page's language script: the first
/// paint waits for it (from the service worker's cache once installed), so it is already in it.
pub fn mount<V: leptos::IntoView + 'static>(app: fn() -> V) {
    match i18n::table_coming() {
        None => replace_boot_shell(app),
        // Before the app mounts, Leptos has no executor yet: wasm-bindgen's runs the wait.
        Some(table) => wasm_bindgen_futures::spawn_local(async move {
            // A failed fetch leaves the texts English.
            let _ = wasm_bindgen_futures::JsFuture::from(table).await;
            replace_boot_shell(app);
        }),
    }
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
