//! `/cards/:id/rewards`: the catalog of the card's program, what the customer can afford first;
//! `/cards/:id/rewards/:reward`: one reward, and redeeming it after a confirmation that shows the
//! balance after. The redeemed voucher is shown at once (`super::vouchers::voucher_card`).
//!
//! Shown by the areas module (`crate::areas`), not the wallet's own wasm. Both read the card (usually kept from the card screen just left: the balance, point name and
//! currency) and, once its program is known, the catalog; each is a [`Remote`], so both show
//! offline from what the device kept.

use super::card::failure;
use super::vouchers::{loading, missing, value_text, voucher_card};
use crate::api::idempotency::{new_key, Attempts};
use crate::api::{self, ApiError, Remote};
use crate::components::{
    back_link, confirm_panel, reader_fmt, ConfirmText, Confirming, OfflineLine,
};
use crate::format::Fmt;
use crate::i18n::*;
use leptos::prelude::*;
use tessera_core::api::{Card, ErrorCode, RewardView, Rewards, VoucherWithCard};
use web_sys::js_sys::Date;

/// The card, and once its program is known the catalog (all of it, or the one reward).
#[component]
pub fn CardRewards(card_id: String, reward_id: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let card = Remote::<Card>::new(api::card_path(&card_id));
    // A memo: the card's answers (kept, then fresh) do not start the catalog again.
    let program = Memo::new(move |_| card.get().and_then(Result::ok).map(|c| c.program_id));
    let back = match &reward_id {
        Some(_) => format!("/cards/{card_id}/rewards"),
        None => format!("/cards/{card_id}"),
    };
    let back_text = match &reward_id {
        Some(_) => t_string!(i18n, rewards.title),
        None => t_string!(i18n, rewards.back),
    };
    let reward_id = StoredValue::new(reward_id);
    let status = move || match card.get() {
        None => Some(loading(t_string!(i18n, rewards.loading)).into_any()),
        Some(Err(error)) => Some(failure(&error, move || card.refetch(), i18n).into_any()),
        Some(Ok(_)) => None,
    };
    let catalog = move || {
        program.get().map(|program_id| {
            let card_id = card_id.clone();
            match reward_id.get_value() {
                None => {
                    view! { <Catalog card=card card_id=card_id program_id=program_id /> }.into_any()
                }
                Some(reward_id) => view! {
                    <RewardScreen card=card program_id=program_id reward_id=reward_id />
                }
                .into_any(),
            }
        })
    };
    view! {
        <section class="page page--card page--rewards">
            {back_link(back, back_text)}
            <OfflineLine since=Signal::derive(move || card.stale_since()) />
            {status}
            {catalog}
        </section>
    }
}

/// The card as of now (what time alone changed since its answer, kept or fresh), once it is
/// read (tracked).
fn card_now(card: Remote<Card>) -> Option<Card> {
    card.get()
        .and_then(Result::ok)
        .map(|card| card.as_of(Date::now() as i64))
}

/// The catalog: the balance, where points are earned and spent, and every reward.
#[component]
fn Catalog(card: Remote<Card>, card_id: String, program_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let rewards = Remote::<Rewards>::new(api::rewards_path(&program_id));
    move || {
        let card = card_now(card)?;
        let fmt = reader_fmt();
        let locale = i18n.get_locale_untracked();
        let body = match rewards.get() {
            None => loading(t_string!(i18n, rewards.loading)).into_any(),
            Some(Err(error)) => failure(&error, move || rewards.refetch(), i18n).into_any(),
            Some(Ok(catalog)) if catalog.rewards.is_empty() => view! {
                <div class="state state--empty">
                    <div class="state__art" aria-hidden="true"></div>
                    <h2 class="state__title">{t_string!(i18n, rewards.empty_title)}</h2>
                    <p class="state__body">{t_string!(i18n, rewards.empty_body)}</p>
                </div>
            }
            .into_any(),
            Some(Ok(catalog)) => {
                let partners = (catalog.partners.len() > 1).then(|| {
                    let names: Vec<&str> =
                        catalog.partners.iter().map(|p| p.name.as_str()).collect();
                    let text = fill(
                        td_string!(locale, rewards.partners),
                        &[("partners", &names.join(", "))],
                    );
                    view! { <p class="rewards__partners">{text}</p> }
                });
                let items = catalog
                    .rewards
                    .iter()
                    .map(|reward| {
                        let href = format!("/cards/{card_id}/rewards/{}", reward.id);
                        reward_item(reward, &card, href, &fmt, locale)
                    })
                    .collect_view();
                view! {
                    {partners}
                    <ul class="rewards" role="list">{items}</ul>
                }
                .into_any()
            }
        };
        let balance = fill(
            td_plural!(locale, rewards.balance, card.balance),
            &[
                ("points", &fmt.points(card.balance)),
                ("unit", &card.point_name),
            ],
        );
        Some(view! {
            <h1 class="page__title">{td_string!(locale, rewards.title)}</h1>
            <p class="page__lead" data-testid="rewards-balance">{balance}</p>
            <a class="link" href="/vouchers">{td_string!(locale, rewards.my_vouchers)}</a>
            {body}
        })
    }
}

