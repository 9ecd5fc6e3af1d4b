//! The frame around every screen: header with the wordmark, and the tab bar when signed in.

use super::UpdateBanner;
use crate::i18n::*;
use crate::session::Auth;
use leptos::prelude::*;
use leptos_router::components::A;

/// The Tessera mark (`public/icons/logo.svg`, precached with the other icons; the boot shells
/// of the three pages show the same file).
#[component]
pub fn Logo() -> impl IntoView {
    view! {
        <img class="logo" src="/icons/logo.svg" alt="" width="32" height="32" />
    }
}

/// A screen's way back, at its top: a plain link (the router handles its click; `A` would add
/// code for an `aria-current` it never needs).
pub fn back_link(href: String, text: &'static str) -> impl IntoView {
    view! {
        <a class="back" href=href>
            <svg class="tabbar__icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M15 5l-7 7 7 7"></path>
            </svg>
            {text}
        </a>
    }
}

/// Header, main area and (when signed in) the bottom tab bar.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::use_context();
    view! {
        <div class="app" class:app--signed-in=move || auth.signed_in()>
            <header class="topbar">
                <a class="brand" href="/">
                    <Logo />
                    <span class="brand__name">{t_string!(i18n, app_name)}</span>
                </a>
            </header>
            <main class="content" id="main">
                {children()}
            </main>
            <UpdateBanner />
            <Show when=move || auth.signed_in()>
                <nav class="tabbar" aria-label=move || t_string!(i18n, nav.label)>
                    <A href="/" exact=true attr:class="tabbar__item">
                        <svg class="tabbar__icon" viewBox="0 0 24 24" aria-hidden="true">
                            <rect x="3" y="5" width="18" height="14" rx="3"></rect>
                            <path d="M3 10h18"></path>
                        </svg>
                        <span>{t_string!(i18n, nav.cards)}</span>
                    </A>
                    <A href="/vouchers" attr:class="tabbar__item">
                        <svg class="tabbar__icon" viewBox="0 0 24 24" aria-hidden="true">
                            <path d="M3 7h18v3a2 2 0 0 0 0 4v3H3v-3a2 2 0 0 0 0-4z"></path>
                            <path d="M14 7v10" stroke-dasharray="2 2"></path>
                        </svg>
                        <span>{t_string!(i18n, nav.vouchers)}</span>
                    </A>
                    <A href="/settings" attr:class="tabbar__item">
                        <svg class="tabbar__icon" viewBox="0 0 24 24" aria-hidden="true">
                            <circle cx="12" cy="8" r="4"></circle>
                            <path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7"></path>
                        </svg>
                        <span>{t_string!(i18n, nav.settings)}</span>
                    </A>
                </nav>
            </Show>
        </div>
    }
}
