//! Form parts: a labelled field with its error, a checkbox, the form-level alert and a submit
//! button with a busy state. Every message is translated.

use leptos::html::Input;
use leptos::prelude::*;

/// A labelled input with an optional hint and its error underneath, for the wallet's and the
/// console's forms.
///
/// The input's id is `id`, the error's `{id}-error` (linked by `aria-describedby`).
#[component]
pub fn Field(
    /// The input's id (and the `for` of its label).
    id: &'static str,
    /// `type` of the input: text, email, password, tel.
    #[prop(default = "text")]
    input_type: &'static str,
    /// `autocomplete` hint, e.g. `email`, `current-password`, `name`, `tel`, or `off` (a till types
    /// a different customer's data each time).
    autocomplete: &'static str,
    /// The value, two-way bound.
    value: RwSignal<String>,
    /// The error message to show, if any (translated: see [`field_error`](super::field_error)).
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Whether the field must be filled.
    #[prop(default = false)]
    required: bool,
    /// `inputmode` hint for on-screen keyboards.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// A short hint shown under the label (`hint=ViewFn::from(..)`, or an `Option` of one).
    #[prop(default = None, into)]
    hint: Option<ViewFn>,
    /// Disables the input.
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// Typed as it is, not as words: codes and numbers (no capitals, no spelling check).
    #[prop(optional)]
    verbatim: bool,
    /// A bigger input (the till's amount and codes).
    #[prop(optional)]
    large: bool,
    /// To focus or select the input.
    #[prop(optional)]
    input_ref: NodeRef<Input>,
    /// The label text.
    children: Children,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let has_hint = hint.is_some();
    let described_by = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
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
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id>{hint.run()}</p> })}
            <input
                class=input_class
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                autocapitalize=verbatim.then_some("off")
                spellcheck=verbatim.then_some("false")
                inputmode=inputmode
                required=required
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

/// A labelled choice of a few options (a native `<select>`, which a phone shows as its own
/// picker), with its error underneath; the value is the chosen option's.
#[component]
pub fn SelectField(
    /// The select's id (and the `for` of its label).
    id: &'static str,
    /// The options: each one's value and what it says.
    options: Vec<(&'static str, String)>,
    /// The chosen value, two-way bound.
    value: RwSignal<String>,
    /// The error message to show, if any.
    #[prop(into, optional)]
    error: Signal<Option<String>>,
    /// The label text.
    children: Children,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.with(Option::is_some).then(|| error_id.clone())
    };
    let options = options
        .into_iter()
        .map(|(option, text)| {
            view! { <option value=option selected=move || value.with(|v| v == option)>{text}</option> }
        })
        .collect_view();
    view! {
        <div class="field" class:field--invalid=move || error.with(Option::is_some)>
            <label class="field__label" for=id>
                {children()}
            </label>
            <select
                class="field__input field__select"
                id=id
                name=id
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by
                on:change=move |event| value.set(event_target_value(&event))
            >
                {options}
            </select>
            <p class="field__error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

/// A checkbox with its label to the right and an optional field error.
#[component]
pub fn CheckboxField(
    /// The input's id.
    id: &'static str,
    /// The state, two-way bound.
    checked: RwSignal<bool>,
    /// The error message to show, if any.
    #[prop(into, optional)]
    error: Signal<Option<String>>,
    /// Disabled (e.g. while what it refers to loads).
    #[prop(into, optional)]
    disabled: Signal<bool>,
    /// The label text.
    children: Children,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.with(Option::is_some).then(|| error_id.clone())
    };
    view! {
        <div class="check" class:check--invalid=move || error.with(Option::is_some)>
            <input
                class="check__input"
                type="checkbox"
                id=id
                name=id
                disabled=disabled
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by
                bind:checked=checked
            />
            <label class="check__label" for=id>
                {children()}
            </label>
            <p class="field__error check__error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

/// The form-level error: an alert announced by screen readers when it appears.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|text| {
            view! {
                <div class="alert alert--error" role="alert">
                    <span class="alert__icon" aria-hidden="true">"!"</span>
                    <p class="alert__text">{text}</p>
                </div>
            }
        })
    }
}

/// The primary submit button: disabled, with a spinner and `busy_label`, while `busy`.
#[component]
pub fn SubmitButton(
    /// True while the request is in flight.
    #[prop(into)]
    busy: Signal<bool>,
    /// What the button says while busy.
    #[prop(into)]
    busy_label: ViewFn,
    /// Extra disabled condition.
    #[prop(into, optional)]
    disabled: Signal<bool>,
    /// Button kind: primary (default) or danger.
    #[prop(default = "btn--primary")]
    variant: &'static str,
    /// `type` of the button.
    #[prop(default = "submit")]
    button_type: &'static str,
    /// Click handler for non-submit buttons.
    #[prop(optional)]
    on_click: Option<Callback<()>>,
    /// The label.
    children: ChildrenFn,
) -> impl IntoView {
    view! {
        <button
            class=format!("btn {variant}")
            type=button_type
            disabled=move || busy.get() || disabled.get()
            aria-busy=move || if busy.get() { "true" } else { "false" }
            on:click=move |_| {
                if let Some(cb) = on_click {
                    cb.run(());
                }
            }
        >
            {move || {
                if busy.get() {
                    view! {
                        <span class="spinner" aria-hidden="true"></span>
                        <span>{busy_label.run()}</span>
                    }
                        .into_any()
                } else {
                    children().into_any()
                }
            }}
        </button>
    }
}

/// Moves focus to the first invalid field once the DOM shows the errors, so keyboard and screen
/// reader users land on what needs fixing.
pub fn focus_first_invalid() {
    request_animation_frame(|| {
        use wasm_bindgen::JsCast;
        let first = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("form [aria-invalid=true]").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = first {
            let _ = el.focus();
        }
    });
}
