//! `/cards/:id/terms`: a program's terms, when they changed since the member accepted theirs:
//! when, where to read them, and "Accept" (the version shown, which the server checks). Until
//! then the card earns, but spending points and redeeming wait (the till says so too).
//!
//! Shown by the trust module (`src/bin/tessera-trust.rs`, `crate::areas`); the cards home links
//! here for each card with new terms (`Wallet::terms_to_accept`).

use super::card::failure;
use super::vouchers::loading;
use crate::api::{self, Remote};
use crate::components::{back_link, reader_fmt, FormAlert, SubmitButton};
use crate::i18n::*;
use crate::messages::error_message;
use leptos::prelude::*;
use tessera_core::api::ProgramTerms;

/// The card `card_id`'s program terms, and accepting the new ones.
#[component]
pub fn CardTermsPage(card_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let terms = Remote::<ProgramTerms>::new(api::terms_path(&card_id));
    let accepted = RwSignal::new(false);
    let card_id = StoredValue::new(card_id);
    let body = move || {
        let locale = i18n.get_locale_untracked();
        match terms.get() {
            None => loading(td_string!(locale, terms.loading)).into_any(),
            Some(Err(error)) => failure(&error, move || terms.refetch(), i18n).into_any(),
            Some(Ok(shown)) if shown.accepted_version == shown.version => {
                let text = if accepted.get() {
                    td_string!(locale, terms.accepted).to_owned()
                } else {
                    fill(
                        td_string!(locale, terms.current),
                        &[("program", &shown.program_name)],
                    )
                };
                view! { <p class="page__lead" role="status" data-testid="terms-state">{text}</p> }
                    .into_any()
            }
            Some(Ok(shown)) => ask(shown, card_id.get_value(), terms, accepted, locale).into_any(),
        }
    };
    view! {
        <section class="page" aria-labelledby="terms-title">
            {back_link("/".into(), t_string!(i18n, cards.title))}
            <h1 class="page__title" id="terms-title">{t_string!(i18n, terms.title)}</h1>
            {body}
        </section>
    }
}

/// What changed and when, the way to the text, and the button that accepts the version shown.
fn ask(
    shown: ProgramTerms,
    card_id: String,
    terms: Remote<ProgramTerms>,
    accepted: RwSignal<bool>,
    locale: Locale,
) -> impl IntoView {
    let lead = match shown.updated.as_deref() {
        Some(day) => fill(
            td_string!(locale, terms.lead),
            &[
                ("program", &shown.program_name),
                ("updated", &reader_fmt().day(day)),
            ],
        ),
        None => fill(
            td_string!(locale, terms.lead_undated),
            &[("program", &shown.program_name)],
        ),
    };
    let version = fill(
        td_string!(locale, terms.version),
        &[("version", &shown.version)],
    );
    let error = RwSignal::new(None::<String>);
    let accept = Action::new_local(move |version: &String| {
        let (card_id, version) = (card_id.clone(), version.clone());
        async move {
            match api::accept_terms(&card_id, version).await {
                Ok(_) => {
                    accepted.set(true);
                    terms.refetch();
                }
                Err(refused) => error.set(Some(error_message(&refused))),
            }
        }
    });
    let read = shown.url.clone().map(|url| {
        view! {
            <a class="btn btn--secondary" href=url target="_blank" rel="noopener">
                {td_string!(locale, terms.read)}
            </a>
        }
    });
    let sent = shown.version.clone();
    view! {
        <div class="panel">
            <p class="page__lead" data-testid="terms-lead">{lead}</p>
            <p class="reward__note">{version}</p>
            <FormAlert message=error />
            {read}
            <SubmitButton
                button_type="button"
                busy=accept.pending()
                busy_label=move || td_string!(locale, terms.accepting)
                on_click=Callback::new(move |_| {
                    if !accept.pending().get_untracked() {
                        accept.dispatch(sent.clone());
                    }
                })
            >
                {td_string!(locale, terms.accept)}
            </SubmitButton>
        </div>
    }
}
