//! Building blocks shared by the screens.

mod card_tile;
mod form;
mod shell;

pub use card_tile::{format_points, iso_date, CardTile, CardTileSkeleton};
pub use form::{
    error_message, field_error_message, focus_first_invalid, CheckboxField, Field, FormAlert,
    SubmitButton,
};
pub use shell::Shell;
