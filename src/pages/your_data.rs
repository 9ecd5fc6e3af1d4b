//! `/settings/data`: the customer's data in their hands: "Download my data" (everything kept,
//! as JSON, and the points history as a spreadsheet) and "Delete my account", whose
//! confirmation says what is lost (each card's points, vouchers not used, club memberships)
//! and takes the password.
//!
//! Shown by the trust module (`src/bin/tessera-trust.rs`, `crate::areas`).

use crate::api::{self, ApiError, Remote};
use crate::components::{back_link, reader_fmt, Field, FormAlert, SubmitButton};
use crate::i18n::*;
use crate::messages::error_message;
use leptos::prelude::*;
use tessera_core::api::{DeletionPreview, ErrorCode};
use wasm_bindgen::JsCast;

/// The two downloads and the deletion.
#[component]
pub fn YourDataPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page" aria-labelledby="data-title">
            {back_link("/settings".into(), t_string!(i18n, settings.title))}
            <h1 class="page__title" id="data-title">{t_string!(i18n, your_data.title)}</h1>
            <Downloads />
            <Deletion />
        </section>
    }
}

/// "Download my data": each download fetched with the session and saved by the browser.
#[component]
fn Downloads() -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let fetch = Action::new_local(move |which: &(&'static str, &'static str)| {
        let (path, name) = *which;
        async move {
            match api::download(path).await {
                Ok(blob) => {
                    error.set(None);
                    save(&blob, name);
                }
                Err(refused) => error.set(Some(error_message(&refused))),
            }
        }
    });
    let button = move |label: &'static str, which: (&'static str, &'static str), primary: bool| {
        view! {
            <SubmitButton
                button_type="button"
                variant=if primary { "btn--primary" } else { "btn--secondary" }
                busy=Signal::derive(move || fetch.pending().get() && fetch.input().get() == Some(which))
                busy_label=move || t_string!(i18n, your_data.downloading)
                disabled=fetch.pending()
                on_click=Callback::new(move |_| {
                    if !fetch.pending().get_untracked() {
                        fetch.dispatch(which);
                    }
                })
            >
                {label}
            </SubmitButton>
        }
    };
    view! {
        <section class="panel" aria-labelledby="download-title">
            <h2 class="panel__title" id="download-title">{t_string!(i18n, your_data.download_title)}</h2>
            <p class="reward__note">{t_string!(i18n, your_data.download_body)}</p>
            <FormAlert message=error />
            {button(t_string!(i18n, your_data.download), (api::EXPORT_PATH, "tessera-export.json"), true)}
            {button(t_string!(i18n, your_data.download_csv), (api::LEDGER_CSV_PATH, "tessera-points.csv"), false)}
        </section>
    }
}

/// Hands `blob` to the browser to save as `name`.
fn save(blob: &web_sys::Blob, name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let link = document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(link) = link {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    // After the click has handed it over.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
}

/// "Delete my account": what it does, then (asked) what would be lost and the password.
#[component]
fn Deletion() -> impl IntoView {
    let i18n = use_i18n();
    let asking = RwSignal::new(false);
    view! {
        <section class="panel panel--danger" aria-labelledby="delete-title">
            <h2 class="panel__title" id="delete-title">{t_string!(i18n, your_data.delete_title)}</h2>
            <p class="reward__note">{t_string!(i18n, your_data.delete_body)}</p>
            {move || if asking.get() {
                view! { <Confirm asking=asking /> }.into_any()
            } else {
                view! {
                    <button class="btn btn--danger" type="button" on:click=move |_| asking.set(true)>
                        {t_string!(i18n, your_data.delete_start)}
                    </button>
                }
                .into_any()
            }}
        </section>
    }
}

/// The confirmation: the losses, the password, and the button that deletes.
#[component]
fn Confirm(asking: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let preview = Remote::<DeletionPreview>::new(api::DELETION_PATH);
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let delete = Action::new_local(move |password: &String| {
        let password = password.clone();
        async move {
            match api::delete_account(password).await {
                // Gone: the session with it, so the screen's guard goes to sign-in (where the
                // address can join again).
                Ok(()) => {}
                Err(refused) => {
                    let text = if refused.code() == Some(ErrorCode::InvalidCredentials) {
                        t_string!(i18n, your_data.wrong_password).to_owned()
                    } else {
                        error_message(&refused)
                    };
                    error.set(Some(text));
                }
            }
        }
    });
    let losses = move || {
        let locale = i18n.get_locale_untracked();
        preview.get().map(|answer| match answer {
            Ok(p) => losses(&p, locale).into_any(),
            Err(e) => view! { <p class="reward__note">{error_message(&e)}</p> }.into_any(),
        })
    };
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if delete.pending().get_untracked() {
            return;
        }
        if password.with_untracked(String::is_empty) {
            error.set(Some(error_message(&ApiError::refused(
                ErrorCode::Validation,
            ))));
            return;
        }
        delete.dispatch(password.get_untracked());
    };
    view! {
        <form class="confirm form" novalidate on:submit=on_submit data-testid="delete-confirm">
            <p class="panel__title">{t_string!(i18n, your_data.delete_lose)}</p>
            {losses}
            <FormAlert message=error />
            <Field id="delete_password" input_type="password" autocomplete="current-password"
                required=true value=password error=Signal::derive(|| None::<String>)>
                {t_string!(i18n, your_data.password)}
            </Field>
            <SubmitButton variant="btn--danger" busy=delete.pending()
                busy_label=move || t_string!(i18n, your_data.deleting)>
                {t_string!(i18n, your_data.delete_go)}
            </SubmitButton>
            <button class="btn btn--secondary" type="button" on:click=move |_| asking.set(false)>
                {t_string!(i18n, rewards.not_now)}
            </button>
        </form>
    }
}

/// What deleting would end, a line each.
fn losses(preview: &DeletionPreview, locale: Locale) -> impl IntoView {
    let fmt = reader_fmt();
    let mut lines: Vec<String> = preview
        .points
        .iter()
        .map(|card| {
            fill(
                td_plural!(locale, your_data.lose_points, card.points),
                &[
                    ("points", &fmt.points(card.points)),
                    ("unit", &card.point_name),
                    ("program", &card.program_name),
                ],
            )
        })
        .collect();
    let count = |n: i64| n.to_string();
    if preview.active_vouchers > 0 {
        lines.push(fill(
            td_string!(locale, your_data.lose_vouchers),
            &[("count", &count(preview.active_vouchers))],
        ));
    }
    if preview.memberships > 0 {
        lines.push(fill(
            td_string!(locale, your_data.lose_memberships),
            &[("count", &count(preview.memberships))],
        ));
    }
    lines.push(td_string!(locale, your_data.lose_account).to_owned());
    let items = lines
        .into_iter()
        .map(|line| view! { <li class="event" data-testid="loss">{line}</li> })
        .collect_view();
    view! { <ul class="lines" role="list">{items}</ul> }
}
