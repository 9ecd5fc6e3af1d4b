//! The till session: kept on the device by [`crate::session::TILL`], apart from the customer's,
//! and mirrored in a signal the console reads.

use crate::session::TILL;
use leptos::prelude::*;
use tessera_core::api::Staff;

/// The console's view of the session, provided as context by [`super::TillApp`].
#[derive(Clone, Copy)]
pub struct TillAuth {
    staff: RwSignal<Option<Staff>>,
    /// A memo, so refreshing the account's details does not rebuild the console.
    signed_in: Memo<bool>,
    /// Set when the server ended the session (idle expiry, signed out elsewhere), so sign-in
    /// can say why the cashier is there.
    ended: RwSignal<bool>,
}

impl TillAuth {
    /// Starts from what is stored on the device; a session the server ends goes back to
    /// sign-in, which says why.
    pub fn from_storage() -> Self {
        let staff = RwSignal::new(TILL.load().map(|s| s.staff));
        let ended = RwSignal::new(false);
        TILL.on_end(move || {
            ended.try_set(true);
            staff.try_set(None);
        });
        Self {
            staff,
            signed_in: Memo::new(move |_| staff.with(Option::is_some)),
            ended,
        }
    }

    /// The context; panics outside the console (or a test that provides it).
    pub fn use_context() -> Self {
        expect_context()
    }

    /// The signed-in staff account (reactive).
    pub fn staff(&self) -> Option<Staff> {
        self.staff.get()
    }

    /// Whether someone is signed in (reactive).
    pub fn signed_in(&self) -> bool {
        self.signed_in.get()
    }

    /// Whether the session was ended by the server (read once, on the way to sign-in).
    pub fn ended(&self) -> bool {
        self.ended.get_untracked()
    }

    /// Updates the account's details (after `GET /till/me`).
    pub fn update_staff(&self, staff: Staff) {
        if let Some(mut session) = TILL.load() {
            session.staff = staff.clone();
            TILL.save(&session);
            self.staff.set(Some(staff));
        }
    }

    /// Back to sign-in, signed out on purpose.
    pub fn sign_out_locally(&self) {
        TILL.clear();
        self.ended.set(false);
        self.staff.set(None);
    }
}
