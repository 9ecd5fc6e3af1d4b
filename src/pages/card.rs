//! `/cards/:id`: one card in full: balance, pending and expiring points, level and its benefits,
//! discount, and the history as an endless list.
//!
//! Size matters here (the wallet's first load has a budget): the parts of a loaded card are plain
//! functions over `&Card` rather than components (no props to clone), texts are `t_string!`
//! rather than reactive `t!` views (the locale does not change while a screen is shown, and each
//! reactive text costs wasm), and the history is one signal.

use crate::api::{self, ApiError, Remote};
use crate::components::{
    back_link, card_tile, reader_fmt, watch_near_end, CardTileSkeleton, OfflineLine,
};
use crate::format::Fmt;
use crate::i18n::*;
use crate::messages::error_message;
use crate::next_step::{
    discount_step, expiring_text, pending_text, step_text, tier_text, NextStep, TierTarget,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use tessera_core::api::{Card, ErrorCode, HistoryEntry, HistoryPage, TierGoal, TierStatus};
use tessera_core::discount::DiscountKind;
use tessera_core::points::EntryKind;
use tessera_core::tier::QualifyBy;
use tessera_core::Currency;
use web_sys::js_sys::Date;

/// The card named by the path.
#[component]
pub fn CardPage() -> impl IntoView {
    let params = use_params_map();
    // Another card's id starts a fresh screen with its own requests.
    move || view! { <CardScreen id=params.with(|p| p.get("id").unwrap_or_default()) /> }
}

/// Where the history's paging stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Paging {
    /// More may follow (or the first page was never asked for).
    #[default]
    Idle,
    /// A page is on its way.
    Loading,
    /// The last page is shown.
    Done,
    /// The last request failed; loading again asks for the same page (an ended session goes
    /// back to sign-in through the client and the guard).
    Failed,
}

/// The history pages loaded so far and where to go on.
#[derive(Clone, Debug, Default)]
struct Feed {
    entries: Vec<HistoryEntry>,
    cursor: Option<String>,
    paging: Paging,
    /// Whether the end of the list is near the viewport (then each page asks for the next).
    near: bool,
    /// Whether the first page came from the server; until it does, the one kept on the device
    /// is shown (and replaced when it comes).
    fresh: bool,
}

/// A card's history as the screen holds it.
#[derive(Clone, Copy)]
struct History {
    id: StoredValue<String>,
    feed: RwSignal<Feed>,
}

impl History {
    /// Asks for the next page, unless one is on its way or the last is shown (so the list's end
    /// coming into view and a click on "Load more" cannot load a page twice).
    fn load(self) {
        let cursor = self.feed.with_untracked(|f| {
            (!matches!(f.paging, Paging::Loading | Paging::Done)).then(|| f.cursor.clone())
        });
        let Some(cursor) = cursor else { return };
        self.feed.update(|f| f.paging = Paging::Loading);
        let id = self.id.get_value();
        leptos::task::spawn_local(async move {
            let result = api::history(&id, cursor.as_deref()).await;
            // The screen may be gone by now; then the page is dropped.
            let again = self.feed.try_update(|f| {
                match result {
                    Ok(page) => {
                        if f.fresh {
                            f.entries.extend(page.entries);
                        } else {
                            (f.entries, f.fresh) = (page.entries, true);
                        }
                        f.paging = if page.next_cursor.is_some() {
                            Paging::Idle
                        } else {
                            Paging::Done
                        };
                        f.cursor = page.next_cursor;
                    }
                    Err(_) => f.paging = Paging::Failed,
                }
                // Still near the end (a tall screen, short pages): go on.
                f.near && f.paging == Paging::Idle
            });
            if again == Some(true) {
                self.load();
            }
        });
    }