/// One reward as a line of the catalog, linking to its screen.
fn reward_item(
    reward: &RewardView,
    card: &Card,
    href: String,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    let cost = points_text(reward.cost, card, fmt, locale);
    let (class, note) = note(reward, card, fmt, locale);
    view! {
        <li>
            <a class="reward" href=href data-reward=reward.id.clone()>
                <img class="reward__picture" src=reward.picture.clone() alt="" width="56" height="56" />
                <span class="reward__body">
                    <span class="reward__title">{reward.title.clone()}</span>
                    <span class="reward__cost">{cost}</span>
                    <span class=class>{note}</span>
                </span>
            </a>
        </li>
    }
}

/// `150 points`.
fn points_text(points: i64, card: &Card, fmt: &Fmt, locale: Locale) -> String {
    fill(
        td_plural!(locale, rewards.cost, points),
        &[("points", &fmt.points(points)), ("unit", &card.point_name)],
    )
}

/// What stands between the customer and a reward, or what to know about it: its class (ready,
/// or not now) and its text ("40 more points · Gold members").
fn note(reward: &RewardView, card: &Card, fmt: &Fmt, locale: Locale) -> (&'static str, String) {
    let mut parts: Vec<String> = Vec::new();
    let refusal = match reward.refusal {
        Some(ErrorCode::InsufficientPoints) => Some(fill(
            td_plural!(locale, rewards.more, reward.missing_points),
            &[
                ("points", &fmt.points(reward.missing_points)),
                ("unit", &card.point_name),
            ],
        )),
        Some(ErrorCode::OutOfStock) => Some(td_string!(locale, rewards.out_of_stock).to_owned()),
        Some(ErrorCode::LimitReached) => Some(td_string!(locale, rewards.limit_reached).to_owned()),
        Some(ErrorCode::NotYetAvailable) => Some(td_string!(locale, rewards.not_yet).to_owned()),
        Some(ErrorCode::NoLongerAvailable) => {
            Some(td_string!(locale, rewards.no_longer).to_owned())
        }
        // Not eligible: the restrictions below say for whom it is.
        _ => None,
    };
    parts.extend(refusal);
    if !reward.tiers.is_empty() {
        parts.push(fill(
            td_string!(locale, rewards.for_tiers),
            &[("tiers", &reward.tiers.join(", "))],
        ));
    }
    if !reward.partners.is_empty() {
        parts.push(fill(
            td_string!(locale, rewards.at_partners),
            &[("partners", &reward.partners.join(", "))],
        ));
    }
    if let Some(list_cost) = reward.list_cost {
        parts.push(fill(
            td_plural!(locale, rewards.club_price, list_cost),
            &[
                ("points", &fmt.points(list_cost)),
                ("unit", &card.point_name),
            ],
        ));
    }
    if let Some(left @ 1..=5) = reward.stock_left {
        parts.push(fill(
            td_plural!(locale, rewards.left, left),
            &[("count", &fmt.points(left))],
        ));
    }
    if let Some(day) = &reward.available_until {
        parts.push(fill(
            td_string!(locale, rewards.until),
            &[("date", &fmt.day(day))],
        ));
    }
    if reward.refusal.is_some() {
        ("reward__note", parts.join(" · "))
    } else {
        if parts.is_empty() {
            parts.push(td_string!(locale, rewards.ready).to_owned());
        }
        ("reward__note reward__note--ready", parts.join(" · "))
    }
}

/// Where redeeming one reward stands: its end is the voucher (a failed attempt confirmed again
/// resends the same key).
type Redeeming = Confirming<Box<VoucherWithCard>>;

