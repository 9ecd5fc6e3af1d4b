//! A loyalty card as a tile: program, level, big balance, point name and what matters next. The
//! whole tile links to the card's screen.

use crate::format::Fmt;
use crate::i18n::*;
use crate::modules::CodeModule;
use crate::next_step::{next_step, step_text, NextStep};
use leptos::prelude::*;
use tessera_core::api::Card;

/// Picks one of the brand gradients for a program, stable across visits (the card screen and the
/// till's member card use the same one, so all look like one card).
pub fn hue_class(program_id: &str) -> &'static str {
    const HUES: [&str; 4] = [
        "card-tile--hue-0",
        "card-tile--hue-1",
        "card-tile--hue-2",
        "card-tile--hue-3",
    ];
    let sum = program_id.bytes().fold(0usize, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(b as usize)
    });
    HUES[sum % HUES.len()]
}

/// The formatting of the current reader (locale of the wallet, variant of the browser).
pub fn reader_fmt() -> Fmt {
    Fmt::for_language(use_i18n().get_locale_untracked().as_str())
}

/// The card's level as a small badge, with its meaning for screen readers.
pub fn tier_badge(name: String, locale: Locale) -> impl IntoView {
    view! {
        <span class="tier-badge">
            <span class="sr-only">{td_string!(locale, cards.tier_label)}": "</span>
            {name}
        </span>
    }
}

/// One card: program name, level, balance in the program's point name, and the one line that
/// matters next (or when the customer joined, when nothing does). The whole tile links to the
/// card's screen.
#[component]
pub fn CardTile(card: Card) -> impl IntoView {
    card_tile(&card, true)
}

/// A card as a tile: linking to its screen (`link`), or as the head of that screen.
pub fn card_tile(card: &Card, link: bool) -> impl IntoView {
    let i18n = use_i18n();
    let fmt = reader_fmt();
    let locale = i18n.get_locale_untracked();
    let class = format!("card-tile {}", hue_class(&card.program_id));
    let balance = fmt.points(card.balance);
    let step = next_step(card);
    let next_class = match step {
        Some(NextStep::Expiring(_)) => "card-tile__next card-tile__next--warn",
        _ => "card-tile__next",
    };
    let line = match &step {
        Some(step) => step_text(step, card, &fmt, locale),
        None => {
            let date = fmt.local_day(card.enrolled_at);
            fill(td_string!(locale, cards.member_since), &[("date", &date)])
        }
    };
    // Without `href` the anchor is inert: the screen's head is not a link to itself.
    let href = link.then(|| format!("/cards/{}", card.id));
    let tier = card.tier.as_ref().map(|t| t.name.clone());
    let (id, program_name, point_name) = (
        card.id.clone(),
        card.program_name.clone(),
        card.point_name.clone(),
    );
    let label = program_name.clone();
    let code_href = format!("/cards/{}/code", card.id);
    let code_label = fill(
        td_string!(locale, code.show_for),
        &[("program", &program_name)],
    );
    view! {
        <div class="card-slot">
        <a class="card-link" href=href>
            <article class=class data-card-id=id aria-label=label>
                <div class="card-tile__top">
                    <h2 class="card-tile__program">{program_name}</h2>
                    {tier.map(|name| tier_badge(name, locale))}
                </div>
                <div class="card-tile__balance">
                    <span class="sr-only">{t_string!(i18n, cards.balance_label)}": "</span>
                    <span class="card-tile__points" data-testid="balance">{balance}</span>
                    " "
                    <span class="card-tile__unit">{point_name}</span>
                </div>
                <p class=next_class data-testid="next">
                    {line}
                </p>
            </article>
        </a>
        // One tap from the card to the till: its own link, since a link cannot hold another.
        // The code screen is an app of its own: shown in this page once the wallet has loaded
        // its module, until then a full page load (`rel="external"`).
        <a class="btn btn--primary card-slot__code" href=code_href
            rel=move || (!CodeModule::ready()).then_some("external")
            aria-label=code_label>
            <svg class="tabbar__icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M4 4h6v6H4zm10 0h6v6h-6zM4 14h6v6H4zm10 0h2v2h-2zm4 4h2v2h-2z"></path>
            </svg>
            {td_string!(locale, code.show)}
        </a>
        </div>
    }
}

/// The placeholder shown while cards load.
#[component]
pub fn CardTileSkeleton() -> impl IntoView {
    view! {
        <div class="card-tile card-tile--skeleton" aria-hidden="true">
            <span class="skeleton skeleton--title"></span>
            <span class="skeleton skeleton--number"></span>
            <span class="skeleton skeleton--line"></span>
        </div>
    }
}
