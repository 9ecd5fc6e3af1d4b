//! `/settings/details`: the customer's own details and choices: name, phone and language (one
//! form), offers by e-mail (on or off at a tap, each change kept), and the consent history
//! (every acceptance of Tessera's or a program's terms, with its version, and every marketing
//! choice).
//!
//! Shown by the account module (`src/bin/tessera-account.rs`, `crate::areas`), like settings,
//! which links here. The details are read from `GET /me/profile` (not the device's `Me`, which
//! every build decodes and which carries no language).

use super::vouchers::loading;
use crate::api::{self, ApiError, Remote};
use crate::components::{
    back_link, field_error, focus_first_invalid, reader_fmt, Field, FormAlert, SelectField,
    SubmitButton,
};
use crate::i18n::*;
use crate::messages::error_message;
use crate::session::Auth;
use leptos::prelude::*;
use tessera_core::api::{
    Consent, ConsentKind, Consents, ErrorCode, FieldError, Profile, ProfileChange,
};
use tessera_core::validation::validate_profile_change;

/// The details form, the marketing choice and the consent history.
#[component]
pub fn DetailsPage() -> impl IntoView {
    let i18n = use_i18n();
    let profile = Remote::<Profile>::new(api::PROFILE_PATH);
    let history = Remote::<Consents>::new(api::CONSENTS_PATH);
    // The details as the server has them, once read; the form keeps what is typed after.
    let shown = move || {
        let locale = i18n.get_locale_untracked();
        match profile.get() {
            None => loading(td_string!(locale, details.loading)).into_any(),
            Some(Err(error)) => {
                view! { <p class="reward__note" role="alert">{error_message(&error)}</p> }
                    .into_any()
            }
            Some(Ok(p)) => view! {
                <DetailsForm
                    name=p.display_name
                    phone=p.phone.unwrap_or_default()
                    language=p.preferred_language.unwrap_or_default()
                />
                <MarketingChoice opted_in=p.marketing_opt_in history=history />
            }
            .into_any(),
        }
    };
    view! {
        <section class="page" aria-labelledby="details-title">
            {back_link("/settings".into(), t_string!(i18n, settings.title))}
            <h1 class="page__title" id="details-title">{t_string!(i18n, details.title)}</h1>
            {shown}
            <ConsentHistory history=history />
        </section>
    }
}

/// Keeps the device's copy of who is signed in (settings shows it) in step with `profile`.
fn keep(auth: Auth, profile: &Profile) {
    if let Some(mut me) = auth.customer() {
        me.display_name = profile.display_name.clone();
        me.phone = profile.phone.clone();
        me.marketing_opt_in = profile.marketing_opt_in;
        auth.update_customer(me);
    }
}

/// Speaks the account's language `tag` on this device from now on (the page, in `current`,
/// reloads when it is another); none: the browser's language, as on a new device.
fn speak(tag: Option<&str>, current: Locale) {
    match tag.and_then(Locale::from_tag) {
        Some(locale) if locale != current => choose(locale),
        Some(locale) => keep_choice(locale),
        // Back to the browser's language: the page starts again in it.
        None if forget_choice() => {
            let _ = window().location().reload();
        }
        None => {}
    }
}

/// Name, phone and language, saved together.
#[component]
fn DetailsForm(name: String, phone: String, language: String) -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::use_context();
    let name = RwSignal::new(name);
    let phone = RwSignal::new(phone);
    let language = RwSignal::new(language);
    let speaking = i18n.get_locale_untracked();
    let field_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let save = Action::new_local(move |change: &ProfileChange| {
        let change = change.clone();
        async move {
            match api::change_profile(&change).await {
                Ok(profile) => {
                    keep(auth, &profile);
                    saved.set(true);
                    speak(profile.preferred_language.as_deref(), speaking);
                }
                Err(error) => {
                    field_errors.set(error.fields().to_vec());
                    form_error.set(Some(error_message(&error)));
                    focus_first_invalid();
                }
            }
        }
    });
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        saved.set(false);
        form_error.set(None);
        let change = ProfileChange {
            display_name: Some(name.get_untracked()),
            phone: Some(phone.get_untracked()),
            preferred_language: Some(language.get_untracked()),
            marketing_opt_in: None,
        };
        let errors = validate_profile_change(&change);
        if !errors.is_empty() {
            field_errors.set(errors);
            form_error.set(Some(error_message(&ApiError::refused(
                ErrorCode::Validation,
            ))));
            focus_first_invalid();
            return;
        }
        field_errors.set(Vec::new());
        save.dispatch(change);
    };
    let languages = std::iter::once(("", t_string!(i18n, details.language_device).to_owned()))
        .chain(Locale::ALL.map(|l| (l.as_str(), l.name().to_owned())))
        .collect();
    view! {
        <form class="panel form" novalidate on:submit=on_submit aria-labelledby="details-form-title">
            <h2 class="panel__title" id="details-form-title">{t_string!(i18n, settings.account)}</h2>
            <FormAlert message=form_error />
            <Field id="display_name" autocomplete="name" value=name required=true
                error=field_error(field_errors, "display_name")>
                {t_string!(i18n, fields.name)}
            </Field>
            <Field id="phone" input_type="tel" autocomplete="tel" value=phone
                error=field_error(field_errors, "phone")
                hint=ViewFn::from(move || t_string!(i18n, fields.phone_hint))>
                {t_string!(i18n, fields.phone)}
            </Field>
            <SelectField id="preferred_language" options=languages value=language
                error=field_error(field_errors, "preferred_language")>
                {t_string!(i18n, details.language)}
            </SelectField>
            <Show when=move || saved.get()>
                <p class="page__lead" role="status" data-testid="details-saved">{t_string!(i18n, details.saved)}</p>
            </Show>
            <SubmitButton busy=save.pending() busy_label=move || t_string!(i18n, details.saving)>
                {t_string!(i18n, details.save)}
            </SubmitButton>
        </form>
    }
}

