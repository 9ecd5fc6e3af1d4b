//! The wallet's areas shown by modules of their own (loaded into the wallet's page:
//! `crate::modules`): the areas module (`src/bin/tessera-areas.rs`) shows rewards
//! (`/cards/{id}/rewards`, `/cards/{id}/rewards/{reward}`) and vouchers (`/vouchers`,
//! `/vouchers/{id}`); the memberships module (`src/bin/tessera-memberships.rs`) clubs
//! (`/cards/{id}/clubs`, `/cards/{id}/clubs/{club}`); the entry module
//! (`src/bin/tessera-entry.rs`) a closed program (`/programs/{id}`) and a closed club's
//! application form (`/cards/{id}/clubs/{club}/apply`); the account module
//! (`src/bin/tessera-account.rs`) settings and the customer's details and password
//! (`/settings`, `/settings/details`, `/settings/password`); the trust module (`src/bin/tessera-trust.rs`) where they are signed in
//! (`/settings/sessions`), their data (`/settings/data`: download, delete the account) and a
//! program's new terms (`/cards/{id}/terms`). The screens are in `crate::pages`; here, which
//! one an address shows, and [`show_in`], what every screen of a module is shown within.

use crate::api::Wake;
use crate::pages::{
    CardClubs, CardRewards, CardTermsPage, ClubApplicationPage, DetailsPage, NotFoundPage,
    PasswordPage, ProgramEntryPage, SessionsPage, SettingsPage, VoucherPage, VouchersPage,
    YourDataPage,
};
use crate::session::Auth;
use leptos::prelude::*;

/// A screen of a module's, by its address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Area {
    /// `/cards/{card}/rewards`: the catalog of the card's program.
    Rewards { card: String },
    /// `/cards/{card}/rewards/{reward}`: one reward, and redeeming it.
    Reward { card: String, reward: String },
    /// `/cards/{card}/clubs`: the clubs of the card's program.
    Clubs { card: String },
    /// `/cards/{card}/clubs/{club}`: one club, and joining, renewing or leaving it.
    Club { card: String, club: String },
    /// `/programs/{program}`: a closed program, applying to it, and its cardholders' codes.
    Program { program: String },
    /// `/cards/{card}/clubs/{club}/apply`: a closed club's application form.
    ClubApplication { card: String, club: String },
    /// `/vouchers`: every voucher of the customer.
    Vouchers,
    /// `/vouchers/{id}`: one voucher.
    Voucher { id: String },
    /// `/cards/{card}/terms`: the program's new terms, and accepting them.
    Terms { card: String },
    /// `/settings`: who is signed in, the ways to the rest, installing the app, log out.
    Settings,
    /// `/settings/details`: the customer's details, marketing choice and consent history.
    Details,
    /// `/settings/password`: a new password.
    Password,
    /// `/settings/sessions`: the customer's sessions, and "I lost my phone".
    Sessions,
    /// `/settings/data`: downloading the customer's data, and deleting the account.
    Data,
}

/// The parts of an address after its first `/` (`/cards/c1/clubs` -> `cards`, `c1`, `clubs`).
fn parts(path: &str) -> Vec<&str> {
    path.trim_end_matches('/').split('/').skip(1).collect()
}

/// An id from an address, if it is not empty.
fn id(part: &str) -> Option<String> {
    (!part.is_empty()).then(|| part.to_owned())
}

impl Area {
    /// The screen of `path`, if it is one of the areas'.
    pub fn of(path: &str) -> Option<Area> {
        let parts = parts(path);
        Area::of_areas(&parts)
            .or_else(|| Area::of_memberships(&parts))
            .or_else(|| Area::of_entry(&parts))
            .or_else(|| Area::of_account(&parts))
            .or_else(|| Area::of_trust(&parts))
    }

    // One reading of addresses for each module, so a module carries only its own (each
    // module's screens are shown by its function below, not by `of`).

