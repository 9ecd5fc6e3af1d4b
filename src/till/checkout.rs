//! The sale: the bill, a voucher of the member's (checked by the server first, nothing used),
//! points the member spends on it (when they may), what the till's money rule makes of them
//! before the cashier confirms (`tessera_core::bill`: the member's discount, the voucher and what
//! of it would be lost, the points' value, the total to pay in money), then "Record purchase". Each press is one
//! attempt with its own `Idempotency-Key`, retried with the same key after no answer; the button
//! is disabled while one is in flight, so a double tap records once.

use super::amount::{parse_amount, parse_points, InputError};
use super::api;
use super::camera::{Camera, CameraState};
use super::field::focus_when_shown;
use super::member::Found;
use crate::api::idempotency::{new_key, Attempts};
use crate::api::ApiError;
use crate::components::{reader_fmt, Field, FormAlert, SubmitButton};
use crate::i18n::*;
use crate::messages::{error_text, Cashier};
use leptos::html::Input;
use leptos::prelude::*;
use tessera_core::api::{TillPurchase, TillPurchaseRequest, TillVoucher, TillVoucherRequest};
use tessera_core::bill::{Bill, BillError, Settled};
use tessera_core::validation::FieldCode;
use tessera_core::Money;

/// The bill, its discount, the voucher applied and the points the cashier typed, as the money
/// rule settles them; `None` while the amount is not a valid one (the points field empty is no
/// points).
fn settle(
    gross_minor: Result<i64, InputError>,
    points: Result<i64, InputError>,
    voucher: Option<&TillVoucher>,
    found: &Found,
) -> Option<Result<Settled, BillError>> {
    let card = &found.member.card;
    let value = found.member.point_value_minor.unwrap_or(0);
    let points_value = points.ok()?.checked_mul(value)?;
    Some(
        Bill {
            discount_bp: card.discount_bp,
            voucher: voucher.map(|v| v.value.off(card.currency)),
            points_value: Money::new(points_value, card.currency),
            ..Bill::new(Money::new(gross_minor.ok()?, card.currency))
        }
        .settle(),
    )
}

/// The points typed: none when the field is empty.
fn typed_points(text: &str) -> Result<i64, InputError> {
    match text.trim() {
        "" => Ok(0),
        text => parse_points(text),
    }
}

