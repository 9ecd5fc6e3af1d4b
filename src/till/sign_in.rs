//! Staff sign-in: e-mail and password of a `[[staff]]` account.

use super::api;
use super::session::TillAuth;
use crate::api::ApiError;
use crate::components::{sign_in_action, SignInForm};
use crate::i18n::*;
use crate::messages::{error_text, Cashier};
use leptos::prelude::*;

/// The sign-in form; says so when the server ended the last session.
#[component]
pub fn SignIn() -> impl IntoView {
    let i18n = use_i18n();
    let auth = TillAuth::use_context();
    let sign_in = sign_in_action(api::login, move |session| auth.sign_in(session));
    let message = Callback::new(move |error: ApiError| {
        error_text::<Cashier>(&error, i18n.get_locale_untracked())
    });

    view! {
        <section class="page page--auth till-sign-in" aria-labelledby="till-sign-in-title">
            <h1 class="page__title" id="till-sign-in-title">
                {t_string!(i18n, till.sign_in.title)}
            </h1>
            <p class="page__lead">{t_string!(i18n, till.sign_in.lead)}</p>
            <SignInForm
                sign_in
                message
                alert=auth.ended().then(|| t_string!(i18n, till.sign_in.ended).to_owned())
                submit=t_string!(i18n, till.sign_in.submit)
                submitting=t_string!(i18n, till.sign_in.submitting)
            />
        </section>
    }
}
