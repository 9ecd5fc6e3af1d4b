//! The language switcher of the screens before signing in and of the console.

use crate::i18n::*;
use leptos::prelude::*;

/// The wallet's languages, each by its own name; choosing one keeps it on the device and reloads
/// the page in it. (Signed in, settings' details keep the choice on the account too.)
#[component]
pub fn LanguageChoice() -> impl IntoView {
    let i18n = use_i18n();
    let current = i18n.get_locale_untracked();
    let options = Locale::ALL
        .map(|locale| {
            view! {
                <option value=locale.as_str() lang=locale.as_str() selected=locale == current>
                    {locale.name()}
                </option>
            }
        })
        .collect_view();
    view! {
        <p class="language-choice">
            <label class="language-choice__label" for="language">
                {t_string!(i18n, details.language)}
            </label>
            <select
                class="language-choice__select"
                id="language"
                on:change=move |event| {
                    if let Some(locale) = Locale::from_tag(&event_target_value(&event)) {
                        choose(locale);
                    }
                }
            >
                {options}
            </select>
        </p>
    }
}