/// The bill, the points and the sale's button; what the money rule makes of them.
#[component]
pub fn CheckoutPanel(
    /// The member (ticket, card, whether points can be spent).
    found: Found,
    /// Whether the ticket has run out (the purchase is then refused anyway).
    #[prop(into)]
    expired: Signal<bool>,
    /// Called with what was recorded.
    on_done: Callback<TillPurchase>,
) -> impl IntoView {
    let i18n = use_i18n();
    let fmt = reader_fmt();
    let ticket = found.member.ticket.clone();
    // Points are offered when the program takes them, the member was found by code and has
    // accepted the program's current terms.
    let takes_points = found.member.point_value_minor.is_some();
    let terms_pending = found.member.terms_pending;
    let can_spend = found.member.can_spend && takes_points && !terms_pending;
    let card = found.member.card.clone();
    let digits = card.currency.minor_digits();

    let amount = RwSignal::new(String::new());
    let points = RwSignal::new(String::new());
    let amount_error = RwSignal::new(None::<String>);
    let points_error = RwSignal::new(None::<String>);
    let voucher_code = RwSignal::new(String::new());
    let voucher_error = RwSignal::new(None::<String>);
    // The voucher the server checked for this member, applied to the bill below.
    let voucher = RwSignal::new(None::<TillVoucher>);
    // The camera reading a voucher's QR code, while the cashier scans one.
    let scanning = RwSignal::new(false);
    let camera = RwSignal::new(CameraState::Starting);
    let alert = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let purchases = StoredValue::new(Attempts::default());
    let amount_input = NodeRef::<Input>::new();
    let points_input = NodeRef::<Input>::new();
    focus_when_shown(amount_input);

    let focus = |input: NodeRef<Input>| {
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
    };
    let field_text = move |code: FieldCode, is_points: bool| {
        let locale = i18n.get_locale_untracked();
        Some(match (code, is_points) {
            (FieldCode::TooLarge, true) => {
                td_string!(locale, till.field_errors.points_over_total).to_owned()
            }
            _ => Cashier::field(code, is_points, locale).to_owned(),
        })
    };
    // Shows a refusal: its message, and the field it names (server field names to inputs).
    let refused = move |error: ApiError| {
        let locale = i18n.get_locale_untracked();
        if error.unauthenticated() {
            // The console is on its way back to sign-in (api ended the session).
            return;
        }
        for field in error.fields() {
            let is_points = field.field == "points";
            let text = field_text(field.code, is_points);
            if is_points {
                points_error.set(text);
            } else {
                amount_error.set(text);
            }
        }
        alert.set(Some(error_text::<Cashier>(&error, locale)));
        busy.set(false);
    };

    let record = {
        let (ticket, found) = (ticket.clone(), found.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            alert.set(None);
            let gross = parse_amount(&amount.get_untracked(), digits);
            let spent = if can_spend {
                typed_points(&points.get_untracked())
            } else {
                Ok(0)
            };
            amount_error.set(gross.err().and_then(|e| field_text(e.code(), false)));
            points_error.set(spent.err().and_then(|e| field_text(e.code(), true)));
            let applied = voucher.get_untracked();
            if let Some(Err(BillError::PointsOverTotal { .. })) =
                settle(gross, spent, applied.as_ref(), &found)
            {
                points_error.set(field_text(FieldCode::TooLarge, true));
            }
            let (Ok(amount_minor), Ok(points)) = (gross, spent) else {
                focus(if gross.is_err() {
                    amount_input
                } else {
                    points_input
                });
                return;
            };
            if points_error.with_untracked(Option::is_some) {
                focus(points_input);
                return;
            }
            let request = TillPurchaseRequest {
                ticket: ticket.clone(),
                amount_minor,
                points,
                voucher: applied.map(|v| v.code),
            };
            let fingerprint = format!(
                "{}:{amount_minor}:{points}:{}",
                request.ticket,
                request.voucher.as_deref().unwrap_or_default()
            );
            let Some(key) = purchases.try_update_value(|a| a.key(&fingerprint, new_key)) else {
                return;
            };
            busy.set(true);
            leptos::task::spawn_local(async move {
                let result = api::purchase(&request, &key).await;
                purchases.try_update_value(|a| a.settle(matches!(result, Err(ApiError::Network))));
                match result {
                    Ok(purchase) => on_done.run(purchase),
                    Err(error) => refused(error),
                }
            });
        }
    };

    // What the money rule makes of what is typed, before the cashier confirms.
    let summary = {
        let (found, fmt, currency) = (found.clone(), fmt.clone(), card.currency);
        move || {
            let spent = if can_spend {
                points.with(|p| typed_points(p))
            } else {
                Ok(0)
            };
            let applied = voucher.get();
            let gross = amount.with(|a| parse_amount(a, digits));
            let settled = settle(gross, spent, applied.as_ref(), &found)?.ok()?;
            let money = |minor: i64| fmt.money(minor, &currency);
            let locale = i18n.get_locale_untracked();
            let mut rows = vec![(
                td_string!(locale, till.checkout.bill).to_owned(),
                money(settled.gross),
            )];
            if settled.discount > 0 {
                let rate = fmt.percent(found.member.card.discount_bp);
                rows.push((
                    fill(
                        td_string!(locale, till.checkout.discount),
                        &[("rate", &rate)],
                    ),
                    format!("−{}", money(settled.discount)),
                ));
            }
            if let Some(applied) = applied.filter(|_| settled.voucher > 0) {
                rows.push((
                    fill(
                        td_string!(locale, till.checkout.voucher_line),
                        &[("title", &applied.title)],
                    ),
                    format!("−{}", money(settled.voucher)),
                ));
            }
            if settled.points_paid > 0 {
                rows.push((
                    td_string!(locale, till.checkout.points_paid).to_owned(),
                    format!("−{}", money(settled.points_paid)),
                ));
            }
            let total = money(settled.money_paid);
            // Said before the cashier confirms: the customer may keep the voucher for a bigger
            // bill instead.
            let lost = (settled.voucher_lost > 0).then(|| {
                let text = fill(
                    td_string!(locale, till.checkout.voucher_lost),
                    &[("amount", &money(settled.voucher_lost))],
                );
                view! { <p class="bill__lost" role="status" data-testid="voucher-lost">{text}</p> }
            });
            Some(view! {
                {lost}
                <dl class="bill" data-testid="bill">
                    {rows
                        .into_iter()
                        .map(|(what, amount)| view! { <div class="bill__row"><dt>{what}</dt><dd>{amount}</dd></div> })
                        .collect_view()}
                    <div class="bill__row bill__row--total">
                        <dt>{td_string!(locale, till.checkout.to_pay)}</dt>
                        <dd data-testid="to-pay">{total}</dd>
                    </div>
                </dl>
            })
        }
    };

    let amount_label = fill(
        t_string!(i18n, till.checkout.amount_label),
        &[("currency", card.currency.code())],
    );
    // What the whole balance would pay, so the cashier can tell the customer.
    let balance = card.balance.max(0);
    let worth = fmt.money(
        balance.saturating_mul(found.member.point_value_minor.unwrap_or(0)),
        &card.currency,
    );
    let points_hint = fill(
        t_plural!(i18n, till.checkout.points_hint, balance),
        &[
            ("balance", &fmt.points(balance)),
            ("unit", &card.point_name),
            ("worth", &worth),
        ],
    );
    let points_part = takes_points.then(|| {
        view! {
            <fieldset class="checkout__fieldset" disabled=!can_spend>
                <legend class="checkout__legend">{t_string!(i18n, till.checkout.points_title)}</legend>
                {(!can_spend).then(|| {
                    let why = if terms_pending {
                        t_string!(i18n, till.checkout.terms_pending)
                    } else {
                        t_string!(i18n, till.checkout.cannot_spend)
                    };
                    view! { <p class="field__hint" data-testid="cannot-spend">{why}</p> }
                })}
                <Field
                    id="points"
                    autocomplete="off"
                    verbatim=true
                    inputmode="numeric"
                    value=points
                    error=points_error
                    hint=ViewFn::from(move || points_hint.clone())
                    input_ref=points_input
                >
                    {t_string!(i18n, till.checkout.points_label)}
                </Field>
            </fieldset>
        }
    });
    let apply = {
        let ticket = ticket.clone();
        move || {
            // One request at a time: a purchase or a check is on its way.
            if busy.get_untracked() {
                return;
            }
            let code = voucher_code.get_untracked().trim().to_owned();
            if code.is_empty() {
                voucher_error.set(field_text(FieldCode::Required, false));
                return;
            }
            voucher_error.set(None);
            busy.set(true);
            let request = TillVoucherRequest {
                ticket: ticket.clone(),
                code,
            };
            leptos::task::spawn_local(async move {
                let result = api::check_voucher(&request).await;
                busy.try_set(false);
                match result {
                    Ok(checked) => {
                        voucher_code.try_set(String::new());
                        voucher.try_set(Some(checked));
                    }
                    Err(error) if !error.unauthenticated() => {
                        let text = error_text::<Cashier>(&error, i18n.get_locale_untracked());
                        voucher_error.try_set(Some(text));
                    }
                    Err(_) => {}
                }
            });
        }
    };
    // A voucher's QR code carries its typed code: read, it is applied like a typed one. A camera
    // that cannot be used says so at the field, which stays for typing.
    let on_voucher_text = {
        let apply = apply.clone();
        Callback::new(move |text: String| {
            scanning.set(false);
            voucher_code.set(text);
            apply();
        })
    };
    Effect::new(move |_| {
        if scanning.get() && camera.get().failed() {
            scanning.set(false);
            camera.set(CameraState::Starting);
            voucher_error.set(Some(
                t_string!(i18n, till.checkout.voucher_no_camera).to_owned(),
            ));
        }
    });
    let voucher_part = move || match voucher.get() {
        Some(applied) => view! {
            <div class="checkout__voucher" data-testid="voucher-applied">
                <p class="checkout__voucher-title">
                    {fill(
                        t_string!(i18n, till.checkout.voucher_applied),
                        &[("title", &applied.title)],
                    )}
                </p>
                <button type="button" class="btn btn--secondary btn--small"
                    on:click=move |_| voucher.set(None)>
                    {t_string!(i18n, till.checkout.voucher_remove)}
                </button>
            </div>
        }
        .into_any(),
        None => {
            let apply = apply.clone();
            view! {
                <div class="checkout__voucher-entry">
                    <Field
                        id="voucher"
                        autocomplete="off"
                        verbatim=true
                        value=voucher_code
                        error=voucher_error
                    >
                        {t_string!(i18n, till.checkout.voucher_label)}
                    </Field>
                    <button type="button" class="btn btn--secondary"
                        on:click=move |_| apply()>
                        {t_string!(i18n, till.checkout.voucher_apply)}
                    </button>
                    <button type="button" class="btn btn--secondary"
                        aria-pressed=move || if scanning.get() { "true" } else { "false" }
                        on:click=move |_| {
                            // Each time shown, the camera starts afresh.
                            camera.set(CameraState::Starting);
                            scanning.update(|s| *s = !*s);
                        }>
                        {t_string!(i18n, till.checkout.voucher_scan)}
                    </button>
                    <Show when=move || scanning.get()>
                        <Camera paused=busy state=camera on_text=on_voucher_text />
                    </Show>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <form class="form checkout" novalidate on:submit=record>
            <FormAlert message=alert />
            <Field
                id="amount"
                autocomplete="off"
                verbatim=true
                inputmode="decimal"
                value=amount
                error=amount_error
                hint=ViewFn::from(move || t_string!(i18n, till.checkout.amount_hint))
                large=true
                input_ref=amount_input
            >
                {amount_label}
            </Field>
            {voucher_part}
            {points_part}
            {summary}
            <SubmitButton
                busy=busy
                busy_label=move || t_string!(i18n, till.checkout.recording)
                disabled=Signal::derive(move || busy.get() || expired.get())
            >
                {t_string!(i18n, till.checkout.record)}
            </SubmitButton>
        </form>
    }
}
