//! One module a screen.

mod card;
mod card_terms;
mod cards;
mod club_apply;
mod clubs;
mod details;
mod invitations;
mod join;
mod not_found;
mod password;
mod password_reset;
mod program_entry;
mod published;
mod rewards;
mod sessions;
mod settings;
mod sign_in;
mod vouchers;
mod your_data;

/// The card screen's "not found" and error states, which the code screen shows too.
pub(crate) use card::failure as card_failure;
pub use card::CardPage;
pub use card_terms::CardTermsPage;
pub use cards::CardsPage;
pub use club_apply::ClubApplicationPage;
pub use clubs::CardClubs;
pub use details::DetailsPage;
pub use join::JoinPage;
pub use not_found::NotFoundPage;
pub use password::PasswordPage;
pub use password_reset::{ForgotPage, ResetPage};
pub use program_entry::ProgramEntryPage;
pub use published::{PrivacyPage, TermsPage};
pub use rewards::CardRewards;
pub use sessions::SessionsPage;
pub use settings::SettingsPage;
pub use sign_in::{LostPhonePage, SignInPage};
pub use vouchers::{VoucherPage, VouchersPage};
pub use your_data::YourDataPage;
