//! `/sign-in` and `/join`: the screens of someone not signed in, an app of their own
//! (`src/bin/tessera-welcome.rs`, page `welcome/index.html`, built into `dist/welcome/`).
//!
//! Apart from the wallet because a returning customer opens the cards, not these forms: without
//! them the wallet's first load is about 33 KB of gzipped wasm lighter (`bench size`, 2026-12-06),
//! room the offline checkout keys, the account screens and the other languages need. Signing in
//! or joining moves on to the wallet with a full page load (the service worker has it cached), and
//! the wallet sends a signed-out visitor here the same way.

use crate::api::{self, Wake};
use crate::components::Shell;
use crate::i18n::*;
use crate::pages::{JoinPage, SignInPage};
use crate::session::Auth;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

/// Mounts the sign-in and join screens.
pub fn start() {
    crate::mount(WelcomeApp);
}

/// `page` while nobody is signed in; once someone is (signing in or joining here, or in another
/// tab), the wallet.
fn signed_out<V: IntoView + 'static>(page: fn() -> V) -> impl IntoView {
    let auth = Auth::use_context();
    move || {
        if auth.signed_in() {
            crate::leave_to("/");
            None
        } else {
            Some(page())
        }
    }
}

/// Any other path is the wallet's (the header's home link, a link in a text): a full page load.
#[component]
fn WalletPath() -> impl IntoView {
    let location = use_location();
    crate::leave_to(&location.pathname.get_untracked());
}

/// The welcome app: sign in and join in the wallet's frame.
#[component]
fn WelcomeApp() -> impl IntoView {
    provide_context(Auth::from_storage());
    // Nobody is signed in: nothing of a customer's stays on the device. Log-out and a 401 forget
    // at once, but the page they happen on leaves for this one at once too, which may cut the
    // forgetting short; here it is finished.
    if crate::session::CUSTOMER.load().is_none() {
        crate::kept::forget_all();
    }
    let wake = Wake::listening();
    provide_context(wake);
    // A log-out made offline lands here: the server hears of it as soon as it can.
    api::tell_ended_on(wake);
    view! {
        <I18nContextProvider>
            <Router>
                <Shell>
                    <Routes fallback=WalletPath>
                        <Route path=path!("/sign-in") view=|| signed_out(SignInPage) />
                        <Route path=path!("/join") view=|| signed_out(JoinPage) />
                    </Routes>
                </Shell>
            </Router>
        </I18nContextProvider>
    }
}
