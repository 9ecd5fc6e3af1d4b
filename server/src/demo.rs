//! The demo data: a customer to sign in as. Demo accounts are marked, exist only while the server
//! runs with `--demo`, and are removed at a start without it.

use crate::calendar;
use crate::cards::enrol_in_open_programs;
use crate::config::{Enrolment, Program};
use crate::program_entry;
use crate::purchases::{self, Purchase};
use crate::state::AppState;
use crate::store::accounts::{self, NewCustomer};
use crate::store::clubs::NewMembership;
use crate::store::ledger::{self, Deduction};
use crate::store::{self, now_ms};
use tessera_core::points::EntryKind;
use tessera_core::Money;

pub const DEMO_EMAIL: &str = "demo@example.com";
pub const DEMO_PASSWORD: &str = "tessera-demo";
/// A friend of the demo customer's (same password), a member of every club that takes
/// invitations and a cardholder of every closed program: whose codes let the demo customer
/// apply.
pub const FRIEND_EMAIL: &str = "friend@example.com";

/// Creates the demo customer if missing (idempotent), enrols it in the open programs and gives
/// each card a history; and its friend, a member of the clubs that take invitations.
pub async fn load(state: &AppState) -> anyhow::Result<()> {
    let id = customer(state, DEMO_EMAIL, "Nino Beridze", "+995555000111").await?;
    for program in state.config.programs.iter().filter(|p| p.earning.is_some()) {
        seed_history(state, program, &id, now_ms()).await?;
    }
    let friend = customer(state, FRIEND_EMAIL, "Tamar Kapanadze", "+995555000222").await?;
    enrol_in_closed_programs(state, &friend).await?;
    join_inviting_clubs(state, &friend).await
}

/// Gives the customer a card of every closed program (idempotent): the friend's, whose codes let
/// the demo customer apply.
async fn enrol_in_closed_programs(state: &AppState, customer_id: &str) -> anyhow::Result<()> {
    let mut tx = state.store.transaction().await?;
    for program in state
        .config
        .programs
        .iter()
        .filter(|p| p.enrolment == Enrolment::Closed)
    {
        program_entry::enrol(&mut tx, program, customer_id, now_ms()).await?;
    }
    store::commit(tx).await?;
    Ok(())
}

/// The demo account with `email`, created if missing and enrolled in the open programs.
async fn customer(
    state: &AppState,
    email: &str,
    name: &str,
    phone: &str,
) -> anyhow::Result<String> {
    let existing = accounts::credentials(&state.store, email).await?;
    let mut tx = state.store.transaction().await?;
    let id = match existing {
        Some(account) => account.id,
        None => {
            let customer = NewCustomer {
                email: email.to_owned(),
                password_hash: state.passwords.hash_now(DEMO_PASSWORD.to_owned()).await?,
                display_name: name.to_owned(),
                phone: Some(phone.to_owned()),
                terms_version: state.config.terms.version.clone(),
                marketing_opt_in: false,
                preferred_language: None,
                is_demo: true,
            };
            accounts::insert(&mut tx, &customer, now_ms())
                .await?
                .ok_or_else(|| anyhow::anyhow!("the demo e-mail {email} was taken meanwhile"))?
        }
    };
    enrol_in_open_programs(&mut tx, &state.config, &id).await?;
    store::commit(tx).await?;
    Ok(id)
}

/// Makes the customer's cards members of every club that takes invitations (idempotent).
async fn join_inviting_clubs(state: &AppState, customer_id: &str) -> anyhow::Result<()> {
    let now = now_ms();
    for card in store::cards::of_customer(&state.store, customer_id).await? {
        let Some(program) = state.config.program(&card.program_id) else {
            continue;
        };
        let inviting = program
            .clubs
            .iter()
            .filter(|c| c.entry.as_ref().is_some_and(|e| e.invitations.is_some()));
        for club in inviting {
            let mut tx = state.store.transaction().await?;
            let membership = NewMembership {
                card_id: &card.id,
                program_id: &program.id,
                club_id: &club.id,
                joined_at: now,
                ends_at: None,
                auto_renew: false,
                entrance_paid: false,
            };
            // `None`: a member already.
            store::clubs::start(&mut tx, &membership).await?;
            store::commit(tx).await?;
        }
    }
    Ok(())
}

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
const PLACES: [&str; 3] = ["Rustaveli Ave", "Vake Park", "Saburtalo"];

