//! An action asked for twice, for what cannot be taken back (redeeming points, cancelling a
//! voucher): a button opens a panel that says what the action will do, with the action's button
//! (disabled while it runs, with the last attempt's error above it) and a way back.

use crate::api::ApiError;
use leptos::prelude::*;

/// Where an action with a confirmation stands; `T` is what it gave.
#[derive(Clone, Debug, PartialEq)]
pub enum Confirming<T> {
    /// Not asked yet.
    Idle,
    /// The confirmation is shown.
    Asking,
    /// The request is on its way.
    Sending,
    /// It was refused, or got no answer.
    Failed(ApiError),
    /// It was done.
    Done(T),
}

impl<T> Confirming<T> {
    /// Whether the confirmation is shown (asking, sending or failed).
    pub fn asking(&self) -> bool {
        matches!(
            self,
            Confirming::Asking | Confirming::Sending | Confirming::Failed(_)
        )
    }
}

/// What a confirmation says: its question, what the action does (each a line, with a test id
/// that may be empty), and its buttons' words.
#[derive(Clone)]
pub struct ConfirmText {
    pub title: String,
    pub lines: Vec<(&'static str, String)>,
    /// The action's button, and its words while it runs.
    pub go: &'static str,
    pub going: &'static str,
    /// The way back.
    pub back: &'static str,
    /// Whether the action destroys something (its button is red).
    pub danger: bool,
    /// The words of a refusal (`messages::error_message`, or a screen's own).
    pub message: fn(&ApiError) -> String,
}

/// The confirmation for `state` while it is [`Confirming::asking`]: `go` runs the action (the
/// caller sets `Sending`, then `Failed` or `Done`), the way back returns to `Idle`.
pub fn confirm_panel<T: Clone + Send + Sync + 'static>(
    state: RwSignal<Confirming<T>>,
    text: ConfirmText,
    go: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ConfirmText {
        title,
        lines,
        go: go_label,
        going,
        back,
        danger,
        message,
    } = text;
    let lines = lines
        .into_iter()
        .map(|(testid, line)| view! { <li class="confirm__line" data-testid=testid>{line}</li> })
        .collect_view();
    let sending = move || state.with(|s| matches!(s, Confirming::Sending));
    let error = Signal::derive(move || {
        state.with(|s| match s {
            Confirming::Failed(error) => Some(message(error)),
            _ => None,
        })
    });
    let class = if danger {
        "btn btn--danger"
    } else {
        "btn btn--primary"
    };
    view! {
        <section class="panel confirm" aria-labelledby="confirm-title">
            <h2 class="panel__title" id="confirm-title">{title}</h2>
            <ul class="lines" role="list">{lines}</ul>
            <crate::components::FormAlert message=error />
            <button class=class type="button" disabled=sending
                aria-busy=move || if sending() { "true" } else { "false" }
                on:click=move |_| go()>
                {move || if sending() { going } else { go_label }}
            </button>
            <button class="btn btn--secondary" type="button" disabled=sending
                on:click=move |_| state.set(Confirming::Idle)>
                {back}
            </button>
        </section>
    }
}
