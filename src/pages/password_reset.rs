//! A forgotten password, in the welcome app: `/forgot` asks for a link by e-mail (or, where
//! passwords cannot be reset by e-mail, says whom to ask), and `/reset` is where the link lands:
//! its token in the fragment (`#token=`, which no server sees), a new password, done.

use crate::api::{self, ApiError};
use crate::components::{field_error, focus_first_invalid, Field, FormAlert, SubmitButton};
use crate::i18n::*;
use crate::messages::error_message;
use leptos::prelude::*;
use tessera_core::api::{ErrorCode, FieldError, PasswordResetConfirm};
use tessera_core::validation::{validate_email, validate_password};

/// `/forgot`: the address to send a link to.
#[component]
pub fn ForgotPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = LocalResource::new(api::password_reset_info);
    let email = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let sent_to = RwSignal::new(None::<String>);
    let send = Action::new_local(move |email: &String| {
        let email = email.clone();
        async move {
            match api::ask_password_reset(email.clone()).await {
                Ok(()) => sent_to.set(Some(email)),
                Err(error) => form_error.set(Some(error_message(&error))),
            }
        }
    });
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if send.pending().get_untracked() {
            return;
        }
        form_error.set(None);
        let typed = email.get_untracked();
        if let Some(code) = validate_email(&typed) {
            errors.set(vec![FieldError {
                field: "email".into(),
                code,
            }]);
            focus_first_invalid();
            return;
        }
        errors.set(Vec::new());
        send.dispatch(typed.trim().to_owned());
    };
    let body = move || {
        if let Some(to) = sent_to.get() {
            let text = fill(t_string!(i18n, reset.sent), &[("email", &to)]);
            return view! { <p class="page__lead" role="status" data-testid="reset-sent">{text}</p> }
                .into_any();
        }
        match info.get() {
            Some(Ok(info)) if !info.available => {
                let text = match info.contact {
                    Some(contact) => fill(t_string!(i18n, reset.off), &[("contact", contact.as_str())]),
                    None => t_string!(i18n, reset.off_plain).to_owned(),
                };
                view! { <p class="page__lead" data-testid="reset-off">{text}</p> }.into_any()
            }
            _ => view! {
                <form class="form" novalidate on:submit=on_submit>
                    <FormAlert message=form_error />
                    <Field id="email" input_type="email" autocomplete="username" inputmode="email"
                        required=true value=email error=field_error(errors, "email")>
                        {t_string!(i18n, fields.email)}
                    </Field>
                    <SubmitButton busy=send.pending() busy_label=move || t_string!(i18n, reset.sending)>
                        {t_string!(i18n, reset.send)}
                    </SubmitButton>
                </form>
            }
            .into_any(),
        }
    };
    view! {
        <section class="page page--auth" aria-labelledby="forgot-title">
            <h1 class="page__title" id="forgot-title">{t_string!(i18n, reset.forgot_title)}</h1>
            <p class="page__lead">{t_string!(i18n, reset.forgot_lead)}</p>
            {body}
            <p class="page__switch">
                <a class="link" href="/sign-in">{t_string!(i18n, reset.to_sign_in)}</a>
            </p>
        </section>
    }
}

/// The token of the link that opened the page, taken out of the address (so it stays in no
/// history entry).
fn link_token() -> Option<String> {
    let location = window().location();
    let hash = location.hash().ok()?;
    let token = hash.strip_prefix("#token=")?.to_owned();
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&location.pathname().unwrap_or_default()),
        );
    }
    (!token.is_empty()).then_some(token)
}

/// `/reset#token=...`: the new password.
#[component]
pub fn ResetPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = StoredValue::new(link_token());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<(String, bool)>);
    let done = RwSignal::new(false);
    let set = Action::new_local(move |confirm: &PasswordResetConfirm| {
        let confirm = confirm.clone();
        async move {
            match api::confirm_password_reset(&confirm).await {
                Ok(()) => done.set(true),
                Err(error) => {
                    let dead = error.code() == Some(ErrorCode::ResetLinkInvalid);
                    let text = if dead {
                        t_string!(i18n, reset.link_dead).to_owned()
                    } else {
                        error_message(&error)
                    };
                    errors.set(error.fields().to_vec());
                    form_error.set(Some((text, dead)));
                }
            }
        }
    });
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if set.pending().get_untracked() {
            return;
        }
        let Some(token) = token.get_value() else {
            return;
        };
        let new_password = password.get_untracked();
        if let Some(code) = validate_password(&new_password) {
            errors.set(vec![FieldError {
                field: "new_password".into(),
                code,
            }]);
            form_error.set(Some((
                error_message(&ApiError::refused(ErrorCode::Validation)),
                false,
            )));
            focus_first_invalid();
            return;
        }
        errors.set(Vec::new());
        form_error.set(None);
        set.dispatch(PasswordResetConfirm {
            token,
            new_password,
        });
    };
    let ask_again = move || {
        view! {
            <p class="page__switch">
                <a class="link" href="/forgot">{t_string!(i18n, reset.ask_again)}</a>
            </p>
        }
    };
    let body = move || {
        if done.get() {
            return view! {
                <p class="page__lead" role="status" data-testid="reset-done">{t_string!(i18n, reset.done)}</p>
                <a class="btn btn--primary" href="/sign-in">{t_string!(i18n, reset.to_sign_in)}</a>
            }
            .into_any();
        }
        if token.with_value(Option::is_none) {
            return view! {
                <p class="page__lead" role="alert">{t_string!(i18n, reset.no_link)}</p>
                {ask_again()}
            }
            .into_any();
        }
        let alert = Signal::derive(move || form_error.get().map(|(text, _)| text));
        let dead = move || form_error.with(|e| e.as_ref().is_some_and(|(_, dead)| *dead));
        view! {
            <p class="page__lead">{t_string!(i18n, reset.lead)}</p>
            <form class="form" novalidate on:submit=on_submit>
                <FormAlert message=alert />
                <Field id="new_password" input_type="password" autocomplete="new-password"
                    required=true value=password error=field_error(errors, "new_password")
                    hint=ViewFn::from(move || t_string!(i18n, fields.new_password_hint))>
                    {t_string!(i18n, reset.new_password)}
                </Field>
                <SubmitButton busy=set.pending() busy_label=move || t_string!(i18n, reset.submitting)>
                    {t_string!(i18n, reset.submit)}
                </SubmitButton>
            </form>
            {move || dead().then(ask_again)}
        }
        .into_any()
    };
    view! {
        <section class="page page--auth" aria-labelledby="reset-title">
            <h1 class="page__title" id="reset-title">{t_string!(i18n, reset.title)}</h1>
            {body}
        </section>
    }
}
