//! The signed-in session: kept in `localStorage` under [`STORAGE_KEY`] and mirrored in a signal
//! that the router guards and screens read.

use leptos::prelude::*;
use tessera_core::api::{Me, Session};

/// The `localStorage` key of the stored session (token and customer).
pub const STORAGE_KEY: &str = "tessera.session";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Reads the stored session, if any (an unreadable one is dropped).
pub fn load() -> Option<Session> {
    let raw = storage()?.get_item(STORAGE_KEY).ok()??;
    match crate::api::from_json(&raw) {
        Some(session) => Some(session),
        None => {
            clear();
            None
        }
    }
}

/// The bearer token of the stored session.
pub fn token() -> Option<String> {
    load().map(|s| s.token)
}

/// Stores a new session.
pub fn save(session: &Session) {
    if let (Some(storage), Some(raw)) = (storage(), crate::api::to_json(session)) {
        let _ = storage.set_item(STORAGE_KEY, &raw);
    }
}

/// Forgets the stored session, and with it the cards' checkout keys (their secrets belong to the
/// session: the server revokes them with it).
pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(STORAGE_KEY);
    }
    crate::checkout_key::forget_all();
}

/// The app-wide view of the session, provided as context by [`crate::app::App`].
#[derive(Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Session>>,
    signed_in: Memo<bool>,
}

impl Auth {
    /// Starts from what is stored on the device.
    pub fn from_storage() -> Self {
        let session = RwSignal::new(load());
        Self {
            session,
            // A memo, so that refreshing the customer's details does not re-run the guards.
            signed_in: Memo::new(move |_| session.with(Option::is_some)),
        }
    }

    /// The session context; panics outside [`crate::app::App`] or a test that provides it.
    pub fn use_context() -> Self {
        expect_context::<Self>()
    }

    /// Whether someone is signed in (reactive).
    pub fn signed_in(&self) -> bool {
        self.signed_in.get()
    }

    /// The signed-in customer (reactive).
    pub fn customer(&self) -> Option<Me> {
        self.session
            .with(|s| s.as_ref().map(|s| s.customer.clone()))
    }

    /// Stores and publishes a new session. (No checkout keys are left from an earlier one: every
    /// way a session ends goes through [`clear`].)
    pub fn sign_in(&self, session: Session) {
        save(&session);
        self.session.set(Some(session));
    }

    /// Updates the stored customer details (e.g. after `GET /me`).
    pub fn update_customer(&self, me: Me) {
        self.session.update(|s| {
            if let Some(s) = s {
                s.customer = me;
                save(s);
            }
        });
    }

    /// Forgets the session on this device; the route guards then show sign in.
    pub fn sign_out_locally(&self) {
        clear();
        self.session.set(None);
    }
}
