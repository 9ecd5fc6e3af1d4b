//! `/settings/sessions`: where the customer is signed in (each session's browser and system,
//! when it began and was last used, this device marked), signing one or every other out, and "I
//! lost my phone" (after a confirmation: every other device out and its checkout codes stopped).
//!
//! Shown by the trust module (`src/bin/tessera-trust.rs`, `crate::areas`); settings links here.
//! The list is a [`Remote`], so it shows offline from what the device kept.

use super::vouchers::loading;
use crate::api::{self, ApiError, Remote, SessionAction};
use crate::components::{back_link, confirm_panel, reader_fmt, ConfirmText, Confirming, FormAlert};
use crate::i18n::*;
use crate::messages::error_message;
use leptos::prelude::*;
use tessera_core::api::{SessionView, Sessions};

/// Where an action on the sessions stands.
type Acting = Confirming<()>;

/// The customer's sessions and what they may do with them.
#[component]
pub fn SessionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Remote::<Sessions>::new(api::SESSIONS_PATH);
    // What the last action did, said above the list once it is read again.
    let done = RwSignal::new(None::<&'static str>);
    let state = RwSignal::new(Acting::Idle);
    let act = move |action: SessionAction, said: &'static str| {
        if state.with_untracked(|s| matches!(s, Acting::Sending)) {
            return;
        }
        state.set(Acting::Sending);
        leptos::task::spawn_local(async move {
            match api::session_action(action).await {
                Ok(()) => {
                    done.try_set(Some(said));
                    state.try_set(Acting::Done(()));
                    list.refetch();
                }
                Err(error) => {
                    state.try_set(Acting::Failed(error));
                }
            }
        });
    };
    let body = move || {
        let locale = i18n.get_locale_untracked();
        match list.get() {
            None => loading(td_string!(locale, sessions.loading)).into_any(),
            Some(Err(error)) => failed_list(&error, list, locale).into_any(),
            Some(Ok(shown)) => {
                let others = shown.sessions.iter().any(|s| !s.current);
                let rows = shown
                    .sessions
                    .iter()
                    .map(|s| row(s, state, act, locale))
                    .collect_view();
                let end_others = others.then(|| {
                    view! {
                        <button class="btn btn--secondary" type="button"
                            on:click=move |_| act(SessionAction::EndOthers, td_string!(locale, sessions.ended_others))>
                            {td_string!(locale, sessions.end_others)}
                        </button>
                    }
                });
                view! {
                    <ul class="lines" role="list" data-testid="sessions">{rows}</ul>
                    {end_others}
                }
                .into_any()
            }
        }
    };
    let said = move || {
        done.get()
            .map(|text| view! { <p class="page__lead" role="status" data-testid="sessions-done">{text}</p> })
    };
    let error = Signal::derive(move || {
        state.with(|s| match s {
            Acting::Failed(error) => Some(error_message(error)),
            _ => None,
        })
    });
    let lost = lost_phone(act, i18n.get_locale_untracked());
    view! {
        <section class="page" aria-labelledby="sessions-title">
            {back_link("/settings".into(), t_string!(i18n, settings.title))}
            <h1 class="page__title" id="sessions-title">{t_string!(i18n, sessions.title)}</h1>
            {said}
            <FormAlert message=error />
            {body}
            {lost}
        </section>
    }
}

/// One session: its device, when it began and was last used, and "This device" or a button
/// that signs it out.
fn row(
    session: &SessionView,
    state: RwSignal<Acting>,
    act: impl Fn(SessionAction, &'static str) + Copy + 'static,
    locale: Locale,
) -> impl IntoView {
    let fmt = reader_fmt();
    let device = match (&session.browser, &session.system) {
        (Some(browser), Some(system)) => fill(
            td_string!(locale, sessions.browser_on),
            &[("browser", browser), ("system", system)],
        ),
        (Some(name), None) | (None, Some(name)) => name.clone(),
        (None, None) => td_string!(locale, sessions.unknown_device).to_owned(),
    };
    let when = fill(
        td_string!(locale, sessions.when),
        &[
            ("since", &fmt.local_day(session.created_at)),
            ("used", &fmt.local_day(session.last_used_at)),
        ],
    );
    let end = if session.current {
        view! { <span class="reward__ready">{td_string!(locale, sessions.this_device)}</span> }
            .into_any()
    } else {
        let id = session.id.clone();
        let sending = move || state.with(|s| matches!(s, Acting::Sending));
        view! {
            <button class="btn btn--secondary" type="button" disabled=sending
                on:click=move |_| act(SessionAction::End(id.clone()), td_string!(locale, sessions.ended))>
                {td_string!(locale, sessions.end)}
            </button>
        }
        .into_any()
    };
    view! {
        <li class="event" data-testid="session">
            <strong>{device}</strong>
            <span class="reward__note">{when}</span>
            {end}
        </li>
    }
}

/// "I lost my phone": what it does, and a confirmation before it does it.
fn lost_phone(
    act: impl Fn(SessionAction, &'static str) + Copy + Send + Sync + 'static,
    locale: Locale,
) -> impl IntoView {
    let asking = RwSignal::new(Acting::Idle);
    let text = ConfirmText {
        title: td_string!(locale, sessions.lost_title).to_owned(),
        lines: vec![("", td_string!(locale, sessions.lost_confirm).to_owned())],
        go: td_string!(locale, sessions.lost_go),
        going: td_string!(locale, sessions.lost_going),
        back: td_string!(locale, rewards.not_now),
        danger: true,
        message: error_message,
    };
    let text = StoredValue::new(text);
    let go = move || {
        act(
            SessionAction::LostPhone,
            td_string!(locale, sessions.lost_done),
        );
        asking.set(Acting::Idle);
    };
    view! {
        <section class="panel" aria-labelledby="lost-title">
            <h2 class="panel__title" id="lost-title">{td_string!(locale, sessions.lost_title)}</h2>
            <p class="reward__note">{td_string!(locale, sessions.lost_body)}</p>
            {move || if asking.with(Acting::asking) {
                confirm_panel(asking, text.get_value(), go).into_any()
            } else {
                view! {
                    <button class="btn btn--danger" type="button" on:click=move |_| asking.set(Acting::Asking)>
                        {td_string!(locale, sessions.lost_go)}
                    </button>
                }
                .into_any()
            }}
        </section>
    }
}

/// The list could not be read: why, and a way to try again.
fn failed_list(error: &ApiError, list: Remote<Sessions>, locale: Locale) -> impl IntoView {
    let message = error_message(error);
    view! {
        <div class="state state--error" role="alert">
            <p class="state__body">{message}</p>
            <button class="btn btn--secondary" type="button" on:click=move |_| list.refetch()>
                {td_string!(locale, cards.retry)}
            </button>
        </div>
    }
}
