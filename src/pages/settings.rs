//! `/settings`: who is signed in, the ways to the account module's screens (details and
//! consents, password, sessions), installing the app, and log out.

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

    let row = |label: AnyView, value: String, test_id: &'static str| {
        view! {
            <div class="details__row">
                <dt class="details__label">{label}</dt>
                <dd class="details__value" data-testid=test_id>{value}</dd>
            </div>
        }
    };

    let details = move || {
        auth.customer().map(|c| {
            let phone = c
                .phone
                .clone()
                .unwrap_or_else(|| t_string!(i18n, settings.none).to_string());
            let marketing = if c.marketing_opt_in {
                t_string!(i18n, settings.marketing_on)
            } else {
                t_string!(i18n, settings.marketing_off)
            }
            .to_string();
            view! {
                <dl class="details">
                    {row(t_string!(i18n, settings.name).into_any(), c.display_name, "name")}
                    {row(t_string!(i18n, settings.email).into_any(), c.email, "email")}
                    {row(t_string!(i18n, settings.phone).into_any(), phone, "phone")}
                    {row(t_string!(i18n, settings.marketing).into_any(), marketing, "marketing")}
                </dl>
            }
        })
    };

    view! {
        <section class="page" aria-labelledby="settings-title">
            <h1 class="page__title" id="settings-title">{t_string!(i18n, settings.title)}</h1>
            <div class="panel">
                <h2 class="panel__title">{t_string!(i18n, settings.account)}</h2>
                {details}
            </div>
            <nav class="settings__links" aria-label=move || t_string!(i18n, settings.account)>
                <a class="btn btn--secondary" href="/settings/details">{t_string!(i18n, settings.details)}</a>
                <a class="btn btn--secondary" href="/settings/password">{t_string!(i18n, settings.password)}</a>
                <a class="btn btn--secondary" href="/settings/sessions">{t_string!(i18n, settings.sessions)}</a>
            </nav>
            {use_context::<InstallOffer>().map(|offer| view! {
                <Show when=move || offer.available()>
                    <div class="panel install">
                        <h2 class="panel__title">{t_string!(i18n, settings.install_title)}</h2>
                        <p class="install__body">{t_string!(i18n, settings.install_body)}</p>
                        <button class="btn btn--primary" type="button" on:click=move |_| offer.prompt()>
                            {t_string!(i18n, settings.install)}
                        </button>
                    </div>
                </Show>
            })}
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
