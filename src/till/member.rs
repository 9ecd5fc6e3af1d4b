//! The identified member as the cashier sees it: name, program, level, discount, balance,
//! whether points can be spent, and how long the identification stays good.

use super::api::Identified;
use crate::components::hue_class;
use crate::components::reader_fmt;
use crate::i18n::*;
use leptos::prelude::*;
use std::time::Duration;
use tessera_core::api::{TillCard, TillMember};
use web_sys::js_sys::Date;

/// A found member, and when its ticket ends by this device's clock.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The member, ticket and card.
    pub member: TillMember,
    /// `Date.now()` at which the ticket ends.
    pub deadline: f64,
}

impl Found {
    /// From the identify answer received at `now` (this device's clock): the ticket's lifetime
    /// is measured on the server's clock (its `Date` header), so a till whose clock is off still
    /// counts down right. The header has whole seconds, hence one second less.
    pub fn new(identified: Identified, now: f64) -> Self {
        let expires = identified.member.ticket_expires_at as f64;
        let lifetime = match identified.server_now {
            Some(server_now) => expires - server_now as f64 - 1000.0,
            None => expires - now,
        };
        Self {
            member: identified.member,
            deadline: now + lifetime.max(0.0),
        }
    }

    /// The same member with the card as an operation left it.
    pub fn with_card(&self, card: TillCard) -> Self {
        let mut next = self.clone();
        next.member.card = card;
        next
    }
}

/// Whole seconds left until `deadline`, updated every second while the view lives.
pub fn seconds_left(deadline: f64) -> Signal<i64> {
    let left = move || ((deadline - Date::now()) / 1000.0).ceil().max(0.0) as i64;
    let seconds = RwSignal::new(left());
    if let Ok(timer) = set_interval_with_handle(
        move || {
            let _ = seconds.try_set(left());
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || timer.clear());
    }
    seconds.into()
}

/// `m:ss`: `299` -> `4:59`.
pub fn clock(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The member's card and facts, with the ticket's countdown.
#[component]
pub fn MemberSummary(
    /// The member.
    found: Found,
    /// Seconds the ticket has left.
    left: Signal<i64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let fmt = reader_fmt();
    let TillMember {
        can_spend,
        terms_pending,
        name,
        card,
        ..
    } = found.member;
    let pending = card.pending;
    let discount = if card.discount_bp > 0 {
        fill(
            td_string!(locale, till.member.discount_rate),
            &[("rate", &fmt.percent(card.discount_bp))],
        )
    } else {
        td_string!(locale, till.member.discount_none).to_owned()
    };
    let tier = card.tier.clone();
    view! {
        <article class=format!("card-tile member {}", hue_class(&card.program_id)) aria-labelledby="member-name">
            <div class="member__head">
                <p class="member__program">{card.program_name.clone()}</p>
                <h2 class="member__name" id="member-name" data-testid="member-name">{name}</h2>
            </div>
            <div class="card-tile__balance">
                <span class="sr-only">{td_string!(locale, till.member.balance)}": "</span>
                <span class="card-tile__points" data-testid="member-balance">{fmt.points(card.balance)}</span>
                <span class="card-tile__unit">{card.point_name.clone()}</span>
            </div>
            {(pending > 0).then(|| {
                let text = fill(
                    td_string!(locale, till.member.pending),
                    &[("points", &fmt.points(pending))],
                );
                view! { <p class="member__pending">{text}</p> }
            })}
        </article>
        <dl class="member__facts">
            {tier.map(|tier| {
                view! {
                    <div class="member__fact">
                        <dt>{td_string!(locale, till.member.tier)}</dt>
                        <dd data-testid="member-tier">{tier}</dd>
                    </div>
                }
            })}
            <div class="member__fact">
                <dt>{td_string!(locale, till.member.discount)}</dt>
                <dd data-testid="member-discount">{discount}</dd>
            </div>
        </dl>
        {(!can_spend || terms_pending).then(|| {
            let why = if terms_pending {
                td_string!(locale, till.member.terms_pending)
            } else {
                td_string!(locale, till.member.earn_only)
            };
            view! { <p class="note note--warn" data-testid="earn-only">{why}</p> }
        })}
        <p class="ticket" class:ticket--low=move || left.get() <= 60 role="timer" aria-live="off">
            {move || match left.get() {
                0 => td_string!(locale, till.member.expired).to_owned(),
                s => fill(td_string!(locale, till.member.valid_for), &[("time", &clock(s))]),
            }}
        </p>
    }
}