    /// Shows the first page kept on the device until the server's comes.
    fn show_kept(self) {
        let Some(owner) = crate::kept::owner() else {
            return;
        };
        let path = api::history_path(&self.id.get_value());
        leptos::task::spawn_local(async move {
            let Some(page) = crate::kept::read(&owner, &path)
                .await
                .and_then(|kept| api::decode::<HistoryPage>(&kept.body).ok())
            else {
                return;
            };
            self.feed.try_update(|f| {
                if !f.fresh {
                    f.entries = page.entries;
                }
            });
        });
    }

    /// The end of the list came near the viewport (or went away): load on when it came.
    fn set_near(self, near: bool) {
        // Untracked: where the end is changes nothing on screen.
        let idle = self.feed.try_update_untracked(|f| {
            f.near = near;
            f.paging == Paging::Idle
        });
        if near && idle == Some(true) {
            self.load();
        }
    }
}

/// One card's screen: loads the card and, at the same time, the first history page.
#[component]
fn CardScreen(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    let card = Remote::<Card>::new(api::card_path(&id.get_value()));
    let history = History {
        id,
        feed: RwSignal::new(Feed::default()),
    };
    history.show_kept();
    history.load();
    // "Show code" paints its first frame from codes signed here ahead.
    crate::checkout_key::hand_over_while(
        move || id.try_get_value().into_iter().collect(),
        move || id.try_get_value().is_some(),
    );

    let body = move || match card.get() {
        None => card_skeleton(i18n).into_any(),
        // What time alone changed since the answer (kept, or just in).
        Some(Ok(card)) => card_details(&card.as_of(Date::now() as i64), history, i18n).into_any(),
        Some(Err(error)) => {
            // The history, once shown, retries by itself (its own button).
            let retry = move || card.refetch();
            failure(&error, retry, i18n).into_any()
        }
    };

    view! {
        <section class="page page--card">
            {back_link("/".into(), t_string!(i18n, card.back))}
            <OfflineLine since=Signal::derive(move || card.stale_since()) />
            {body}
        </section>
    }
}

/// The placeholder shown while the card loads: the tile's, and a panel's.
fn card_skeleton(i18n: I18nContext) -> impl IntoView {
    view! {
        <div class="cards" aria-busy="true">
            <p class="sr-only" role="status">{t_string!(i18n, card.loading)}</p>
            <CardTileSkeleton />
            <div class="panel card-tile--skeleton" aria-hidden="true">
                <span class="skeleton skeleton--line"></span>
                <span class="skeleton skeleton--title"></span>
            </div>
        </div>
    }
}

/// A card that could not be shown: not found (unknown, or not this customer's), or an error to
/// retry.
pub(crate) fn failure(
    error: &ApiError,
    retry: impl Fn() + 'static,
    i18n: I18nContext,
) -> impl IntoView {
    let not_found = error.code() == Some(ErrorCode::NotFound);
    let (title, body) = if not_found {
        (
            t_string!(i18n, card.not_found_title),
            t_string!(i18n, card.not_found_body).to_owned(),
        )
    } else {
        (t_string!(i18n, card.error_title), error_message(error))
    };
    // Plain `&'static str` attributes throughout: every new attribute type (an `Option`, a
    // `class:` toggle) is code of its own in the wasm.
    let (class, role) = if not_found {
        ("state state--missing", "status")
    } else {
        ("state state--error", "alert")
    };
    view! {
        <div class=class role=role>
            <div class="state__art state__art--missing" aria-hidden="true"></div>
            <h1 class="state__title">{title}</h1>
            <p class="state__body">{body}</p>
            {(!not_found).then(|| view! {
                <button class="btn btn--secondary" type="button" on:click=move |_| retry()>
                    {t_string!(i18n, cards.retry)}
                </button>
            })}
        </div>
    }
}

