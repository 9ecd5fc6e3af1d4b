//! `/sign-in`: e-mail and password.

use crate::api::{self, ApiError};
use crate::components::{error_message, focus_first_invalid, Field, FormAlert, SubmitButton};
use crate::i18n::*;
use crate::pages::field_error;
use crate::session::Auth;
use leptos::prelude::*;
use leptos_router::components::A;
use tessera_core::api::{ErrorCode, FieldError, LoginRequest};
use tessera_core::validation::{code, validate_email};

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::use_context();

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let field_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);

    let login = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            match api::login(&request).await {
                Ok(session) => {
                    // The route guard moves the customer on to their cards.
                    auth.sign_in(session);
                }
                Err(error) => {
                    field_errors.set(error.fields().to_vec());
                    form_error.set(Some(error_message(&error)));
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
        let has_errors = !errors.is_empty();
        field_errors.set(errors);
        if has_errors {
            form_error.set(Some(error_message(&ApiError::refused(
                ErrorCode::Validation,
            ))));
            focus_first_invalid();
            return;
        }
        form_error.set(None);
        login.dispatch(request);
    };

    view! {
        <section class="page page--auth" aria-labelledby="sign-in-title">
            <h1 class="page__title" id="sign-in-title">{t_string!(i18n, sign_in.title)}</h1>
            <p class="page__lead">{t_string!(i18n, sign_in.lead)}</p>
            <form class="form" novalidate on:submit=on_submit>
                <FormAlert message=form_error />
                <Field
                    id="email"
                    input_type="email"
                    autocomplete="username"
                    inputmode="email"
                    required=true
                    value=email
                    error=field_error(field_errors, "email")
                >
                    {t_string!(i18n, fields.email)}
                </Field>
                <Field
                    id="password"
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    value=password
                    error=field_error(field_errors, "password")
                >
                    {t_string!(i18n, fields.password)}
                </Field>
                <SubmitButton busy=login.pending() busy_label=move || t_string!(i18n, sign_in.submitting)>
                    {t_string!(i18n, sign_in.submit)}
                </SubmitButton>
            </form>
            <p class="page__switch">
                {t_string!(i18n, sign_in.no_account)}" "
                <A href="/join" attr:class="link">{t_string!(i18n, sign_in.to_join)}</A>
            </p>
        </section>
    }
}
