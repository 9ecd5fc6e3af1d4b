//! A loyalty card as a tile: program, big balance, point name.

use crate::i18n::*;
use leptos::prelude::*;
use tessera_core::api::Card;

/// `1234567` -> `1,234,567` (grouping by thousands; localised grouping comes with more locales).
pub fn format_points(points: i64) -> String {
    let digits = points.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if points < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Unix milliseconds -> `YYYY-MM-DD` (UTC), without a date library.
pub fn iso_date(unix_ms: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let days = unix_ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Picks one of the brand gradients for a program, stable across visits.
fn hue_class(program_id: &str) -> &'static str {
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

/// One card: program name, balance and the program's point name.
#[component]
pub fn CardTile(card: Card) -> impl IntoView {
    let i18n = use_i18n();
    let class = format!("card-tile {}", hue_class(&card.program_id));
    let balance = format_points(card.balance);
    let since = iso_date(card.enrolled_at);
    let Card {
        id,
        program_name,
        point_name,
        ..
    } = card;
    let label = program_name.clone();
    view! {
        <article class=class data-card-id=id aria-label=label>
            <div class="card-tile__top">
                <h2 class="card-tile__program">{program_name}</h2>
                <span class="card-tile__chip" aria-hidden="true"></span>
            </div>
            <div class="card-tile__balance">
                <span class="sr-only">{t!(i18n, cards.balance_label)}": "</span>
                <span class="card-tile__points" data-testid="balance">{balance}</span>
                " "
                <span class="card-tile__unit">{point_name}</span>
            </div>
            <p class="card-tile__since">
                {t!(i18n, cards.member_since, date = move || since.clone())}
            </p>
        </article>
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