/// Everything about a loaded card, under the card itself as on the cards home.
fn card_details(card: &Card, history: History, i18n: I18nContext) -> impl IntoView {
    let fmt = reader_fmt();
    let locale = i18n.get_locale_untracked();
    view! {
        <div class="cards">
            // The tile shows the name as its heading; the screen's title says it once more for
            // the outline.
            <h1 class="sr-only">{card.program_name.clone()}</h1>
            {card_tile(card, false)}
            <div class="card-links">
                <a class="btn btn--secondary" href=format!("/cards/{}/rewards", card.id)>
                    {td_string!(locale, card.rewards)}
                </a>
                <a class="btn btn--secondary" href=format!("/cards/{}/clubs", card.id)>
                    {td_string!(locale, card.clubs)}
                </a>
            </div>
            {upcoming(card, &fmt, locale)}
            {card.tier.as_ref().map(|tier| tier_panel(tier, card, &fmt, locale))}
            {(card.discount.kind != DiscountKind::None).then(|| discount_panel(card, &fmt, locale))}
            {history_panel(history, card.point_name.clone(), card.currency, fmt.clone(), locale)}
        </div>
    }
}

/// One line of a panel: its class, its test id (for the end-to-end tests; may be empty), its
/// text, and a progress bar above the text when it has one.
///
/// The panels are lists of these rather than views of their own: one view type for every line
/// of every panel keeps the screen's wasm small.
struct Line {
    class: &'static str,
    testid: &'static str,
    text: String,
    meter: Option<Meter>,
}

/// A progress bar: value and maximum (as text: a float attribute would pull float formatting
/// into the wasm) and what it measures, for screen readers.
struct Meter {
    value: String,
    max: String,
    label: String,
}

fn line(class: &'static str, testid: &'static str, text: impl Into<String>) -> Line {
    Line {
        class,
        testid,
        text: text.into(),
        meter: None,
    }
}

