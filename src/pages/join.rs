//! `/join`: create an account, accepting the current terms; marketing consent is separate.

use crate::api::{self, ApiError, Remote};
use crate::components::{
    field_error, focus_first_invalid, reader_fmt, CheckboxField, CredentialFields, Field,
    FormAlert, LanguageChoice, SubmitButton,
};
use crate::i18n::*;
use crate::messages::{account_error_message, error_message};
use crate::session::Auth;
use leptos::prelude::*;
use tessera_core::api::{ErrorCode, FieldError, RegisterRequest, Terms};
use tessera_core::validation::validate_registration;

/// The join form.
#[component]
pub fn JoinPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::use_context();

    let terms = Remote::<Terms>::new("/terms");
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let accept_terms = RwSignal::new(false);
    let marketing = RwSignal::new(false);
    let field_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);

    let register = Action::new_local(move |request: &RegisterRequest| {
        let request = request.clone();
        async move {
            match api::register(&request).await {
                Ok(session) => {
                    // The route guard moves the customer on to their cards.
                    auth.sign_in(session);
                }
                Err(error) => {
                    field_errors.set(error.fields().to_vec());
                    form_error.set(Some(account_error_message(&error)));
                    focus_first_invalid();
                }
            }
        }
    });
    let busy = register.pending();

    let loaded_terms = move || terms.get().and_then(Result::ok);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if register.pending().get_untracked() {
            return;
        }
        let current: Option<Terms> = terms.get_untracked().and_then(Result::ok);
        let current_version = current.as_ref().map(|t| t.version.clone());
        let phone_value = phone.get_untracked().trim().to_owned();
        let request = RegisterRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            display_name: name.get_untracked().trim().to_owned(),
            phone: (!phone_value.is_empty()).then_some(phone_value),
            accepted_terms_version: if accept_terms.get_untracked() {
                current_version.clone().unwrap_or_default()
            } else {
                String::new()
            },
            marketing_opt_in: marketing.get_untracked(),
            preferred_language: Some(i18n.get_locale_untracked().as_str().to_owned()),
        };
        // Without loaded terms, validate the rest and say why joining is not possible.
        let expected = current_version.unwrap_or_else(|| request.accepted_terms_version.clone());
        let mut errors = validate_registration(&request, &expected);
        if current.is_none() {
            errors.retain(|e| e.field != "accepted_terms_version");
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
        if current.is_none() {
            form_error.set(Some(t_string!(i18n, join.terms_unavailable).to_string()));
            terms.refetch();
            return;
        }
        form_error.set(None);
        register.dispatch(request);
    };

    let terms_label = move || match terms.get() {
        Some(Ok(t)) => {
            // The day as the reader writes it ("1 Nov", "Nov 1"), not as the API sends it.
            let updated = reader_fmt().day(&t.updated);
            let args = [("version", t.version.as_str()), ("updated", &updated)];
            fill(t_string!(i18n, join.terms_accept), &args).into_any()
        }
        Some(Err(_)) => t_string!(i18n, join.terms_accept_plain).into_any(),
        None => t_string!(i18n, join.terms_accept_plain).into_any(),
    };
    let terms_note = move || match terms.get() {
        Some(Ok(_)) => view! {
            <a class="link check__more" href="/terms" target="_blank">
                {t_string!(i18n, join.terms_read)}
            </a>
        }
        .into_any(),
        Some(Err(ApiError::Network)) => view! {
            <p class="check__note">{t_string!(i18n, errors.network)}</p>
        }
        .into_any(),
        Some(Err(_)) => view! {
            <p class="check__note">{t_string!(i18n, join.terms_unavailable)}</p>
        }
        .into_any(),
        None => {
            view! { <p class="check__note">{t_string!(i18n, join.terms_loading)}</p> }.into_any()
        }
    };

    view! {
        <section class="page page--auth" aria-labelledby="join-title">
            <h1 class="page__title" id="join-title">{t_string!(i18n, join.title)}</h1>
            <p class="page__lead">{t_string!(i18n, join.lead)}</p>
            <form class="form" novalidate on:submit=on_submit>
                <FormAlert message=form_error />
                <CredentialFields email=email password=password errors=field_errors new_account=true />
                <Field
                    id="display_name"
                    autocomplete="name"
                    required=true
                    value=name
                    error=field_error(field_errors, "display_name")
                >
                    {t_string!(i18n, fields.name)}
                </Field>
                <Field
                    id="phone"
                    input_type="tel"
                    autocomplete="tel"
                    inputmode="tel"
                    value=phone
                    error=field_error(field_errors, "phone")
                    hint=ViewFn::from(move || t_string!(i18n, fields.phone_hint))
                >
                    {t_string!(i18n, fields.phone)}
                </Field>
                <fieldset class="consents">
                    <CheckboxField
                        id="accept_terms"
                        checked=accept_terms
                        error=field_error(field_errors, "accepted_terms_version")
                        disabled=Signal::derive(move || loaded_terms().is_none())
                    >
                        {terms_label}
                    </CheckboxField>
                    <div class="check__extra">{terms_note}</div>
                    <CheckboxField id="marketing_opt_in" checked=marketing>
                        {t_string!(i18n, join.marketing)}
                    </CheckboxField>
                </fieldset>
                <SubmitButton busy=busy busy_label=move || t_string!(i18n, join.submitting)>
                    {t_string!(i18n, join.submit)}
                </SubmitButton>
            </form>
            <p class="page__switch">
                {t_string!(i18n, join.have_account)}" "
                <a href="/sign-in" class="link">{t_string!(i18n, join.to_sign_in)}</a>
            </p>
            <LanguageChoice />
        </section>
    }
}
