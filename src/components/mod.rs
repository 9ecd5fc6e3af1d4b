//! Building blocks shared by the screens.

mod card_tile;
mod confirm;
mod form;
mod language_choice;
mod near_end;
mod offline_line;
mod shell;
mod sign_in_form;
mod update_banner;

pub use card_tile::{card_tile, hue_class, reader_fmt, tier_badge, CardTile, CardTileSkeleton};
pub use confirm::{confirm_panel, ConfirmText, Confirming};
pub use form::{focus_first_invalid, CheckboxField, Field, FormAlert, SelectField, SubmitButton};
pub use language_choice::LanguageChoice;
pub use near_end::watch_near_end;
pub use offline_line::OfflineLine;
pub use shell::{back_link, Logo, Shell};
pub use sign_in_form::{field_error, sign_in_action, CredentialFields, SignInForm};
pub use update_banner::UpdateBanner;