/// A titled panel of lines.
fn panel(id: &'static str, title: &'static str, lines: Vec<Line>) -> impl IntoView {
    let items = lines
        .into_iter()
        .map(|Line { class, testid, text, meter }| {
            let meter = meter.map(|Meter { value, max, label }| {
                view! { <progress class="progress" max=max value=value aria-label=label></progress> }
            });
            view! { <li class=class data-testid=testid>{meter}{text}</li> }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby=id>
            <h2 class="panel__title" id=id>{title}</h2>
            <ul class="lines" role="list">{items}</ul>
        </section>
    }
}

/// Points becoming spendable and points about to expire, each with its day.
fn upcoming(card: &Card, fmt: &Fmt, locale: Locale) -> impl IntoView {
    let unit = card.point_name.as_str();
    let expiring = card.expiring.iter().map(|p| {
        line(
            "event event--expiring",
            "expiring",
            expiring_text(p, unit, fmt, locale),
        )
    });
    let pending = card
        .pending
        .iter()
        .map(|p| line("event", "pending", pending_text(p, unit, fmt, locale)));
    let mut lines: Vec<Line> = expiring.chain(pending).collect();
    if lines.is_empty() {
        lines.push(line(
            "panel__empty",
            "",
            td_string!(locale, card.upcoming_empty),
        ));
    }
    let title = td_string!(locale, card.upcoming_title);
    panel("upcoming-title", title, lines)
}

/// The level: how far to the next one, what keeps it, and what it gives.
fn tier_panel(tier: &TierStatus, card: &Card, fmt: &Fmt, locale: Locale) -> impl IntoView {
    let by_points = tier.qualify_by == QualifyBy::Points;
    let amount = |value: i64| {
        if by_points {
            format!("{} {}", fmt.points(value), card.point_name)
        } else {
            fmt.money(value, &card.currency)
        }
    };
    let goal_text = |goal: &TierGoal, keep: bool| {
        let target = TierTarget { goal, by_points };
        tier_text(&target, keep, card, fmt, locale)
    };
    let (rank, levels) = (tier.rank + 1, tier.levels);
    let mut lines = vec![
        line("tier__name", "tier-name", tier.name.clone()),
        line(
            "tier__rank",
            "",
            fill(
                td_string!(locale, card.tier_rank),
                &[("rank", &rank.to_string()), ("levels", &levels.to_string())],
            ),
        ),
    ];
    if let Some(next) = &tier.next {
        let (done, goal) = (amount(tier.qualifying), amount(next.threshold));
        let caption = fill(
            td_string!(locale, card.tier_progress),
            &[("done", &done), ("goal", &goal)],
        );
        let label = fill(
            td_string!(locale, card.tier_progress_label),
            &[("level", &next.name)],
        );
        lines.push(Line {
            meter: Some(Meter {
                value: tier.qualifying.clamp(0, next.threshold).to_string(),
                max: next.threshold.max(1).to_string(),
                label,
            }),
            ..line("progress__caption", "", caption)
        });
    }
    if let Some(keep) = tier.keep.as_ref().filter(|k| k.remaining > 0) {
        lines.push(line("goal goal--warn", "tier-keep", goal_text(keep, true)));
    }
    match &tier.next {
        Some(next) => lines.push(line("goal", "tier-next", goal_text(next, false))),
        None => lines.push(line("goal", "", td_string!(locale, card.tier_top))),
    }
    let goals = lines.len();
    if tier.multiplier_percent != 100 {
        let (multiplier, unit) = (fmt.multiplier(tier.multiplier_percent), &card.point_name);
        let args = [("multiplier", multiplier.as_str()), ("unit", unit)];
        let text = fill(td_string!(locale, card.benefit_multiplier), &args);
        lines.push(line("benefit", "benefit", text));
    }
    if card.discount.kind == DiscountKind::Tier && tier.discount_bp > 0 {
        let rate = fmt.percent(tier.discount_bp);
        let text = fill(
            td_string!(locale, card.benefit_discount),
            &[("rate", &rate)],
        );
        lines.push(line("benefit", "benefit", text));
    }
    lines.extend(
        tier.perks
            .iter()
            .map(|perk| line("benefit", "benefit", perk.clone())),
    );
    if lines.len() > goals {
        let title = line("benefits-title", "", td_string!(locale, card.tier_benefits));
        lines.insert(goals, title);
    }
    panel("tier-title", td_string!(locale, card.tier_title), lines)
}

/// The discount now and its next step.
fn discount_panel(card: &Card, fmt: &Fmt, locale: Locale) -> impl IntoView {
    let mut lines = vec![
        line(
            "discount__rate",
            "discount-rate",
            fmt.percent(card.rate_bp()),
        ),
        line("discount__text", "", td_string!(locale, card.discount_now)),
    ];
    if let Some(step) = discount_step(&card.discount) {
        let class = match step {
            NextStep::DiscountDrops { .. } => "goal goal--warn",
            _ => "goal",
        };
        lines.push(line(
            class,
            "discount-next",
            step_text(&step, card, fmt, locale),
        ));
    }
    panel(
        "discount-title",
        td_string!(locale, card.discount_title),
        lines,
    )
}

/// The localised name of an entry kind.
pub fn kind_label(kind: EntryKind, locale: Locale) -> &'static str {
    match kind {
        EntryKind::Earned => td_string!(locale, card.kind.earned),
        EntryKind::Welcome => td_string!(locale, card.kind.welcome),
        EntryKind::Spent => td_string!(locale, card.kind.spent),
        EntryKind::Expired => td_string!(locale, card.kind.expired),
        EntryKind::Adjusted => td_string!(locale, card.kind.adjusted),
        EntryKind::Refunded => td_string!(locale, card.kind.refunded),
    }
}

/// The history's classes, naming the stage of paging: the styles show the spinner, the status
/// that fits and the button (or not) from it.
fn stage(feed: &Feed) -> &'static str {
    match (&feed.paging, feed.entries.is_empty()) {
        (Paging::Idle, _) => "panel history history--idle",
        (Paging::Loading, true) => "panel history history--first",
        (Paging::Loading, false) => "panel history history--loading",
        (Paging::Done, true) => "panel history history--empty",
        (Paging::Done, false) => "panel history history--done",
        (Paging::Failed, _) => "panel history history--failed",
    }
}

