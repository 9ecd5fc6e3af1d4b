//! `/vouchers`: the customer's vouchers, active first; `/vouchers/:id`: one voucher to show at the
//! till (its QR code, drawn by the server, and its typed code), and cancelling an unused one.
//!
//! Shown by the areas module (`crate::areas`), not the wallet's own wasm. Both read
//! `GET /vouchers` as a [`Remote`], so active vouchers show offline from what the
//! device kept, QR code included.

use super::card::failure;
use crate::api::{self, Remote};
use crate::components::{
    back_link, confirm_panel, reader_fmt, CardTileSkeleton, ConfirmText, Confirming, OfflineLine,
};
use crate::format::Fmt;
use crate::i18n::*;
use leptos::prelude::*;
use tessera_core::api::{Voucher, VoucherStatus, VoucherValue, Vouchers};
use tessera_core::Currency;

/// What a voucher or reward is worth: "Worth GEL 6.50", "GEL 5.00 off one purchase", "10% off
/// one purchase" (amounts only with the currency).
pub(super) fn value_text(
    value: &VoucherValue,
    currency: Option<Currency>,
    fmt: &Fmt,
    locale: Locale,
) -> String {
    let money = |minor: i64| currency.map(|c| fmt.money(minor, &c)).unwrap_or_default();
    match (value.item_minor, value.off_minor, value.off_bp) {
        (Some(minor), _, _) => fill(
            td_string!(locale, vouchers.worth),
            &[("amount", &money(minor))],
        ),
        (_, Some(minor), _) => fill(
            td_string!(locale, vouchers.amount_off),
            &[("amount", &money(minor))],
        ),
        (_, _, bp) => fill(
            td_string!(locale, vouchers.percent_off),
            &[("rate", &fmt.percent(bp.unwrap_or(0)))],
        ),
    }
}

/// The status word of a voucher, and its class.
fn status_of(status: VoucherStatus, locale: Locale) -> (&'static str, &'static str) {
    match status {
        VoucherStatus::Active => ("badge badge--active", td_string!(locale, vouchers.active)),
        VoucherStatus::Used => ("badge", td_string!(locale, vouchers.used)),
        VoucherStatus::Expired => ("badge", td_string!(locale, vouchers.expired)),
        VoucherStatus::Cancelled => ("badge", td_string!(locale, vouchers.cancelled)),
    }
}

/// When it may be used until, or when it ended.
fn date_text(voucher: &Voucher, fmt: &Fmt, locale: Locale) -> String {
    let (template, at) = match voucher.status {
        VoucherStatus::Active => (td_string!(locale, vouchers.use_by), voucher.expires_at),
        VoucherStatus::Expired => (td_string!(locale, vouchers.expired_on), voucher.expires_at),
        VoucherStatus::Used => (
            td_string!(locale, vouchers.used_on),
            voucher.ended_at.unwrap_or(voucher.expires_at),
        ),
        VoucherStatus::Cancelled => (
            td_string!(locale, vouchers.cancelled_on),
            voucher.ended_at.unwrap_or(voucher.expires_at),
        ),
    };
    fill(template, &[("date", &fmt.local_day(at))])
}

/// `ABCDE-FGHJK`: the code in two groups, easier to read out and type (the till ignores the
/// dash).
fn grouped(code: &str) -> String {
    if code.len() == 10 && code.is_ascii() {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_owned()
    }
}

/// A voucher as the till needs to see it: title, status, QR code and typed code (while active),
/// what it is worth, where and until when.
pub(super) fn voucher_card(voucher: &Voucher, fmt: &Fmt, locale: Locale) -> impl IntoView {
    let (badge_class, badge) = status_of(voucher.status, locale);
    let code = grouped(&voucher.code);
    let qr_label = fill(td_string!(locale, vouchers.qr_label), &[("code", &code)]);
    let qr = voucher.qr.clone().map(|src| {
        view! { <img class="voucher__qr" src=src alt=qr_label width="220" height="220" /> }
    });
    let active = voucher.status == VoucherStatus::Active;
    let place = if voucher.partners.is_empty() {
        td_string!(locale, vouchers.anywhere).to_owned()
    } else {
        fill(
            td_string!(locale, vouchers.at_partners),
            &[("partners", &voucher.partners.join(", "))],
        )
    };
    view! {
        <article class="voucher" data-testid="voucher" data-status=badge>
            <div class="voucher__top">
                <h2 class="voucher__title">{voucher.title.clone()}</h2>
                <span class=badge_class>{badge}</span>
            </div>
            {qr}
            {active.then(|| view! {
                <p class="voucher__code">
                    <span class="sr-only">{td_string!(locale, vouchers.code_label)}": "</span>
                    <span data-testid="voucher-code">{code.clone()}</span>
                </p>
                <p class="voucher__how">{td_string!(locale, vouchers.how)}</p>
            })}
            <ul class="lines" role="list">
                <li class="event">{value_text(&voucher.value, voucher.currency, fmt, locale)}</li>
                <li class="event">{place}</li>
                <li class="event">{date_text(voucher, fmt, locale)}</li>
            </ul>
        </article>
    }
}

