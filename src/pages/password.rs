//! `/settings/password`: a new password, with the current one (checked, and counted like a
//! sign-in); every other device is signed out, this one stays.
//!
//! Shown by the account module (`src/bin/tessera-account.rs`, `crate::areas`).

use crate::api::{self, ApiError};
use crate::components::{
    back_link, field_error, focus_first_invalid, Field, FormAlert, SubmitButton,
};
use crate::i18n::*;
use crate::messages::{account_error_message, error_message};
use leptos::prelude::*;
use tessera_core::api::{ErrorCode, FieldError, PasswordChange};
use tessera_core::validation::validate_password;

/// The password form.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let field_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let changed = RwSignal::new(false);
    let change = Action::new_local(move |request: &PasswordChange| {
        let request = request.clone();
        async move {
            match api::change_password(&request).await {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    changed.set(true);
                }
                Err(error) => {
                    let mut fields = error.fields().to_vec();
                    // A wrong current password is that field's mistake.
                    if error.code() == Some(ErrorCode::InvalidCredentials) {
                        form_error.set(Some(t_string!(i18n, password.wrong).to_owned()));
                        fields.clear();
                    } else {
                        form_error.set(Some(account_error_message(&error)));
                    }
                    field_errors.set(fields);
                    focus_first_invalid();
                }
            }
        }
    });
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if change.pending().get_untracked() {
            return;
        }
        changed.set(false);
        form_error.set(None);
        let request = PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        let mut errors = Vec::new();
        if request.current_password.is_empty() {
            errors.push(FieldError {
                field: "current_password".into(),
                code: tessera_core::validation::FieldCode::Required,
            });
        }
        if let Some(code) = validate_password(&request.new_password) {
            errors.push(FieldError {
                field: "new_password".into(),
                code,
            });
        }
        if !errors.is_empty() {
            field_errors.set(errors);
            form_error.set(Some(error_message(&ApiError::refused(
                ErrorCode::Validation,
            ))));
            focus_first_invalid();
            return;
        }
        field_errors.set(Vec::new());
        change.dispatch(request);
    };
    view! {
        <section class="page" aria-labelledby="password-title">
            {back_link("/settings".into(), t_string!(i18n, settings.title))}
            <h1 class="page__title" id="password-title">{t_string!(i18n, password.title)}</h1>
            <p class="page__lead">{t_string!(i18n, password.lead)}</p>
            <form class="panel form" novalidate on:submit=on_submit>
                <FormAlert message=form_error />
                <Field id="current_password" input_type="password" autocomplete="current-password"
                    required=true value=current error=field_error(field_errors, "current_password")>
                    {t_string!(i18n, password.current)}
                </Field>
                <Field id="new_password" input_type="password" autocomplete="new-password"
                    required=true value=new error=field_error(field_errors, "new_password")
                    hint=ViewFn::from(move || t_string!(i18n, fields.new_password_hint))>
                    {t_string!(i18n, password.new_password)}
                </Field>
                <Show when=move || changed.get()>
                    <p class="page__lead" role="status" data-testid="password-changed">{t_string!(i18n, password.changed)}</p>
                </Show>
                <SubmitButton busy=change.pending() busy_label=move || t_string!(i18n, password.changing)>
                    {t_string!(i18n, password.submit)}
                </SubmitButton>
            </form>
        </section>
    }
}