/// Gives the demo card of `program` a year of history ending at `now`, through the purchase
/// service and the ledger like real activity: the welcome bonus, a redeemed reward, points that
/// expired, points expiring at the end of this month, pending points, and a tier part way to the
/// next. Done once per card (skipped when it has purchases).
async fn seed_history(
    state: &AppState,
    program: &Program,
    customer_id: &str,
    now: i64,
) -> anyhow::Result<()> {
    let cards = store::cards::of_customer(&state.store, customer_id).await?;
    let Some(card) = cards.into_iter().find(|c| c.program_id == program.id) else {
        return Ok(());
    };
    if card.totals.purchase_count > 0 {
        return Ok(());
    }
    let card_id = card.id;
    let tz = program.tz();
    let this_month = calendar::month_of(tz, now);
    // Day `day` (1-based) of the month `back` months ago, at `hour` local time (roughly).
    let in_month = |back: i32, day: i64, hour: i64| {
        calendar::month_start(tz, this_month - back) + (day - 1) * DAY + hour * HOUR
    };
    let scale = |units: i64| units * 10_i64.pow(program.currency.minor_digits());

    // (time, amount in minor units); the welcome bonus comes with the first.
    let mut purchases: Vec<(i64, i64)> = vec![
        // Expired at the start of last month, except what the reward took first.
        (in_month(14, 15, 11), scale(42)),
        // Expire at the end of this month.
        (in_month(12, 10, 9), scale(86) + 40),
        (in_month(12, 22, 17), scale(72)),
        // The tier window: Silver from month -4 on.
        (in_month(9, 3, 13), scale(120)),
        (in_month(7, 14, 12), scale(245)),
        (in_month(4, 18, 18), scale(180)),
        (in_month(2, 9, 10), scale(96)),
        (in_month(1, 20, 15), scale(54)),
        // Still pending.
        (now - DAY, scale(28) + 50),
        (now - 2 * HOUR, scale(12)),
    ];
    // Everyday coffees, for a history longer than a page.
    for i in 0..30 {
        purchases.push((now - (20 + i * 9) * DAY + 8 * HOUR, 650 + (i * 137) % 600));
    }
    purchases.retain(|(at, _)| *at < now);
    purchases.sort_unstable();
    let reward_at = in_month(6, 2, 12);

    let mut reward_taken = false;
    for (i, &(at, minor)) in purchases.iter().enumerate() {
        if !reward_taken && at > reward_at {
            let mut tx = state.store.transaction().await?;
            let reward = Deduction {
                kind: EntryKind::Spent,
                points: 80,
                reason: "Free cappuccino",
                reference: "demo-reward-1",
                place: Some(PLACES[1]),
            };
            ledger::take(&mut tx, &card_id, &reward, reward_at)
                .await
                .map_err(|e| anyhow::anyhow!("demo reward: {e}"))?;
            store::commit(tx).await?;
            reward_taken = true;
        }
        let reference = format!("demo-purchase-{i}");
        let purchase = Purchase {
            card_id: &card_id,
            amount: Money::new(minor, program.currency),
            points: 0,
            voucher: None,
            reference: &reference,
            place: Some(PLACES[i % PLACES.len()]),
            partner: None,
            reference_is_new: false,
        };
        let mut tx = state.store.transaction().await?;
        purchases::record(&mut tx, program, &purchase, at)
            .await
            .map_err(|e| anyhow::anyhow!("demo purchase: {e}"))?;
        store::commit(tx).await?;
    }
    if let Some((first, _)) = purchases.first() {
        store::cards::set_enrolled_at(&state.store, &card_id, first - 30 * DAY).await?;
    }
    // Expire what was due before now, as the expiry job would have.
    let mut tx = state.store.transaction().await?;
    ledger::settle_card(&mut tx, &card_id, now)
        .await
        .map_err(|e| anyhow::anyhow!("demo expiry: {e}"))?;
    store::commit(tx).await?;
    Ok(())
}

/// Removes demo accounts (their sessions and cards go with them).
pub async fn remove(state: &AppState) -> anyhow::Result<u64> {
    Ok(accounts::remove_demo(&state.store).await?)
}
