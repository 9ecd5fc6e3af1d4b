//! The wallet's router: which screen answers which path, for signed-in customers (anyone else
//! goes to sign in: sign-in and join are an app of their own, `crate::welcome`).

use crate::api::{self, Wake};
use crate::areas::Area;
use crate::components::Shell;
use crate::for_visitors;
use crate::modules::{AreaRoute, AreasModule, CodeModule, CodeRoute};
use crate::pages::{CardPage, CardsPage, NotFoundPage};
use crate::session::Auth;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

/// What the customer's apps (the wallet, and sign-in and join) share around their routes: the
/// customer's session, the wake signal (on which an offline log-out is told to the server), the
/// translations, the router and the frame.
#[component]
pub(crate) fn CustomerApp(children: Children) -> impl IntoView {
    provide_context(Auth::from_storage());
    let wake = Wake::listening();
    provide_context(wake);
    api::tell_ended_on(wake);
    view! {
            <Router>
                <Shell>{children()}</Shell>
            </Router>
    }
}

/// The whole wallet.
#[component]
pub fn App() -> impl IntoView {
    // Kept from the first moment: the browser makes its offer once, early (settings, in the
    // account module, takes it from the page).
    crate::install::InstallOffer::listening();
    provide_context(CodeModule::loading());
    provide_context(AreasModule::loading());
    view! {
        <CustomerApp>
            <Routes fallback=module_or_missing>
                <Route path=path!("/") view=|| for_visitors(true, "/sign-in", CardsPage) />
                <Route path=path!("/cards/:id") view=|| for_visitors(true, "/sign-in", CardPage) />
                <Route path=path!("/cards/:id/code") view=|| for_visitors(true, "/sign-in", CodeRoute) />
            </Routes>
        </CustomerApp>
    }
}

/// Every other address: a screen of the modules' (`crate::areas`: rewards, vouchers, clubs,
/// programs, settings) for a signed-in customer, or "not found". One fallback that asks
/// [`Area::of`] instead of a route for each of their addresses: the fourteen routes cost the
/// first load 2,713 bytes gzipped (`bench size`, 2026-12-07).
fn module_or_missing() -> impl IntoView {
    let location = use_location();
    move || match Area::of(&location.pathname.get()) {
        Some(_) => for_visitors(true, "/sign-in", AreaRoute).into_any(),
        None => NotFoundPage().into_any(),
    }
}
