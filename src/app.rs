//! The router: which screen answers which path, and who may see it.

use crate::components::Shell;
use crate::i18n::*;
use crate::pages::{CardsPage, JoinPage, NotFoundPage, SettingsPage, SignInPage};
use crate::session::Auth;
use leptos::prelude::*;
use leptos_router::components::{ProtectedRoute, Router, Routes};
use leptos_router::path;

/// The whole wallet.
#[component]
pub fn App() -> impl IntoView {
    let auth = Auth::from_storage();
    provide_context(auth);
    let signed_in = move || Some(auth.signed_in());
    let signed_out = move || Some(!auth.signed_in());
    view! {
        <I18nContextProvider>
            <Router>
                <Shell>
                    <Routes fallback=NotFoundPage>
                        <ProtectedRoute
                            path=path!("/")
                            view=CardsPage
                            condition=signed_in
                            redirect_path=|| "/sign-in"
                        />
                        <ProtectedRoute
                            path=path!("/settings")
                            view=SettingsPage
                            condition=signed_in
                            redirect_path=|| "/sign-in"
                        />
                        <ProtectedRoute
                            path=path!("/sign-in")
                            view=SignInPage
                            condition=signed_out
                            redirect_path=|| "/"
                        />
                        <ProtectedRoute
                            path=path!("/join")
                            view=JoinPage
                            condition=signed_out
                            redirect_path=|| "/"
                        />
                    </Routes>
                </Shell>
            </Router>
        </I18nContextProvider>
    }
}

