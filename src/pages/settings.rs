//! `/settings`: who is signed in, the ways to the account's screens (details and consents,
//! password, sessions, data), installing the app, and log out.
//!
//! Shown by the account module (`src/bin/tessera-account.rs`, `crate::areas`), with its other
//! screens: in the wallet's first load it was 3 KB of the budget (`bench size`, 2026-12-07).

use crate::api::{self, Remote};
use crate::components::SubmitButton;
use crate::i18n::*;
use crate::install::InstallOffer;
use crate::session::Auth;
use leptos::prelude::*;
use tessera_core::api::Me;

/// Account details and the log-out button.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::use_context();

    // Refresh the stored details (an ended session goes back to sign-in through the client).
    let me = Remote::<Me>::new("/me");
    Effect::new(move |_| {
        if let Some(Ok(me)) = me.get() {
            auth.update_customer(me);
        }
    });

    let logout = Action::new_local(move |_: &()| {
        // Gone from this device at once (the route guard then shows sign in); the server is
        // told now, or when it can be reached.
        api::logout();
        async {}
    });

    // Who is signed in; their details and choices are the account module's screen.
    let who = move || {
        auth.customer().map(|c| {
            view! {
                <p class="settings__name" data-testid="name">{c.display_name}</p>
                <p class="reward__note" data-testid="email">{c.email}</p>
            }
        })
    };

    let offer = InstallOffer::listening();
    view! {
        <section class="page" aria-labelledby="settings-title">
            <h1 class="page__title" id="settings-title">{t_string!(i18n, settings.title)}</h1>
            <div class="panel">
                <h2 class="panel__title">{t_string!(i18n, settings.account)}</h2>
                {who}
            </div>
            <nav class="settings__links" aria-label=move || t_string!(i18n, settings.account)>
                <a class="btn btn--secondary" href="/settings/details">{t_string!(i18n, settings.details)}</a>
                <a class="btn btn--secondary" href="/settings/password">{t_string!(i18n, settings.password)}</a>
                <a class="btn btn--secondary" href="/settings/sessions">{t_string!(i18n, settings.sessions)}</a>
                <a class="btn btn--secondary" href="/settings/data">{t_string!(i18n, settings.data)}</a>
            </nav>
            <Show when=move || offer.available()>
                <div class="panel install">
                    <h2 class="panel__title">{t_string!(i18n, settings.install_title)}</h2>
                    <p class="install__body">{t_string!(i18n, settings.install_body)}</p>
                    <button class="btn btn--primary" type="button" on:click=move |_| offer.prompt()>
                        {t_string!(i18n, settings.install)}
                    </button>
                </div>
            </Show>
            <SubmitButton
                button_type="button"
                variant="btn--danger"
                busy=logout.pending()
                busy_label=move || t_string!(i18n, settings.logging_out)
                on_click=Callback::new(move |_| {
                    if !logout.pending().get_untracked() {
                        logout.dispatch(());
                    }
                })
            >
                {t_string!(i18n, settings.logout)}
            </SubmitButton>
            // The welcome app's pages: a page load, not this router's.
            <p class="page__switch">
                <a class="link" href="/terms" rel="external">{t_string!(i18n, published.terms)}</a>
                " · "
                <a class="link" href="/privacy" rel="external">{t_string!(i18n, published.privacy)}</a>
            </p>
        </section>
    }
}
