//! Any unknown path.

use crate::i18n::*;
use leptos::prelude::*;

/// A designed 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page state">
            <h1 class="page__title">{t_string!(i18n, errors.not_found_page)}</h1>
            <a href="/" class="btn btn--secondary">{t_string!(i18n, errors.go_home)}</a>
        </section>
    }
}
