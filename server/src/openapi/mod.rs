//! The OpenAPI description, generated from the handlers' annotations and `tessera_core::api`.

pub mod refusals;

use crate::{
    account_deletion, accounts, cards, checkout, clubs, export, health, password_reset, profile,
    program_entry, published, rewards, sessions, till,
};
use tessera_core::api::ErrorBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Tessera API", description = "The loyalty wallet's HTTP API."),
    paths(
        health::health,
        published::terms,
        published::privacy,
        accounts::register,
        accounts::login,
        accounts::logout,
        profile::me,
        profile::profile,
        profile::change,
        profile::consents,
        profile::change_password,
        export::json,
        export::ledger_csv,
        account_deletion::preview,
        account_deletion::delete,
        password_reset::info,
        password_reset::request,
        password_reset::confirm,
        sessions::list,
        sessions::end,
        sessions::end_others,
        sessions::lost_phone,
        sessions::lost_phone_signing_in,
        cards::wallet,
        cards::card,
        cards::history,
        cards::terms,
        cards::accept_terms,
        checkout::checkout_secret,
        till::auth::login,
        till::auth::logout,
        till::auth::me,
        till::identify::identify,
        till::identify::phone_lookup,
        till::operations::purchase,
        till::vouchers::check,
        till::operations::club_fee_offers,
        till::operations::club_fee,
        till::clubs::queue,
        till::clubs::decide,
        rewards::catalog,
        rewards::redeem,
        rewards::list,
        rewards::cancel,
        clubs::list,
        clubs::join,
        clubs::renew,
        clubs::leave,
        clubs::auto_renew,
        clubs::invite,
        program_entry::entry,
        program_entry::apply,
        program_entry::invite,
    ),
    // Refusals refer to `ErrorBody` by name (`refusals`), so it is not collected from the paths.
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
