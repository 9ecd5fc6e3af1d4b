//! The wallet's areas shown by a module of their own (`src/bin/tessera-areas.rs`, loaded into the
//! wallet's page after its first paint: `crate::modules`): rewards (`/cards/{id}/rewards`,
//! `/cards/{id}/rewards/{reward}`) and vouchers (`/vouchers`, `/vouchers/{id}`). The screens are
//! `crate::pages::rewards` and `crate::pages::vouchers`; here, which one an address shows.

use crate::api::Wake;
use crate::i18n::*;
use crate::pages::{CardRewards, NotFoundPage, VoucherPage, VouchersPage};
use crate::session::Auth;
use leptos::prelude::*;

/// A screen of the areas, by its address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Area {
    /// `/cards/{card}/rewards`: the catalog of the card's program.
    Rewards { card: String },
    /// `/cards/{card}/rewards/{reward}`: one reward, and redeeming it.
    Reward { card: String, reward: String },
    /// `/vouchers`: every voucher of the customer.
    Vouchers,
    /// `/vouchers/{id}`: one voucher.
    Voucher { id: String },
}

impl Area {
    /// The screen of `path`, if it is one of the areas'.
    pub fn of(path: &str) -> Option<Area> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        let id = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        match parts.as_slice() {
            ["cards", card, "rewards"] => Some(Area::Rewards { card: id(card)? }),
            ["cards", card, "rewards", reward] => Some(Area::Reward {
                card: id(card)?,
                reward: id(reward)?,
            }),
            ["vouchers"] => Some(Area::Vouchers),
            ["vouchers", voucher] => Some(Area::Voucher { id: id(voucher)? }),
            _ => None,
        }
    }

    /// The screen.
    pub fn view(self) -> AnyView {
        match self {
            Area::Rewards { card } => {
                view! { <CardRewards card_id=card reward_id=None /> }.into_any()
            }
            Area::Reward { card, reward } => {
                view! { <CardRewards card_id=card reward_id=Some(reward) /> }.into_any()
            }
            Area::Vouchers => view! { <VouchersPage /> }.into_any(),
            Area::Voucher { id } => view! { <VoucherPage id=id /> }.into_any(),
        }
    }
}

thread_local! {
    /// Rings when the server may be reachable again (online, the app back in front), so the
    /// screens' unanswered requests go again at once rather than at their next timed retry.
    static WAKE: Wake = Wake::listening();
}

/// Shows the screen of `path` in `host`, an element of the wallet's page, until the returned
/// handle is dropped (the wallet's route is left, or shows another address). A session that
/// ends meanwhile (a 401 here) goes to sign-in, as the wallet's guard would.
pub fn show_in(host: web_sys::HtmlElement, path: &str) -> Box<dyn std::any::Any> {
    let area = Area::of(path);
    // Made outside the screen's owner, once for the module, so it outlives every screen.
    let wake = WAKE.with(|wake| *wake);
    Box::new(leptos::mount::mount_to(host, move || {
        let auth = Auth::from_storage();
        provide_context(auth);
        provide_context(wake);
        Effect::new(move |_| {
            if !auth.signed_in() {
                crate::leave_to("/sign-in");
            }
        });
        view! {
            <I18nContextProvider>
                {area.map(Area::view).unwrap_or_else(|| view! { <NotFoundPage /> }.into_any())}
            </I18nContextProvider>
        }
    }))
}
