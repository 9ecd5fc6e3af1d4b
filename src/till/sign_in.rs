//! Staff sign-in at `/till/sign-in`: e-mail and password of a `[[staff]]` account, once a shift.
//!
//! Shown by the sign-in and join app (`crate::welcome`), not by the console: the console's page
//! then carries none of the sign-in form's code (its budget, `bench size`). Signing in keeps the
//! till's session ([`TILL`]) and opens the console with a page load; the console sends a till
//! without a session here the same way, with `?ended` when the server ended it.

use super::api;
use crate::api::ApiError;
use crate::components::{sign_in_action, LanguageChoice, SignInForm};
use crate::i18n::*;
use crate::messages::{error_text, Cashier};
use crate::session::TILL;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Where the console sends a till whose session the server ended.
pub const ENDED_PATH: &str = "/till/sign-in?ended";

/// Where the console sends a till nobody is signed in to.
pub const PATH: &str = "/till/sign-in";

/// The sign-in form; says so when the server ended the last session.
#[component]
pub fn SignIn() -> impl IntoView {
    let i18n = use_i18n();
    let sign_in = sign_in_action(api::login, move |session| {
        TILL.save(&session);
        crate::leave_to("/till");
    });
    let message = Callback::new(move |error: ApiError| {
        error_text::<Cashier>(&error, i18n.get_locale_untracked())
    });
    let ended = use_query_map().with_untracked(|q| q.get("ended").is_some());

    view! {
        <section class="page page--auth till-sign-in" aria-labelledby="till-sign-in-title">
            <h1 class="page__title" id="till-sign-in-title">
                {t_string!(i18n, till.sign_in.title)}
            </h1>
            <p class="page__lead">{t_string!(i18n, till.sign_in.lead)}</p>
            <SignInForm
                sign_in
                message
                alert=ended.then(|| t_string!(i18n, till.sign_in.ended).to_owned())
                submit=t_string!(i18n, till.sign_in.submit)
                submitting=t_string!(i18n, till.sign_in.submitting)
            />
            <LanguageChoice />
        </section>
    }
}
