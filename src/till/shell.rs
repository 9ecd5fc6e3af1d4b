//! The console's frame: the Till wordmark, who is signed in, and "Sign out".

use super::api;
use super::session::TillAuth;
use crate::components::Logo;
use crate::i18n::*;
use crate::messages::{error_text, Cashier};
use leptos::prelude::*;

/// Header and main area.
#[component]
pub fn TillShell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let auth = TillAuth::use_context();
    view! {
        <div class="app till">
            <header class="topbar till-bar">
                <span class="brand">
                    <Logo />
                    <span class="brand__name">{t_string!(i18n, till.name)}</span>
                </span>
                {move || auth.staff().map(|staff| {
                    let place = staff.location.clone().unwrap_or(staff.program_name.clone());
                    view! {
                        <p class="till-bar__who">
                            <span class="till-bar__name" data-testid="staff-name">{staff.name}</span>
                            <span class="till-bar__place">{place}</span>
                        </p>
                        <SignOutButton />
                    }
                })}
            </header>
            <main class="content till__content" id="main">
                {children()}
            </main>
        </div>
    }
}

/// Ends the session on the server and on this device (on this device even when the server
/// cannot be reached: a till left signed in is the worse failure).
#[component]
fn SignOutButton() -> impl IntoView {
    let i18n = use_i18n();
    let auth = TillAuth::use_context();
    let sign_out = Action::new_local(move |_: &()| async move {
        if let Err(error) = api::logout().await {
            leptos::logging::warn!(
                "till sign-out: {}",
                error_text::<Cashier>(&error, i18n.get_locale_untracked())
            );
        }
        auth.sign_out_locally();
    });
    view! {
        <button
            type="button"
            class="btn btn--secondary btn--small till-bar__out"
            disabled=move || sign_out.pending().get()
            on:click=move |_| {
                sign_out.dispatch(());
            }
        >
            {move || {
                if sign_out.pending().get() {
                    t_string!(i18n, till.bar.signing_out)
                } else {
                    t_string!(i18n, till.bar.sign_out)
                }
            }}
        </button>
    }
}
