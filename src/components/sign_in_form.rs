//! The e-mail and password form of both sign-ins, the customer's and the cashier's.

use super::form::{focus_first_invalid, Field, FormAlert, SubmitButton};
use crate::api::ApiError;
use crate::i18n::*;
use crate::messages::field_error_message;
use leptos::prelude::*;
use std::future::Future;
use tessera_core::api::{ErrorCode, FieldError, LoginRequest};
use tessera_core::validation::{validate_email, FieldCode};

/// The message for `field`'s error among `errors`, as a signal for a [`Field`].
pub fn field_error(
    errors: RwSignal<Vec<FieldError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        errors.with(|all| {
            all.iter()
                .find(|e| e.field == field)
                .map(|e| field_error_message(e.code))
        })
    })
}

/// The action a [`SignInForm`] runs: `login` sends the request and `keep` keeps the session it
/// answers (the customer's or the till's).
pub fn sign_in_action<S, Answer>(
    login: impl Fn(LoginRequest) -> Answer + 'static,
    keep: impl Fn(S) + Copy + 'static,
) -> Action<LoginRequest, Result<(), ApiError>>
where
    S: 'static,
    Answer: Future<Output = Result<S, ApiError>> + 'static,
{
    Action::new_local(move |request: &LoginRequest| {
        let answer = login(request.clone());
        async move { answer.await.map(keep) }
    })
}

/// E-mail and password, checked before sending; `sign_in` sends them (and signs in on success),
/// the refusal it resolves to is shown as field errors and the form's alert, worded by
/// `message` (the wallet speaks to customers, the console to cashiers). A second press while
/// it runs does nothing.
#[component]
pub fn SignInForm(
    /// Sends the request; `Err` when it was refused.
    sign_in: Action<LoginRequest, Result<(), ApiError>>,
    /// The alert's text for an error.
    message: Callback<ApiError, String>,
    /// An alert shown from the start (the console: why the cashier is back at sign-in).
    #[prop(default = None)]
    alert: Option<String>,
    /// The button's label.
    submit: &'static str,
    /// The button's label while the request runs.
    submitting: &'static str,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let field_errors = RwSignal::new(Vec::<FieldError>::new());
    let alert = RwSignal::new(alert);

    Effect::new(move |_| {
        if let Some(Err(error)) = sign_in.value().get() {
            field_errors.set(error.fields().to_vec());
            alert.set(Some(message.run(error)));
            focus_first_invalid();
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sign_in.pending().get_untracked() {
            return;
        }
        let request = LoginRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        let mut errors = Vec::new();
        if let Some(c) = validate_email(&request.email) {
            errors.push(FieldError {
                field: "email".into(),
                code: c,
            });
        }
        if request.password.is_empty() {
            errors.push(FieldError {
                field: "password".into(),
                code: FieldCode::Required,
            });
        }
        let invalid = !errors.is_empty();
        field_errors.set(errors);
        if invalid {
            alert.set(Some(message.run(ApiError::refused(ErrorCode::Validation))));
            focus_first_invalid();
            return;
        }
        alert.set(None);
        sign_in.dispatch(request);
    };

    view! {
        <form class="form" novalidate on:submit=on_submit>
            <FormAlert message=alert />
            <CredentialFields email=email password=password errors=field_errors />
            <SubmitButton busy=sign_in.pending() busy_label=move || submitting>
                {submit}
            </SubmitButton>
        </form>
    }
}

/// The e-mail and password fields of the sign-in and join forms, each with its error from
/// `errors`.
#[component]
pub fn CredentialFields(
    email: RwSignal<String>,
    password: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
    /// Joining: the browser offers the address to save (not an account to sign in to) and may
    /// suggest a new password; the password rule shows as a hint.
    #[prop(optional)]
    new_account: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint = new_account.then(|| ViewFn::from(move || t_string!(i18n, fields.new_password_hint)));
    let (email_autocomplete, password_autocomplete) = if new_account {
        ("email", "new-password")
    } else {
        ("username", "current-password")
    };
    view! {
        <Field
            id="email"
            input_type="email"
            autocomplete=email_autocomplete
            inputmode="email"
            required=true
            value=email
            error=field_error(errors, "email")
        >
            {t_string!(i18n, fields.email)}
        </Field>
        <Field
            id="password"
            input_type="password"
            autocomplete=password_autocomplete
            required=true
            value=password
            error=field_error(errors, "password")
            hint=hint
        >
            {t_string!(i18n, fields.password)}
        </Field>
    }
}