    fn of_areas(parts: &[&str]) -> Option<Area> {
        match parts {
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

    fn of_memberships(parts: &[&str]) -> Option<Area> {
        match parts {
            ["cards", card, "clubs"] => Some(Area::Clubs { card: id(card)? }),
            ["cards", card, "clubs", club] => Some(Area::Club {
                card: id(card)?,
                club: id(club)?,
            }),
            _ => None,
        }
    }

    fn of_entry(parts: &[&str]) -> Option<Area> {
        match parts {
            ["programs", program] => Some(Area::Program {
                program: id(program)?,
            }),
            ["cards", card, "clubs", club, "apply"] => Some(Area::ClubApplication {
                card: id(card)?,
                club: id(club)?,
            }),
            _ => None,
        }
    }

    fn of_account(parts: &[&str]) -> Option<Area> {
        match parts {
            ["settings"] => Some(Area::Settings),
            ["settings", "details"] => Some(Area::Details),
            ["settings", "password"] => Some(Area::Password),
            _ => None,
        }
    }

    fn of_trust(parts: &[&str]) -> Option<Area> {
        match parts {
            ["cards", card, "terms"] => Some(Area::Terms { card: id(card)? }),
            ["settings", "sessions"] => Some(Area::Sessions),
            ["settings", "data"] => Some(Area::Data),
            _ => None,
        }
    }

    /// The module that shows it: `areas`, `memberships`, `entry`, `account` or `trust`
    /// (`/{name}/tessera-{name}.js`).
    pub fn module(&self) -> &'static str {
        match self {
            Area::Clubs { .. } | Area::Club { .. } => "memberships",
            Area::Program { .. } | Area::ClubApplication { .. } => "entry",
            Area::Settings | Area::Details | Area::Password => "account",
            Area::Sessions | Area::Data | Area::Terms { .. } => "trust",
            _ => "areas",
        }
    }

    /// The screen of `path`, if the areas module shows it.
    pub fn rewards_or_vouchers(path: &str) -> Option<AnyView> {
        Some(match Area::of_areas(&parts(path))? {
            Area::Rewards { card } => {
                view! { <CardRewards card_id=card reward_id=None /> }.into_any()
            }
            Area::Reward { card, reward } => {
                view! { <CardRewards card_id=card reward_id=Some(reward) /> }.into_any()
            }
            Area::Vouchers => view! { <VouchersPage /> }.into_any(),
            Area::Voucher { id } => view! { <VoucherPage id=id /> }.into_any(),
            _ => return None,
        })
    }

    /// The screen of `path`, if the memberships module shows it.
    pub fn clubs(path: &str) -> Option<AnyView> {
        Some(match Area::of_memberships(&parts(path))? {
            Area::Clubs { card } => view! { <CardClubs card_id=card club_id=None /> }.into_any(),
            Area::Club { card, club } => {
                view! { <CardClubs card_id=card club_id=Some(club) /> }.into_any()
            }
            _ => return None,
        })
    }

    /// The screen of `path`, if the account module shows it.
    pub fn account(path: &str) -> Option<AnyView> {
        Some(match Area::of_account(&parts(path))? {
            Area::Settings => view! { <SettingsPage /> }.into_any(),
            Area::Details => view! { <DetailsPage /> }.into_any(),
            Area::Password => view! { <PasswordPage /> }.into_any(),
            _ => return None,
        })
    }

    /// The screen of `path`, if the trust module shows it.
    pub fn trust(path: &str) -> Option<AnyView> {
        Some(match Area::of_trust(&parts(path))? {
            Area::Sessions => view! { <SessionsPage /> }.into_any(),
            Area::Data => view! { <YourDataPage /> }.into_any(),
            Area::Terms { card } => view! { <CardTermsPage card_id=card /> }.into_any(),
            _ => return None,
        })
    }

    /// The screen of `path`, if the entry module shows it.
    pub fn entry(path: &str) -> Option<AnyView> {
        Some(match Area::of_entry(&parts(path))? {
            Area::Program { program } => {
                view! { <ProgramEntryPage program_id=program /> }.into_any()
            }
            Area::ClubApplication { card, club } => {
                view! { <ClubApplicationPage card_id=card club_id=club /> }.into_any()
            }
            _ => return None,
        })
    }
}

thread_local! {
    /// Rings when the server may be reachable again (online, the app back in front), so the
    /// screens' unanswered requests go again at once rather than at their next timed retry.
    static WAKE: Wake = Wake::listening();
}

/// Shows the screen `screen` makes of `path` (`None`: not this module's) in `host`,
/// an element of the wallet's page, until the returned handle is dropped (the wallet's route is
/// left, or shows another address). A session that ends meanwhile (a 401 here) goes to sign-in,
/// as the wallet's guard would.
pub fn show_in(
    host: web_sys::HtmlElement,
    path: &str,
    screen: fn(&str) -> Option<AnyView>,
) -> Box<dyn std::any::Any> {
    let path = path.to_owned();
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
                {screen(&path).unwrap_or_else(|| view! { <NotFoundPage /> }.into_any())}
        }
    }))
}
