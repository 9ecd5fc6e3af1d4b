//! Staff sign-in: e-mail and password of a `[[staff]]` account.

use super::api;
use super::messages::error_text;
use super::session::TillAuth;
use crate::api::ApiError;
use crate::components::{focus_first_invalid, Field, FormAlert, SubmitButton};
use crate::i18n::*;
use leptos::prelude::*;
use tessera_core::api::{ErrorCode, FieldError, LoginRequest};
use tessera_core::validation::{code, validate_email};

/// The sign-in form; says so when the server ended the last session.
#[component]
pub fn SignIn() -> impl IntoView {
    let i18n = use_i18n();
    let auth = TillAuth::use_context();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let field_errors = RwSignal::new(Vec::<FieldError>::new());
    let alert = RwSignal::new(
        auth.ended()
            .then(|| t_string!(i18n, till.sign_in.ended).to_owned()),
    );

    let login = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            match api::login(&request).await {
                Ok(session) => auth.sign_in(session),
                Err(error) => {
                    field_errors.set(error.fields().to_vec());
                    alert.set(Some(error_text(&error, i18n.get_locale_untracked())));
                    focus_first_invalid();
                }
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if login.pending().get_untracked() {
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
                code: c.into(),
            });
        }
        if request.password.is_empty() {
            errors.push(FieldError {
                field: "password".into(),
                code: code::REQUIRED.into(),
            });
        }
        let invalid = !errors.is_empty();
        field_errors.set(errors);
        if invalid {
            let error = ApiError::refused(ErrorCode::Validation);
            alert.set(Some(error_text(&error, i18n.get_locale_untracked())));
            focus_first_invalid();
            return;
        }
        alert.set(None);
        login.dispatch(request);
    };
    let field_error = move |field: &'static str| {
        Signal::derive(move || {
            field_errors.with(|all| {
                all.iter()
                    .find(|e| e.field == field)
                    .map(|e| e.code.clone())
            })
        })
    };

    view! {
        <section class="page page--auth till-sign-in" aria-labelledby="till-sign-in-title">
            <h1 class="page__title" id="till-sign-in-title">
                {t_string!(i18n, till.sign_in.title)}
            </h1>
            <p class="page__lead">{t_string!(i18n, till.sign_in.lead)}</p>
            <form class="form" novalidate on:submit=on_submit>
                <FormAlert message=alert />
                <Field
                    id="email"
                    input_type="email"
                    autocomplete="username"
                    inputmode="email"
                    required=true
                    value=email
                    error=field_error("email")
                >
                    {t_string!(i18n, fields.email)}
                </Field>
                <Field
                    id="password"
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    value=password
                    error=field_error("password")
                >
                    {t_string!(i18n, fields.password)}
                </Field>
                <SubmitButton
                    busy=login.pending()
                    busy_label=move || t_string!(i18n, till.sign_in.submitting)
                >
                    {t_string!(i18n, till.sign_in.submit)}
                </SubmitButton>
            </form>
        </section>
    }
}
