//! Invitation codes to share (a club's, `super::clubs`, or a closed program's,
//! `super::program_entry`): each with its date and a way to share it (the Web Share API where
//! the browser has it, the clipboard otherwise).

use super::clubs::Acting;
use crate::components::FormAlert;
use crate::format::Fmt;
use crate::i18n::*;
use leptos::prelude::*;
use tessera_core::api::InvitationView;
use wasm_bindgen::JsValue;

/// Invitation codes (a club's or a closed program's), each with its date and a way to share
/// `message(code)`, how many are left this year, and a button that calls `make` for a new one
/// (disabled while `state` is sending or none are left).
pub(super) fn invitation_panel(
    codes: &[InvitationView],
    left: u32,
    message: impl Fn(&str) -> String,
    state: RwSignal<Acting>,
    make: impl Fn() + 'static,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    let codes = codes
        .iter()
        .map(|invitation| {
            let when = if invitation.used {
                td_string!(locale, clubs.invitation_used).to_owned()
            } else {
                fill(
                    td_string!(locale, clubs.invitation_valid),
                    &[("date", &fmt.local_day(invitation.expires_at - 1))],
                )
            };
            let share = (!invitation.used).then(|| share_button(message(&invitation.code), locale));
            view! {
                <li class="event">
                    <strong data-testid="invitation-code">{invitation.code.clone()}</strong>
                    <span class="reward__note">{when}</span>
                    {share}
                </li>
            }
        })
        .collect_view();
    let left_text = fill(
        td_plural!(locale, clubs.invitations_left, left),
        &[("count", &fmt.points(i64::from(left)))],
    );
    let none_left = left == 0;
    let sending = move || state.with(|s| matches!(s, Acting::Sending));
    let error = Signal::derive(move || state.with(super::clubs::failed));
    view! {
        <section class="panel" aria-labelledby="invitations-title">
            <h2 class="panel__title" id="invitations-title">{td_string!(locale, clubs.invitations_title)}</h2>
            <p class="reward__note">{left_text}</p>
            <ul class="lines" role="list">{codes}</ul>
            <FormAlert message=error />
            <button class="btn btn--secondary" type="button" disabled=move || none_left || sending()
                on:click=move |_| make()>
                {td_string!(locale, clubs.invite)}
            </button>
        </section>
    }
}

/// "Share" (the system's share sheet) where the browser has the Web Share API, else "Copy"
/// (the clipboard), which says "Copied" once done.
fn share_button(message: String, locale: Locale) -> impl IntoView {
    let navigator = web_sys::window().map(|w| w.navigator());
    let has = |name: &str| {
        navigator.as_ref().is_some_and(|n| {
            web_sys::js_sys::Reflect::has(n, &JsValue::from_str(name)).unwrap_or(false)
        })
    };
    let can_share = has("share");
    let can_copy = has("clipboard");
    let copied = RwSignal::new(false);
    let press = move |_| {
        let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
            return;
        };
        if can_share {
            let data = web_sys::ShareData::new();
            data.set_text(&message);
            // Dismissing the sheet rejects the promise: nothing to say about it.
            let _ = navigator.share_with_data(&data);
        } else if can_copy {
            let _ = navigator.clipboard().write_text(&message);
            copied.set(true);
        }
    };
    (can_share || can_copy).then(|| {
        view! {
            <button class="btn btn--secondary" type="button" on:click=press>
                {move || match (can_share, copied.get()) {
                    (true, _) => td_string!(locale, clubs.share),
                    (false, false) => td_string!(locale, clubs.copy),
                    (false, true) => td_string!(locale, clubs.copied),
                }}
            </button>
        }
    })
}
