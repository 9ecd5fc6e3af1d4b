//! `/terms` and `/privacy`: the texts published to everyone, signed in or not (the welcome app
//! shows them: `crate::welcome`), from the configuration through `GET /terms` and
//! `GET /privacy`: the version, when it was last updated, and the text, a paragraph for each
//! block parted by a blank line.

use super::card::failure;
use crate::api::Remote;
use crate::components::{reader_fmt, CardTileSkeleton};
use crate::i18n::*;
use leptos::prelude::*;
use tessera_core::api::{Privacy, Terms};

/// A published text as the page shows it.
struct Published {
    version: String,
    updated: String,
    text: String,
}

/// `/terms`: Tessera's terms.
#[component]
pub fn TermsPage() -> impl IntoView {
    let i18n = use_i18n();
    let terms = Remote::<Terms>::new("/terms");
    let shown = move || {
        terms.get().map(|answer| {
            answer.map(|t| Published {
                version: t.version,
                updated: t.updated,
                text: t.text,
            })
        })
    };
    page(t_string!(i18n, published.terms_title), shown, move || {
        terms.refetch()
    })
}

/// `/privacy`: the privacy notice.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    let privacy = Remote::<Privacy>::new("/privacy");
    let shown = move || {
        privacy.get().map(|answer| {
            answer.map(|p| Published {
                version: p.version,
                updated: p.updated,
                text: p.text,
            })
        })
    };
    page(t_string!(i18n, published.privacy_title), shown, move || {
        privacy.refetch()
    })
}

/// The page of a published text: its title, then the text once it is read.
fn page(
    title: &'static str,
    shown: impl Fn() -> Option<Result<Published, crate::api::ApiError>> + Copy + Send + Sync + 'static,
    retry: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let body = move || match shown() {
        None => view! {
            <div aria-busy="true">
                <p class="sr-only" role="status">{t_string!(i18n, loading)}</p>
                <CardTileSkeleton />
            </div>
        }
        .into_any(),
        Some(Err(error)) => failure(&error, retry, i18n).into_any(),
        Some(Ok(published)) => {
            let stamp = fill(
                t_string!(i18n, published.stamp),
                &[
                    ("version", &published.version),
                    ("updated", &reader_fmt().day(&published.updated)),
                ],
            );
            let paragraphs = published
                .text
                .split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| view! { <p>{p.to_owned()}</p> })
                .collect_view();
            view! {
                <p class="page__lead" data-testid="published-stamp">{stamp}</p>
                <div class="panel prose">{paragraphs}</div>
            }
            .into_any()
        }
    };
    view! {
        <section class="page" aria-labelledby="published-title">
            <h1 class="page__title" id="published-title">{title}</h1>
            {body}
        </section>
    }
}
