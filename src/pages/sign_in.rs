//! `/sign-in`: e-mail and password; and `/lost-phone`, the same form for "I lost my phone",
//! which stops every other device (and its checkout codes) and signs this one in.

use crate::api;
use crate::components::{sign_in_action, LanguageChoice, SignInForm};
use crate::i18n::*;
use crate::messages::account_error_message;
use crate::session::Auth;
use leptos::prelude::*;

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::use_context();
    // The route guard moves the customer on to their cards.
    let sign_in = sign_in_action(api::login, move |session| auth.sign_in(session));

    view! {
        <section class="page page--auth" aria-labelledby="sign-in-title">
            <h1 class="page__title" id="sign-in-title">{t_string!(i18n, sign_in.title)}</h1>
            <p class="page__lead">{t_string!(i18n, sign_in.lead)}</p>
            <SignInForm
                sign_in
                message=Callback::new(|error: api::ApiError| account_error_message(&error))
                submit=t_string!(i18n, sign_in.submit)
                submitting=t_string!(i18n, sign_in.submitting)
            />
            <p class="page__switch">
                <a href="/forgot" class="link">{t_string!(i18n, sign_in.forgot)}</a>
                " · "
                <a href="/lost-phone" class="link">{t_string!(i18n, sign_in.lost_phone)}</a>
            </p>
            <p class="page__switch">
                {t_string!(i18n, sign_in.no_account)}" "
                <a href="/join" class="link">{t_string!(i18n, sign_in.to_join)}</a>
            </p>
            <p class="page__switch">
                <a class="link" href="/terms">{t_string!(i18n, published.terms)}</a>
                " · "
                <a class="link" href="/privacy">{t_string!(i18n, published.privacy)}</a>
            </p>
            <LanguageChoice />
        </section>
    }
}

/// "I lost my phone" from the sign-in screen: the password stops every other device.
#[component]
pub fn LostPhonePage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::use_context();
    // Signed in here, the route guard moves the customer on to their cards.
    let stop = sign_in_action(api::lost_phone, move |session| auth.sign_in(session));
    view! {
        <section class="page page--auth" aria-labelledby="lost-phone-title">
            <h1 class="page__title" id="lost-phone-title">{t_string!(i18n, sessions.lost_title)}</h1>
            <p class="page__lead">{t_string!(i18n, sign_in.lost_phone_lead)}</p>
            <SignInForm
                sign_in=stop
                message=Callback::new(|error: api::ApiError| account_error_message(&error))
                submit=t_string!(i18n, sessions.lost_go)
                submitting=t_string!(i18n, sessions.lost_going)
            />
            <p class="page__switch">
                <a href="/sign-in" class="link">{t_string!(i18n, reset.to_sign_in)}</a>
            </p>
        </section>
    }
}
