//! Sessions kept on the device: one [`SessionStore`] for the customer's (the wallet) and one for
//! the till's (the console), each under its own `localStorage` key, so a customer signed in to
//! the wallet and a cashier signed in to the console in the same browser never meet. The
//! customer's is mirrored in a signal that the router guards and screens read ([`Auth`]).

use crate::i18n::{keep_choice, Locale};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::marker::PhantomData;
use std::rc::Rc;
use tessera_core::api::{Me, Session, SignedIn, TillSession};

/// A session as the device keeps it: its bearer token and whatever else the app shows.
pub trait StoredSession: Serialize + DeserializeOwned {
    /// The bearer token.
    fn token(self) -> String;
}

impl StoredSession for Session {
    fn token(self) -> String {
        self.token
    }
}

/// A token alone: a session that ended on this device but not yet on the server ([`ENDED`]).
impl StoredSession for String {
    fn token(self) -> String {
        self
    }
}

impl StoredSession for TillSession {
    fn token(self) -> String {
        self.token
    }
}

/// One kind of session in `localStorage`.
pub struct SessionStore<S> {
    /// The `localStorage` key.
    pub key: &'static str,
    /// What else goes when the session goes.
    on_clear: fn(),
    kind: PhantomData<fn() -> S>,
}

/// The customer's session (token and customer); clearing it forgets the cards' checkout keys
/// (their secrets belong to the session: the server revokes them with it) and the answers kept
/// on the device.
pub const CUSTOMER: SessionStore<Session> = SessionStore {
    key: "tessera.session",
    on_clear: || {
        crate::checkout_key::forget_hints();
        crate::kept::forget_all();
    },
    kind: PhantomData,
};

/// A customer's token logged out while the server could not be reached: kept only until the
/// server hears of it (`api::tell_ended`), so the session (and its checkout secrets) ends there
/// too.
pub const ENDED: SessionStore<String> = SessionStore {
    key: "tessera.session.ended",
    on_clear: || {},
    kind: PhantomData,
};

/// The till's session (token and staff account).
pub const TILL: SessionStore<TillSession> = SessionStore {
    key: "tessera.till.session",
    on_clear: || {},
    kind: PhantomData,
};

/// What the app does when the server ends a stored session.
type Listener = Rc<dyn Fn()>;

thread_local! {
    /// The [`Listener`] of each store, by key.
    static ON_END: RefCell<Vec<(&'static str, Listener)>> = const { RefCell::new(Vec::new()) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

impl<S: StoredSession> SessionStore<S> {
    /// Reads the stored session, if any (an unreadable one is dropped).
    pub fn load(&self) -> Option<S> {
        let raw = storage()?.get_item(self.key).ok()??;
        let session = crate::json::from_text(&raw);
        if session.is_none() {
            self.clear();
        }
        session
    }

    /// The bearer token of the stored session.
    pub fn token(&self) -> Option<String> {
        self.load().map(S::token)
    }

    /// Stores a new session.
    pub fn save(&self, session: &S) {
        if let (Some(storage), Some(raw)) = (storage(), crate::json::to_text(session)) {
            let _ = storage.set_item(self.key, &raw);
        }
    }

    /// Forgets the stored session (and what goes with it).
    pub fn clear(&self) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(self.key);
        }
        (self.on_clear)();
    }

    /// Sets what the app does when the server ends this session: its view of the session (a
    /// signal the screens and guards read) follows. One per store, the app mounted last.
    pub fn on_end(&self, listener: impl Fn() + 'static) {
        let key = self.key;
        ON_END.with_borrow_mut(|all| {
            all.retain(|(k, _)| *k != key);
            all.push((key, Rc::new(listener)));
        });
    }

    /// The session ended (the server's 401, seen by [`crate::api`] and nowhere else, or a
    /// log-out): forget it on this device and tell the app.
    pub fn end(&self) {
        self.clear();
        let key = self.key;
        let listener = ON_END.with_borrow(|all| {
            all.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, listener)| listener.clone())
        });
        if let Some(listener) = listener {
            listener();
        }
    }
}

/// The app-wide view of the session, provided as context by [`crate::app::App`].
#[derive(Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Session>>,
    signed_in: Memo<bool>,
}

impl Auth {
    /// Starts from what is stored on the device; a session the server ends signs out here.
    pub fn from_storage() -> Self {
        let session = RwSignal::new(CUSTOMER.load());
        CUSTOMER.on_end(move || {
            session.try_set(None);
        });
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

    /// Stores and publishes a new session, and keeps the account's language as the device's
    /// choice (the next page speaks it). (No checkout keys are left from an earlier one: every
    /// way a session ends goes through [`SessionStore::clear`].)
    pub fn sign_in(&self, signed_in: SignedIn) {
        if let Some(locale) = signed_in
            .preferred_language
            .as_deref()
            .and_then(Locale::from_tag)
        {
            keep_choice(locale);
        }
        let session = Session::from(signed_in);
        CUSTOMER.save(&session);
        self.session.set(Some(session));
    }

    /// Updates the stored customer details (e.g. after `GET /me`).
    pub fn update_customer(&self, me: Me) {
        self.session.update(|s| {
            if let Some(s) = s {
                s.customer = me;
                CUSTOMER.save(s);
            }
        });
    }
}