/// Every voucher of the customer: active first, then the rest, newest first.
#[component]
pub fn VouchersPage() -> impl IntoView {
    let i18n = use_i18n();
    let vouchers = Remote::<Vouchers>::new(api::VOUCHERS_PATH);
    let body = move || {
        let fmt = reader_fmt();
        let locale = i18n.get_locale_untracked();
        match vouchers.get() {
            None => loading(t_string!(i18n, vouchers.loading)).into_any(),
            Some(Err(error)) => failure(&error, move || vouchers.refetch(), i18n).into_any(),
            Some(Ok(list)) if list.vouchers.is_empty() => view! {
                <div class="state state--empty">
                    <div class="state__art" aria-hidden="true"></div>
                    <h2 class="state__title">{td_string!(locale, vouchers.empty_title)}</h2>
                    <p class="state__body">{td_string!(locale, vouchers.empty_body)}</p>
                </div>
            }
            .into_any(),
            Some(Ok(mut list)) => {
                // Stable: newest first within each group, as the server sent them.
                list.vouchers
                    .sort_by_key(|v| v.status != VoucherStatus::Active);
                let items = list
                    .vouchers
                    .iter()
                    .map(|voucher| {
                        let (badge_class, badge) = status_of(voucher.status, locale);
                        view! {
                            <li>
                                <a class="reward" href=format!("/vouchers/{}", voucher.id)>
                                    <span class="reward__body">
                                        <span class="reward__title">{voucher.title.clone()}</span>
                                        <span class="reward__cost">{date_text(voucher, &fmt, locale)}</span>
                                    </span>
                                    <span class=badge_class>{badge}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view();
                view! { <ul class="rewards" role="list" data-testid="vouchers">{items}</ul> }
                    .into_any()
            }
        }
    };
    view! {
        <section class="page page--card">
            <h1 class="page__title">{t_string!(i18n, vouchers.title)}</h1>
            <OfflineLine since=Signal::derive(move || vouchers.stale_since()) />
            {body}
        </section>
    }
}

/// A voucher or reward the answer does not have (an old link, another customer's): its own
/// state, with the screen's back link as the way on.
pub(super) fn missing(title: &'static str, body: &'static str) -> impl IntoView {
    view! {
        <div class="state state--missing" role="status">
            <div class="state__art state__art--missing" aria-hidden="true"></div>
            <h1 class="state__title">{title}</h1>
            <p class="state__body">{body}</p>
        </div>
    }
}

/// A screen's placeholder while its answer comes, saying `what` loads to screen readers.
pub(super) fn loading(what: &'static str) -> impl IntoView {
    view! {
        <div class="cards" aria-busy="true">
            <p class="sr-only" role="status">{what}</p>
            <CardTileSkeleton />
        </div>
    }
}

/// Where cancelling a voucher stands: its end is the points that came back.
type Cancelling = Confirming<i64>;

/// One voucher.
#[component]
pub fn VoucherPage(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    let vouchers = Remote::<Vouchers>::new(api::VOUCHERS_PATH);
    let state = RwSignal::new(Cancelling::Idle);
    let cancel = move || {
        if state.with_untracked(|s| matches!(s, Cancelling::Sending)) {
            return;
        }
        state.set(Cancelling::Sending);
        let id = id.get_value();
        leptos::task::spawn_local(async move {
            match api::cancel_voucher(&id).await {
                Ok(done) => {
                    state.try_set(Cancelling::Done(done.voucher.cost));
                    vouchers.refetch();
                }
                Err(error) => {
                    state.try_set(Cancelling::Failed(error));
                }
            }
        });
    };
    let body = move || {
        let fmt = reader_fmt();
        let locale = i18n.get_locale_untracked();
        match vouchers.get() {
            None => loading(t_string!(i18n, vouchers.loading)).into_any(),
            Some(Err(error)) => failure(&error, move || vouchers.refetch(), i18n).into_any(),
            Some(Ok(list)) => match list
                .vouchers
                .iter()
                .find(|v| id.with_value(|id| &v.id == id))
            {
                None => missing(
                    td_string!(locale, vouchers.not_found_title),
                    td_string!(locale, vouchers.not_found_body),
                )
                .into_any(),
                Some(voucher) => {
                    let active = voucher.status == VoucherStatus::Active;
                    let points = fill(
                        td_plural!(locale, vouchers.cancel_body, voucher.cost),
                        &[("points", &fmt.points(voucher.cost))],
                    );
                    view! {
                        <h1 class="sr-only">{voucher.title.clone()}</h1>
                        {voucher_card(voucher, &fmt, locale)}
                        {active.then(|| cancel_action(state, cancel, points, locale))}
                        {move || match state.get() {
                            Cancelling::Done(points) => Some(view! {
                                <p class="alert alert--success" role="status">
                                    {fill(
                                        td_plural!(locale, vouchers.cancelled_done, points),
                                        &[("points", &fmt.points(points))],
                                    )}
                                </p>
                            }),
                            _ => None,
                        }}
                    }
                    .into_any()
                }
            },
        }
    };
    view! {
        <section class="page page--card">
            {back_link("/vouchers".into(), t_string!(i18n, vouchers.title))}
            <OfflineLine since=Signal::derive(move || vouchers.stale_since()) />
            {body}
        </section>
    }
}

/// "Cancel voucher", then the confirmation that says the points come back.
fn cancel_action(
    state: RwSignal<Cancelling>,
    cancel: impl Fn() + Copy + Send + Sync + 'static,
    body: String,
    locale: Locale,
) -> impl IntoView {
    // Only opening and closing the confirmation rebuilds it: its steps keep its focus.
    let asking = Memo::new(move |_| state.with(Cancelling::asking));
    move || {
        if asking.get() {
            let text = ConfirmText {
                title: td_string!(locale, vouchers.cancel_title).to_owned(),
                lines: vec![("", body.clone())],
                go: td_string!(locale, vouchers.cancel),
                going: td_string!(locale, vouchers.cancelling),
                back: td_string!(locale, vouchers.keep),
                danger: true,
                message: crate::messages::reward_error_message,
            };
            confirm_panel(state, text, cancel).into_any()
        } else {
            view! {
                <button class="btn btn--secondary" type="button"
                    on:click=move |_| state.set(Cancelling::Asking)>
                    {td_string!(locale, vouchers.cancel)}
                </button>
            }
            .into_any()
        }
    }
}
