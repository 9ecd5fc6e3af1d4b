//! One module a screen.

mod card;
mod cards;
mod join;
mod not_found;
mod settings;
mod sign_in;

/// The card screen's "not found" and error states, which the code screen shows too.
pub(crate) use card::failure as card_failure;
pub use card::CardPage;
pub use cards::CardsPage;
pub use join::JoinPage;
pub use not_found::NotFoundPage;
pub use settings::SettingsPage;
pub use sign_in::SignInPage;

use leptos::prelude::*;
use tessera_core::api::FieldError;

/// The error code for `field` among `errors`, as a signal for a form field.
pub(crate) fn field_error(
    errors: RwSignal<Vec<FieldError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        errors.with(|all| {
            all.iter()
                .find(|e| e.field == field)
                .map(|e| e.code.clone())
        })
    })
}
