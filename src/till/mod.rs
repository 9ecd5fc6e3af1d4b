//! The cashier console at `/till`: finding the member (camera, typed code or phone
//! number), the member's card, recording the purchase or taking points as payment, and the next
//! customer in one tap.
//!
//! A second binary of this crate (`src/bin/tessera-till.rs`, built from `till/index.html` into
//! `dist/till/`), so none of it, the QR decoder least of all, is in the wallet's first load: the
//! wallet's binary never names this module and LTO leaves it out. It shares the wallet's
//! components, translations, formatting, JSON codec and styles.

pub mod amount;
pub mod api;
pub mod camera;
pub mod checkout;
pub mod clubs;
pub mod decode;
pub mod done;
pub mod field;
pub mod member;
pub mod scan;
pub mod session;
pub mod shell;
pub mod sign_in;

use crate::i18n::*;
use crate::session::TILL;
use checkout::CheckoutPanel;
use clubs::{TillClubsHost, TillClubsModule};
use done::DoneView;
use leptos::prelude::*;
use member::{seconds_left, Found, MemberSummary};
use scan::{ScanMode, ScanView};
use session::TillAuth;
use shell::TillShell;
use tessera_core::api::{StaffRole, TillPurchase};
use web_sys::js_sys::Date;

/// Mounts the console in place of the static shell `till/index.html` paints.
pub fn start() {
    crate::replace_boot_shell(TillApp);
}

/// The whole console for the signed-in staff account; without one, staff sign-in
/// (`sign_in::PATH`, a page of the sign-in app).
#[component]
pub fn TillApp() -> impl IntoView {
    let auth = TillAuth::from_storage();
    provide_context(auth);
    // A stored session may have ended while the till was off: find out now, not at the first
    // customer. The account's details are refreshed on the way.
    if TILL.token().is_some() {
        leptos::task::spawn_local(async move {
            // An ended session goes to sign-in through the client.
            if let Ok(staff) = api::me().await {
                auth.update_staff(staff);
            }
        });
    }
    Effect::new(move |_| {
        if !auth.signed_in() {
            crate::leave_to(if auth.ended() {
                sign_in::ENDED_PATH
            } else {
                sign_in::PATH
            });
        }
    });
    view! {
            <TillShell>
                <Show when=move || auth.signed_in()>
                    <Console />
                </Show>
            </TillShell>
    }
}

/// Where the console is with the current customer.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Finding the member.
    Scan,
    /// The member is found: the sale.
    Member(Found),
    /// The sale is recorded.
    Done(Found, Box<TillPurchase>),
    /// A manager's list of club applications.
    Applications,
}

/// The signed-in console: one step at a time.
#[component]
fn Console() -> impl IntoView {
    let step = RwSignal::new(Step::Scan);
    provide_context(TillClubsModule::new());
    // Kept across customers: the next one starts the way the cashier last worked.
    let mode = RwSignal::new(ScanMode::preferred());
    let go = move |next: Step| {
        step.set(next);
        // Each step is a new screen: start at its top.
        if let Some(window) = web_sys::window() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    };
    let on_found =
        Callback::new(move |identified| go(Step::Member(Found::new(identified, Date::now()))));
    let next_customer = Callback::new(move |()| go(Step::Scan));
    let auth = TillAuth::use_context();
    let manager = move || auth.staff().is_some_and(|s| s.role == StaffRole::Manager);
    move || match step.get() {
        Step::Scan => view! {
            {manager().then(|| view! {
                <button class="btn btn--secondary till-applications__open" type="button"
                    on:click=move |_| go(Step::Applications)>
                    {t_string!(use_i18n(), till.clubs.open)}
                </button>
            })}
            <ScanView mode=mode on_found=on_found />
        }
        .into_any(),
        Step::Applications => view! {
            <TillClubsHost path=clubs::APPLICATIONS.to_owned() />
            <button class="btn btn--secondary" type="button" on:click=move |_| go(Step::Scan)>
                {t_string!(use_i18n(), till.clubs.back)}
            </button>
        }
        .into_any(),
        Step::Member(found) => {
            let on_done = {
                let found = found.clone();
                Callback::new(move |purchase: TillPurchase| {
                    go(Step::Done(found.clone(), Box::new(purchase)))
                })
            };
            view! { <MemberView found=found on_done=on_done on_cancel=next_customer /> }.into_any()
        }
        Step::Done(found, purchase) => {
            let left = seconds_left(found.deadline);
            let name = found.member.name.clone();
            let same = found.with_card(purchase.card.clone());
            let on_same = Callback::new(move |()| go(Step::Member(same.clone())));
            view! {
                <DoneView
                    name=name
                    purchase=*purchase
                    can_continue=Signal::derive(move || left.get() > 0)
                    on_next=next_customer
                    on_same=on_same
                />
            }
            .into_any()
        }
    }
}

/// The member's card and the sale.
#[component]
fn MemberView(
    found: Found,
    on_done: Callback<TillPurchase>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let left = seconds_left(found.deadline);
    view! {
        <section class="page till-member" aria-labelledby="member-name">
            <div class="till-member__grid">
                <div class="till-member__card">
                    <MemberSummary found=found.clone() left=left />
                    <TillClubsHost path=clubs::fees_path(&found.member.ticket) />
                </div>
                <div class="till-member__sale">
                    <CheckoutPanel
                        found=found
                        expired=Signal::derive(move || left.get() == 0)
                        on_done=on_done
                    />
                    <button type="button" class="btn btn--secondary" on:click=move |_| on_cancel.run(())>
                        {t_string!(i18n, till.checkout.start_over)}
                    </button>
                </div>
            </div>
        </section>
    }
}
