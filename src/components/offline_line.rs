//! The quiet line a screen shows above what it kept while the server cannot be reached.

use super::reader_fmt;
use crate::i18n::*;
use leptos::prelude::*;

/// "Offline · as of 14:32" (today), "… as of yesterday 14:32", or "… as of 3 Dec, 14:32": when
/// the answer shown came, while the latest request for it got none (`since`, unix ms; nothing
/// when `None`).
#[component]
pub fn OfflineLine(#[prop(into)] since: Signal<Option<f64>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        since.get().map(|at| {
            let (fmt, locale) = (reader_fmt(), i18n.get_locale_untracked());
            let time = fmt.time(at);
            let text = match fmt.days_ago(at) {
                0 => fill(td_string!(locale, offline.today), &[("time", &time)]),
                1 => fill(td_string!(locale, offline.yesterday), &[("time", &time)]),
                _ => fill(
                    td_string!(locale, offline.earlier),
                    &[("day", &fmt.local_day(at as i64)), ("time", &time)],
                ),
            };
            view! {
                <p class="offline-line" role="status">
                    {text}
                </p>
            }
        })
    }
}
