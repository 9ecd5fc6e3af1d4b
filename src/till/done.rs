//! The result of a sale, big enough to read across the counter, and the one tap to the next
//! customer.

use crate::components::reader_fmt;
use crate::i18n::*;
use leptos::html::Button;
use leptos::prelude::*;
use tessera_core::api::TillPurchase;

/// What was recorded (the bill, its discount, what points paid, what the customer pays in money,
/// the points earned), the new balance, "Next customer" and, while the ticket lasts, "Same
/// customer" (another purchase).
#[component]
pub fn DoneView(
    /// The member's name.
    name: String,
    /// What was recorded.
    purchase: TillPurchase,
    /// Whether the ticket still lasts.
    #[prop(into)]
    can_continue: Signal<bool>,
    /// Back to scanning.
    on_next: Callback<()>,
    /// Back to the same member.
    on_same: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let fmt = reader_fmt();
    let card = purchase.card.clone();
    let unit = card.point_name.as_str();
    let money = |minor: i64| fmt.money(minor, &card.currency);
    let points = |n: i64| fmt.points(n);
    let bill = purchase.bill;
    // The bill, what came off it, and what the customer pays in money; then what was earned.
    let mut lines = vec![(
        fill(
            td_string!(locale, till.done.bill),
            &[("amount", &money(bill.gross_minor))],
        ),
        false,
    )];
    if bill.discount_minor > 0 {
        lines.push((
            fill(
                td_string!(locale, till.done.discount),
                &[
                    ("rate", &fmt.percent(bill.discount_bp)),
                    ("amount", &money(bill.discount_minor)),
                ],
            ),
            false,
        ));
    }
    if bill.voucher_minor > 0 {
        lines.push((
            fill(
                td_string!(locale, till.done.voucher),
                &[("amount", &money(bill.voucher_minor))],
            ),
            false,
        ));
    }
    if bill.points_spent > 0 {
        lines.push((
            fill(
                td_plural!(locale, till.done.paid, bill.points_spent),
                &[
                    ("points", &points(bill.points_spent)),
                    ("unit", unit),
                    ("amount", &money(bill.points_paid_minor)),
                ],
            ),
            false,
        ));
    }
    let to_pay = fill(
        td_string!(locale, till.done.to_pay),
        &[("amount", &money(bill.money_paid_minor))],
    );
    lines.push((
        fill(
            td_plural!(locale, till.done.earned, purchase.points),
            &[("points", &points(purchase.points)), ("unit", unit)],
        ),
        true,
    ));
    if purchase.welcome_points > 0 {
        lines.push((
            fill(
                td_plural!(locale, till.done.welcome, purchase.welcome_points),
                &[("points", &points(purchase.welcome_points)), ("unit", unit)],
            ),
            true,
        ));
    }
    let title = td_string!(locale, till.done.purchase_title);
    let pending = card.pending;
    let pending = (pending > 0).then(|| {
        fill(
            td_string!(locale, till.member.pending),
            &[("points", &points(pending))],
        )
    });
    let balance = points(card.balance);
    let next = NodeRef::<Button>::new();
    // The next tap is most likely "Next customer": ready for Enter or a tap at once.
    Effect::new(move |_| {
        if let Some(button) = next.get() {
            let _ = button.focus();
        }
    });
    view! {
        <section class="page till-done" aria-labelledby="done-title">
            <div class="done" role="status">
                <svg class="done__icon" viewBox="0 0 24 24" aria-hidden="true">
                    <circle cx="12" cy="12" r="11"></circle>
                    <path d="M6.5 12.5l3.5 3.5 7.5-8"></path>
                </svg>
                <h1 class="headline" id="done-title">{title}</h1>
                <p class="done__who">{name}" · "{card.program_name.clone()}</p>
                <p class="done__to-pay" data-testid="to-pay">{to_pay}</p>
                <ul class="done__lines" role="list">
                    {lines
                        .into_iter()
                        .map(|(text, plus)| {
                            view! {
                                <li class="done__line" class:done__line--plus=plus data-testid="done-line">
                                    {text}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p class="done__balance">
                    <span class="done__balance-label">{td_string!(locale, till.done.balance)}</span>
                    <span class="done__balance-value" data-testid="new-balance">
                        {balance}" "{card.point_name.clone()}
                    </span>
                    {pending.map(|text| view! { <span class="done__pending">{text}</span> })}
                </p>
            </div>
            <button
                type="button"
                class="btn btn--primary btn--huge"
                node_ref=next
                on:click=move |_| on_next.run(())
            >
                {td_string!(locale, till.done.next)}
            </button>
            <Show when=move || can_continue.get()>
                <button type="button" class="btn btn--secondary" on:click=move |_| on_same.run(())>
                    {td_string!(locale, till.done.same)}
                </button>
            </Show>
        </section>
    }
}
