//! The router: which screen answers which path, and who may see it.

use crate::api::{self, Wake};
use crate::components::Shell;
use crate::i18n::*;
use crate::pages::{CardPage, CardsPage, JoinPage, NotFoundPage, SettingsPage, SignInPage};
use crate::session::Auth;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{path, NavigateOptions};

/// Who may see a screen.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Signed-in customers; others go to sign in.
    SignedIn,
    /// Signed-out visitors; signed-in customers go home.
    SignedOut,
}

/// Shows `children` only to the right visitors and redirects the others (reactively: signing in
/// or out, or a session ending, moves the customer on at once).
///
/// Instead of `ProtectedRoute`, whose redirect cannot replace the history entry (leptos_router
/// 0.8 sends no options to its `Redirect`), so Back would bounce through the guarded page; it
/// also wraps every route in a `Transition` the wallet never needs.
#[component]
fn Guard(access: Access, children: ChildrenFn) -> impl IntoView {
    let auth = Auth::use_context();
    move || match (access, auth.signed_in()) {
        (Access::SignedIn, true) | (Access::SignedOut, false) => children().into_any(),
        (Access::SignedIn, false) => {
            view! { <Redirect path="/sign-in" options=replace() /> }.into_any()
        }
        (Access::SignedOut, true) => view! { <Redirect path="/" options=replace() /> }.into_any(),
    }
}

/// `page` behind a [`Guard`] for `access`: the route table's one shape.
fn guarded<V: IntoView + 'static>(access: Access, page: fn() -> V) -> impl IntoView {
    view! { <Guard access>{page()}</Guard> }
}

/// Redirects replace the history entry, so Back does not bounce through a guarded page.
fn replace() -> NavigateOptions {
    NavigateOptions {
        replace: true,
        ..Default::default()
    }
}

/// The whole wallet.
#[component]
pub fn App() -> impl IntoView {
    provide_context(Auth::from_storage());
    let wake = Wake::listening();
    provide_context(wake);
    // A log-out made offline reaches the server at start and whenever it may be reachable again.
    Effect::new(move |_| {
        wake.0.track();
        leptos::task::spawn_local(async {
            let _ = api::tell_ended().await;
        });
    });
    view! {
        <I18nContextProvider>
            <Router>
                <Shell>
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=|| guarded(Access::SignedIn, CardsPage) />
                        <Route path=path!("/cards/:id") view=|| guarded(Access::SignedIn, CardPage) />
                        <Route path=path!("/settings") view=|| guarded(Access::SignedIn, SettingsPage) />
                        <Route path=path!("/sign-in") view=|| guarded(Access::SignedOut, SignInPage) />
                        <Route path=path!("/join") view=|| guarded(Access::SignedOut, JoinPage) />
                    </Routes>
                </Shell>
            </Router>
        </I18nContextProvider>
    }
}
