//! The sale: the amount, then "Record purchase" (earns points) or "Pay with points" (points as
//! part or all of the bill). Each press is one attempt with its own `Idempotency-Key`, retried
//! with the same key after no answer; both buttons are disabled while one is in flight, so a
//! double tap records once.

use super::amount::{parse_amount, parse_points};
use super::api::{self, new_idempotency_key};
use super::field::focus_when_shown;
use super::idempotency::Attempts;
use super::member::Found;
use crate::api::ApiError;
use crate::components::{reader_fmt, Field, FormAlert, SubmitButton};
use crate::i18n::*;
use crate::messages::{error_text, Cashier};
use leptos::html::Input;
use leptos::prelude::*;
use tessera_core::api::{
    Card, PayWithPointsRequest, PointsPayment, TillPurchase, TillPurchaseRequest,
};

/// What the cashier did for the member.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A purchase of `amount_minor` was recorded.
    Purchase {
        /// The amount, in minor units.
        amount_minor: i64,
        /// What it earned, and the card after.
        purchase: TillPurchase,
    },
    /// Points paid part or all of a bill.
    Payment(PointsPayment),
}

impl Outcome {
    /// The card afterwards.
    pub fn card(&self) -> &Card {
        match self {
            Outcome::Purchase { purchase, .. } => &purchase.card,
            Outcome::Payment(payment) => &payment.card,
        }
    }
}

/// Which request is in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Busy {
    Purchase,
    Payment,
}

/// The amount, the two operations and their errors.
#[component]
pub fn CheckoutPanel(
    /// The member (ticket, card, whether points can be spent).
    found: Found,
    /// Whether the ticket has run out (the operations are then refused anyway).
    #[prop(into)]
    expired: Signal<bool>,
    /// Called with what was done.
    on_done: Callback<Outcome>,
) -> impl IntoView {
    let i18n = use_i18n();
    let fmt = reader_fmt();
    let ticket = found.member.ticket.clone();
    let can_spend = found.member.can_spend;
    let card = found.member.card;
    let digits = card.currency.minor_digits();

    let amount = RwSignal::new(String::new());
    let points = RwSignal::new(String::new());
    let amount_error = RwSignal::new(None::<String>);
    let points_error = RwSignal::new(None::<String>);
    let alert = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<Busy>);
    let purchases = StoredValue::new(Attempts::default());
    let payments = StoredValue::new(Attempts::default());
    let amount_input = NodeRef::<Input>::new();
    let points_input = NodeRef::<Input>::new();
    focus_when_shown(amount_input);

    let focus = |input: NodeRef<Input>| {
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
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
            let text = Some(Cashier::field(field.code, is_points, locale).to_owned());
            if is_points {
                points_error.set(text);
            } else {
                amount_error.set(text);
            }
        }
        alert.set(Some(error_text::<Cashier>(&error, locale)));
        busy.set(None);
    };
    let read_amount = move || {
        let parsed = parse_amount(&amount.get_untracked(), digits);
        let locale = i18n.get_locale_untracked();
        amount_error.set(
            parsed
                .err()
                .map(|e| Cashier::field(e.code(), false, locale).to_owned()),
        );
        parsed.ok()
    };

    let record = {
        let ticket = ticket.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked().is_some() {
                return;
            }
            alert.set(None);
            points_error.set(None);
            let Some(amount_minor) = read_amount() else {
                focus(amount_input);
                return;
            };
            let request = TillPurchaseRequest {
                ticket: ticket.clone(),
                amount_minor,
            };
            let key = purchases.try_update_value(|a| {
                a.key(
                    &format!("{}:{amount_minor}", request.ticket),
                    new_idempotency_key,
                )
            });
            let Some(key) = key else { return };
            busy.set(Some(Busy::Purchase));
            leptos::task::spawn_local(async move {
                let result = api::purchase(&request, &key).await;
                purchases.try_update_value(|a| a.settle(matches!(result, Err(ApiError::Network))));
                match result {
                    Ok(purchase) => on_done.run(Outcome::Purchase {
                        amount_minor,
                        purchase,
                    }),
                    Err(error) => refused(error),
                }
            });
        }
    };

    let pay = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked().is_some() || !can_spend {
            return;
        }
        alert.set(None);
        let bill = read_amount();
        let locale = i18n.get_locale_untracked();
        let taken = parse_points(&points.get_untracked());
        points_error.set(
            taken
                .err()
                .map(|e| Cashier::field(e.code(), true, locale).to_owned()),
        );
        let (Some(bill_minor), Ok(points_taken)) = (bill, taken) else {
            focus(if bill.is_none() {
                amount_input
            } else {
                points_input
            });
            return;
        };
        let request = PayWithPointsRequest {
            ticket: ticket.clone(),
            bill_minor,
            points: points_taken,
        };
        let fingerprint = format!("{}:{bill_minor}:{points_taken}", request.ticket);
        let Some(key) = payments.try_update_value(|a| a.key(&fingerprint, new_idempotency_key))
        else {
            return;
        };
        busy.set(Some(Busy::Payment));
        leptos::task::spawn_local(async move {
            let result = api::pay_with_points(&request, &key).await;
            payments.try_update_value(|a| a.settle(matches!(result, Err(ApiError::Network))));
            match result {
                Ok(payment) => on_done.run(Outcome::Payment(payment)),
                Err(error) => refused(error),
            }
        });
    };

    let amount_label = fill(
        t_string!(i18n, till.checkout.amount_label),
        &[("currency", card.currency.code())],
    );
    // What the whole balance would pay, so the cashier can tell the customer.
    let balance = card.balance.max(0);
    let (hint, worth) = match found.member.point_value_minor {
        Some(value) => (
            t_string!(i18n, till.checkout.points_hint_worth),
            fmt.money(balance.saturating_mul(value), &card.currency),
        ),
        None => (t_string!(i18n, till.checkout.points_hint), String::new()),
    };
    let points_hint = fill(
        hint,
        &[
            ("balance", &fmt.points(balance)),
            ("unit", &card.point_name),
            ("worth", &worth),
        ],
    );
    let in_flight = Signal::derive(move || busy.get().is_some());
    let blocked = Signal::derive(move || expired.get());
    // Two forms, so Enter in the points field pays and Enter in the amount records; the amount
    // is read by both.
    view! {
        <div class="form checkout">
            <form class="checkout__form" novalidate on:submit=record>
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
                <SubmitButton
                    busy=Signal::derive(move || busy.get() == Some(Busy::Purchase))
                    busy_label=move || t_string!(i18n, till.checkout.recording)
                    disabled=Signal::derive(move || in_flight.get() || blocked.get())
                >
                    {t_string!(i18n, till.checkout.record)}
                </SubmitButton>
            </form>
            <form class="checkout__form checkout__points" novalidate on:submit=pay>
                <fieldset class="checkout__fieldset" disabled=!can_spend>
                    <legend class="checkout__legend">{t_string!(i18n, till.checkout.points_title)}</legend>
                    {(!can_spend).then(|| {
                        view! { <p class="field__hint">{t_string!(i18n, till.checkout.cannot_spend)}</p> }
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
                    <SubmitButton
                        variant="btn--secondary"
                        busy=Signal::derive(move || busy.get() == Some(Busy::Payment))
                        busy_label=move || t_string!(i18n, till.checkout.paying)
                        disabled=Signal::derive(move || !can_spend || in_flight.get() || blocked.get())
                    >
                        {t_string!(i18n, till.checkout.pay)}
                    </SubmitButton>
                </fieldset>
            </form>
        </div>
    }
}
