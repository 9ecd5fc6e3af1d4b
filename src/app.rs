//! The wallet's router: which screen answers which path, for signed-in customers (sign-in and
//! join are an app of their own, `crate::welcome`).

use crate::api::{self, Wake};
use crate::components::Shell;
use crate::i18n::*;
use crate::pages::{CardPage, CardsPage, NotFoundPage, SettingsPage};
use crate::session::Auth;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// `page` for a signed-in customer; anyone else goes to sign in (`crate::welcome`, another app:
/// a full page load). Reactive: a log-out, or the server ending the session, moves on at once.
///
/// Instead of `ProtectedRoute`, whose redirect cannot replace the history entry (leptos_router
/// 0.8 sends no options to its `Redirect`), so Back would bounce through the guarded page; it
/// also wraps every route in a `Transition` the wallet never needs.
fn signed_in<V: IntoView + 'static>(page: fn() -> V) -> impl IntoView {
    let auth = Auth::use_context();
    move || {
        if auth.signed_in() {
            Some(page())
        } else {
            crate::leave_to("/sign-in");
            None
        }
    }
}

/// The whole wallet.
#[component]
pub fn App() -> impl IntoView {
    provide_context(Auth::from_storage());
    provide_context(crate::install::InstallOffer::listening());
    let wake = Wake::listening();
    provide_context(wake);
    api::tell_ended_on(wake);
    view! {
        <I18nContextProvider>
            <Router>
                <Shell>
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=|| signed_in(CardsPage) />
                        <Route path=path!("/cards/:id") view=|| signed_in(CardPage) />
                        <Route path=path!("/settings") view=|| signed_in(SettingsPage) />
                    </Routes>
                </Shell>
            </Router>
        </I18nContextProvider>
    }
}
