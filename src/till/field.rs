//! What the console does with its inputs: focus the one a step needs, and select a refused code so
//! the next one replaces it. (The inputs themselves are the shared [`crate::components::Field`].)

use leptos::html::Input;
use leptos::prelude::*;

/// Focuses `input` once it is in the document (on the next frame, after the view settles).
pub fn focus_when_shown(input: NodeRef<Input>) {
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            request_animation_frame(move || {
                let _ = input.focus();
            });
        }
    });
}

/// Selects the text of `input` when `busy` ends with the view still shown (the request was
/// refused), so the next code typed or scanned replaces the refused one.
pub fn select_when_refused(busy: RwSignal<bool>, input: NodeRef<Input>) {
    Effect::new(move |was_busy: Option<bool>| {
        let now = busy.get();
        if was_busy == Some(true) && !now {
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
                input.select();
            }
        }
        now
    });
}