/// One reward in full, and redeeming it.
#[component]
fn RewardScreen(card: Remote<Card>, program_id: String, reward_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let rewards = Remote::<Rewards>::new(api::rewards_path(&program_id));
    let state = RwSignal::new(Redeeming::Idle);
    let attempts = StoredValue::new(Attempts::default());
    let ids = StoredValue::new((program_id, reward_id));
    let send = move || {
        if state.with_untracked(|s| matches!(s, Redeeming::Sending)) {
            return;
        }
        state.set(Redeeming::Sending);
        let (program_id, reward_id) = ids.get_value();
        let key = attempts
            .try_update_value(|a| a.key(&reward_id, new_key))
            .unwrap_or_default();
        leptos::task::spawn_local(async move {
            let result = api::redeem(&program_id, &reward_id, &key).await;
            attempts.try_update_value(|a| a.settle(matches!(result, Err(ApiError::Network))));
            match result {
                Ok(done) => {
                    // The balance and the catalog (stock, limits) moved.
                    card.refetch();
                    rewards.refetch();
                    state.try_set(Redeeming::Done(Box::new(done)));
                }
                Err(error) => {
                    state.try_set(Redeeming::Failed(error));
                }
            }
        });
    };

    // Only the end of redeeming replaces the screen; its steps change the action below alone,
    // so the confirmation keeps its focus.
    let done = Memo::new(move |_| state.with(|s| matches!(s, Redeeming::Done(_))));
    move || {
        let card = card_now(card)?;
        let fmt = reader_fmt();
        let locale = i18n.get_locale_untracked();
        done.track();
        if let Redeeming::Done(done) = state.get_untracked() {
            let lead = fill(
                td_plural!(locale, rewards.redeemed, done.card.balance),
                &[
                    ("cost", &points_text(done.voucher.cost, &card, &fmt, locale)),
                    ("points", &fmt.points(done.card.balance)),
                    ("unit", &card.point_name),
                ],
            );
            return Some(
                view! {
                    <h1 class="page__title">{td_string!(locale, rewards.redeemed_title)}</h1>
                    <p class="page__lead" role="status" data-testid="redeemed">{lead}</p>
                    {voucher_card(&done.voucher, &fmt, locale)}
                    <a class="btn btn--secondary" href="/vouchers">
                        {td_string!(locale, rewards.my_vouchers)}
                    </a>
                }
                .into_any(),
            );
        }
        let body = match rewards.get() {
            None => loading(t_string!(i18n, rewards.loading)).into_any(),
            Some(Err(error)) => failure(&error, move || rewards.refetch(), i18n).into_any(),
            Some(Ok(catalog)) => {
                let (_, reward_id) = ids.get_value();
                match catalog.rewards.into_iter().find(|r| r.id == reward_id) {
                    Some(reward) => {
                        reward_details(&reward, &card, state, send, &fmt, locale).into_any()
                    }
                    None => missing(
                        td_string!(locale, rewards.not_found_title),
                        td_string!(locale, rewards.not_found_body),
                    )
                    .into_any(),
                }
            }
        };
        Some(body)
    }
}

/// A reward in full, with the button that redeems it (or what stands in the way) and the
/// confirmation with the balance after.
fn reward_details(
    reward: &RewardView,
    card: &Card,
    state: RwSignal<Redeeming>,
    send: impl Fn() + Copy + Send + Sync + 'static,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    let (note_class, note_text) = note(reward, card, fmt, locale);
    let value = value_text(&reward.value, Some(card.currency), fmt, locale);
    let cost = points_text(reward.cost, card, fmt, locale);
    let after = fill(
        td_plural!(locale, rewards.balance_after, card.balance - reward.cost),
        &[
            ("points", &fmt.points(card.balance - reward.cost)),
            ("unit", &card.point_name),
        ],
    );
    let confirm_title = fill(
        td_string!(locale, rewards.confirm_title),
        &[("reward", &reward.title)],
    );
    let redeem_label = fill(td_string!(locale, rewards.redeem), &[("cost", &cost)]);
    let can = reward.refusal.is_none();
    let cost_line = cost.clone();
    // Only opening and closing the confirmation rebuilds it: its steps keep its focus.
    let asking = Memo::new(move |_| state.with(Redeeming::asking));
    let action = move || {
        if asking.get() {
            let text = ConfirmText {
                title: confirm_title.clone(),
                lines: vec![("", cost_line.clone()), ("balance-after", after.clone())],
                go: td_string!(locale, rewards.confirm),
                going: td_string!(locale, rewards.redeeming),
                back: td_string!(locale, rewards.not_now),
                danger: false,
                message: crate::messages::reward_error_message,
            };
            confirm_panel(state, text, send).into_any()
        } else {
            view! {
                <button class="btn btn--primary" type="button" disabled=!can
                    on:click=move |_| state.set(Redeeming::Asking)>
                    {redeem_label.clone()}
                </button>
            }
            .into_any()
        }
    };
    view! {
        <article class="reward-detail">
            <img class="reward-detail__picture" src=reward.picture.clone() alt="" width="120" height="120" />
            <h1 class="page__title">{reward.title.clone()}</h1>
            <p class="reward-detail__description">{reward.description.clone()}</p>
            <ul class="lines" role="list">
                <li class="event">{cost.clone()}</li>
                <li class="event">{value}</li>
                <li class=note_class>{note_text}</li>
            </ul>
        </article>
        {action}
    }
}
