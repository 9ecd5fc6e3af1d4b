//! `/sign-in` and `/join`: the screens of someone not signed in, with a forgotten password
//! (`/forgot`, `/reset`), "I lost my phone" (`/lost-phone`) and the texts published to everyone (`/terms`, `/privacy`), an app of
//! their own
//! (`src/bin/tessera-welcome.rs`, page `welcome/index.html`, built into `dist/welcome/`); and
//! the till's sign-in (`/till/sign-in`, `crate::till::sign_in`), which the console's page would
//! otherwise carry for a form used once a shift.
//!
//! Apart from the wallet because a returning customer opens the cards, not these forms: without
//! them the wallet's first load is about 33 KB of gzipped wasm lighter (`bench size`, 2026-12-06),
//! room the offline checkout keys, the account screens and the other languages need. Signing in
//! or joining moves on to the wallet with a full page load (the service worker has it cached), and
//! the wallet sends a signed-out visitor here the same way.

use crate::app::CustomerApp;
use crate::for_visitors;
use crate::pages::{
    ForgotPage, JoinPage, LostPhonePage, PrivacyPage, ResetPage, SignInPage, TermsPage,
};
use crate::till::sign_in::SignIn as TillSignIn;
use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

/// Mounts the sign-in and join screens.
pub fn start() {
    crate::mount(WelcomeApp);
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
    // Nobody is signed in: nothing of a customer's stays on the device. Log-out and a 401 forget
    // at once, but the page they happen on leaves for this one at once too, which may cut the
    // forgetting short; here the session store's own clear finishes it (with no session stored,
    // it forgets only what goes with one). A log-out made offline lands here too: the server
    // hears of it through `CustomerApp`.
    if crate::session::CUSTOMER.load().is_none() {
        crate::session::CUSTOMER.clear();
    }
    view! {
        <CustomerApp>
            <Routes fallback=WalletPath>
                <Route path=path!("/sign-in") view=|| for_visitors(false, "/", SignInPage) />
                <Route path=path!("/join") view=|| for_visitors(false, "/", JoinPage) />
                <Route path=path!("/forgot") view=|| for_visitors(false, "/", ForgotPage) />
                <Route path=path!("/lost-phone") view=|| for_visitors(false, "/", LostPhonePage) />
                // A reset link works whoever is signed in on this device.
                <Route path=path!("/reset") view=ResetPage />
                // Published to everyone, signed in or not.
                <Route path=path!("/terms") view=TermsPage />
                <Route path=path!("/privacy") view=PrivacyPage />
                // Staff, whoever is signed in to the wallet in this browser.
                <Route path=path!("/till/sign-in") view=TillSignIn />
            </Routes>
        </CustomerApp>
    }
}