/// The history, newest first. The "Load more" button ends the list: the next page loads when
/// it nears the viewport, or when it is pressed (keyboards, browsers without
/// `IntersectionObserver`); after a failure it says "Try again" instead.
///
/// Pages only ever append, so the rows are one plain list re-rendered per page (a keyed `For`
/// costs several KB of wasm for no visible difference), and the stages differ by one class
/// (which status text and which button label show) rather than by a view each. The button stays
/// in place while a page loads, so keyboard focus stays on it.
fn history_panel(
    history: History,
    unit: String,
    currency: Currency,
    fmt: Fmt,
    locale: Locale,
) -> impl IntoView {
    let feed = history.feed;
    // Once the list is in the document (the next frame), watch its end.
    request_animation_frame(move || {
        watch_near_end("history-more", move |near| history.set_near(near))
    });
    let rows = move || {
        feed.with(|f| {
            f.entries
                .iter()
                .map(|entry| history_row(entry, &unit, &currency, &fmt, locale))
                .collect_view()
        })
    };
    view! {
        <section
            class=move || feed.with(stage)
            aria-labelledby="history-title"
        >
            <h2 class="panel__title" id="history-title">{td_string!(locale, card.history_title)}</h2>
            <ul class="history__list" role="list">{rows}</ul>
            <p class="history__status" role="status">
                <span class="history__loading">{td_string!(locale, card.history_loading)}</span>
                <span class="history__empty">{td_string!(locale, card.history_empty)}</span>
                <span class="history__end">{td_string!(locale, card.history_end)}</span>
                <span class="history__error">{td_string!(locale, card.history_error)}</span>
            </p>
            <button
                class="btn btn--secondary history__more"
                id="history-more"
                type="button"
                on:click=move |_| history.load()
            >
                // Which one shows follows the stage (styles), like the rest of the footer.
                <span class="history__retry">{td_string!(locale, cards.retry)}</span>
                <span class="history__next">{td_string!(locale, card.load_more)}</span>
            </button>
        </section>
    }
}

/// What a history line says under its kind: what it was for, where and when.
///
/// The entry's `reason` names something only for points spent, adjusted or refunded (the reward,
/// the correction); for points earned, welcomed or expired it repeats the kind in the server's
/// words, so those lines show the purchase amount (earned) or nothing in its place.
pub fn history_meta(entry: &HistoryEntry, currency: &Currency, fmt: &Fmt) -> String {
    let what = match entry.kind {
        EntryKind::Spent | EntryKind::Adjusted | EntryKind::Refunded => Some(entry.reason.clone()),
        EntryKind::Earned => entry.spend_minor.map(|spend| fmt.money(spend, currency)),
        EntryKind::Welcome | EntryKind::Expired => None,
    };
    let mut meta = String::new();
    for part in [what.as_deref(), entry.place.as_deref()]
        .into_iter()
        .flatten()
    {
        meta.push_str(part);
        meta.push_str(" · ");
    }
    meta.push_str(&fmt.local_day(entry.at));
    meta
}

/// One history line: its kind, what/where/when, and the points it added or took (the sign also
/// shows as an icon, drawn by the styles).
fn history_row(
    entry: &HistoryEntry,
    unit: &str,
    currency: &Currency,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    let class = if entry.points > 0 {
        "history__row history__row--plus"
    } else {
        "history__row"
    };
    view! {
        <li class=class>
            <p class="history__kind">{kind_label(entry.kind, locale)}</p>
            <p class="history__meta">{history_meta(entry, currency, fmt)}</p>
            <p class="history__points">
                {fmt.signed_points(entry.points)}
                <span class="sr-only">{format!(" {unit}")}</span>
            </p>
        </li>
    }
}
