//! Any unknown path.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

/// A designed 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page state">
            <h1 class="page__title">{t_string!(i18n, errors.not_found_page)}</h1>
            <A href="/" attr:class="btn btn--secondary">{t_string!(i18n, errors.go_home)}</A>
        </section>
    }
}