/// Offers by e-mail: what the customer chose, and the button that changes it at once.
#[component]
fn MarketingChoice(opted_in: bool, history: Remote<Consents>) -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::use_context();
    let opted_in = RwSignal::new(opted_in);
    let error = RwSignal::new(None::<String>);
    let change = Action::new_local(move |opt_in: &bool| {
        let change = ProfileChange {
            marketing_opt_in: Some(*opt_in),
            ..ProfileChange::default()
        };
        async move {
            match api::change_profile(&change).await {
                Ok(profile) => {
                    error.set(None);
                    opted_in.set(profile.marketing_opt_in);
                    keep(auth, &profile);
                    history.refetch();
                }
                Err(refused) => error.set(Some(error_message(&refused))),
            }
        }
    });
    let opted_in = move || opted_in.get();
    view! {
        <section class="panel" aria-labelledby="marketing-title">
            <h2 class="panel__title" id="marketing-title">{t_string!(i18n, settings.marketing)}</h2>
            <FormAlert message=error />
            <p class="reward__note" data-testid="marketing">
                {move || if opted_in() {
                    t_string!(i18n, details.marketing_on)
                } else {
                    t_string!(i18n, details.marketing_off)
                }}
            </p>
            <SubmitButton
                button_type="button"
                variant="btn--secondary"
                busy=change.pending()
                busy_label=move || t_string!(i18n, details.saving)
                on_click=Callback::new(move |_| {
                    if !change.pending().get_untracked() {
                        change.dispatch(!opted_in());
                    }
                })
            >
                {move || if opted_in() {
                    t_string!(i18n, details.marketing_stop)
                } else {
                    t_string!(i18n, details.marketing_start)
                }}
            </SubmitButton>
        </section>
    }
}

/// The consent history, the newest first.
#[component]
fn ConsentHistory(history: Remote<Consents>) -> impl IntoView {
    let i18n = use_i18n();
    let body = move || {
        let locale = i18n.get_locale_untracked();
        match history.get() {
            None => loading(td_string!(locale, details.consents_loading)).into_any(),
            Some(Err(error)) => {
                view! { <p class="reward__note" role="alert">{error_message(&error)}</p> }
                    .into_any()
            }
            Some(Ok(shown)) => {
                let fmt = reader_fmt();
                let rows = shown
                    .consents
                    .iter()
                    .map(|consent| {
                        let when = fmt.local_day(consent.at);
                        view! {
                            <li class="event" data-testid="consent">
                                <strong>{consent_line(consent, locale)}</strong>
                                <span class="reward__note">{when}</span>
                            </li>
                        }
                    })
                    .collect_view();
                view! { <ul class="lines" role="list">{rows}</ul> }.into_any()
            }
        }
    };
    view! {
        <section class="panel" aria-labelledby="consents-title">
            <h2 class="panel__title" id="consents-title">{t_string!(i18n, details.consents)}</h2>
            {body}
        </section>
    }
}

/// What one consent was, in words.
fn consent_line(consent: &Consent, locale: Locale) -> String {
    let version = consent.version.as_deref().unwrap_or_default();
    match consent.kind {
        ConsentKind::AccountTerms => fill(
            td_string!(locale, details.consent_terms),
            &[("version", version)],
        ),
        ConsentKind::ProgramTerms => fill(
            td_string!(locale, details.consent_program),
            &[
                (
                    "program",
                    consent
                        .program_name
                        .as_deref()
                        .or(consent.program_id.as_deref())
                        .unwrap_or_default(),
                ),
                ("version", version),
            ],
        ),
        ConsentKind::Marketing if consent.granted => {
            td_string!(locale, details.consent_marketing_on).to_owned()
        }
        ConsentKind::Marketing => td_string!(locale, details.consent_marketing_off).to_owned(),
        ConsentKind::Unknown => td_string!(locale, details.consent_other).to_owned(),
    }
}
