//! A labelled input for the console's forms, with a hint and its error message (already
//! translated: the console's checks name the problem exactly, e.g. "not a Tessera code").

use leptos::html::Input;
use leptos::prelude::*;

/// A labelled input; the error appears under it and is linked by `aria-describedby`.
#[component]
pub fn TextField(
    /// The input's id (and the label's `for`).
    id: &'static str,
    /// `type` of the input.
    #[prop(default = "text")]
    input_type: &'static str,
    /// `autocomplete`; off by default (a till types a different customer's data each time).
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// `inputmode`, for the on-screen keyboard.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// The value, two-way bound.
    value: RwSignal<String>,
    /// The error message, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// Disables the input.
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// A bigger input (the amount).
    #[prop(optional)]
    large: bool,
    /// To focus the input.
    #[prop(optional)]
    input_ref: NodeRef<Input>,
    /// The label.
    children: Children,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let ids: Vec<&str> = hint_id
                .iter()
                .map(String::as_str)
                .chain(error.with(Option::is_some).then_some(error_id.as_str()))
                .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let input_class = if large {
        "field__input field__input--large"
    } else {
        "field__input"
    };
    view! {
        <div class="field" class:field--invalid=move || error.with(Option::is_some)>
            <label class="field__label" for=id>
                {children()}
            </label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id>{hint}</p> })}
            <input
                class=input_class
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                autocapitalize="off"
                spellcheck="false"
                inputmode=inputmode
                disabled=disabled
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by
                node_ref=input_ref
                bind:value=value
            />
            <p class="field__error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

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
