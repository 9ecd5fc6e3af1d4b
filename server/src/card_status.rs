//! What a card shows now: the spendable balance, pending and soon-expiring points by day, the tier
//! with its progress, and the discount. Every part is read through an index on the card, so the
//! cost does not grow with the length of its history.

use crate::calendar;
use crate::config::Program;
use crate::store::card_row::StoredCard;
use crate::store::ledger::{self, ComingUp};
use crate::store::purchases::tier_window;
use crate::store::StoreError;
use chrono_tz::Tz;
use sqlx::AnyConnection;
use tessera_core::api::{Card, DiscountView, PointsOn, TierGoal, TierStatus};
use tessera_core::tier::{Month, TierRules, TierTarget};

/// How far ahead expiring points are listed.
pub const EXPIRING_WITHIN_MS: i64 = 30 * 86_400_000;

/// The stored card as of `now`, read on `conn` (a pool connection, or a transaction's, to
/// include its writes).
pub async fn card(
    conn: &mut AnyConnection,
    program: &Program,
    stored: &StoredCard,
    now: i64,
) -> Result<Card, StoreError> {
    card_as_of(conn, program, stored, None, now, false).await
}

/// The card as a write transaction left it: `stored` is the row it locked, settled at `now` and
/// changed (so its balance is already as of now), and `months` the tier window if it read it.
/// Only the coming-up lists are read, on the transaction's connection.
pub async fn written_card(
    conn: &mut AnyConnection,
    program: &Program,
    stored: &StoredCard,
    months: Option<&[(Month, i64)]>,
    now: i64,
) -> Result<Card, StoreError> {
    card_as_of(conn, program, stored, months, now, true).await
}

async fn card_as_of(
    conn: &mut AnyConnection,
    program: &Program,
    stored: &StoredCard,
    months: Option<&[(Month, i64)]>,
    now: i64,
    settled: bool,
) -> Result<Card, StoreError> {
    let id = stored.id.as_str();
    let tz = program.tz();
    let totals = &stored.totals;
    let mut balance = stored.balance;
    // Before `settle_at` nothing has matured or expired since the last settlement.
    if !settled && now >= stored.settle_at {
        balance += ledger::unsettled(conn, id, now).await?;
    }
    // A card with no points at all has nothing coming up.
    let (pending, expiring) = if stored.balance == 0 && stored.pending == 0 {
        (Vec::new(), Vec::new())
    } else {
        coming_up(conn, id, now, tz).await?
    };

    let month = calendar::month_of(tz, now);
    let tier = match &program.tiers {
        Some(tiers) => {
            let read;
            let buckets = match months {
                Some(months) => months,
                None => {
                    read = tier_window(conn, id, Some(tiers), month).await?;
                    &read
                }
            };
            let progress = tiers.progress(totals.tier_state(), buckets, month);
            Some(tier_status(tiers, tz, progress))
        }
        None => None,
    };
    let tier_rate_bp = tier.as_ref().map_or(0, |t| t.discount_bp);
    let status = program
        .discount
        .status(&totals.discount_inputs(tier_rate_bp), now);

    Ok(Card {
        id: id.to_owned(),
        program_id: program.id.clone(),
        program_name: program.name.clone(),
        point_name: program.point_name.clone(),
        currency: program.currency,
        balance,
        terms_version: stored.terms_version.clone(),
        enrolled_at: stored.enrolled_at,
        pending,
        expiring,
        tier,
        discount: DiscountView {
            kind: program.discount.kind(),
            rate_bp: status.rate_bp,
            next_rate_bp: status.next.map(|n| n.rate_bp),
            next_spend_minor: status.next.map(|n| n.spend_minor),
            drops_at: status.drops_at,
        },
        next_reward: None,
    })
}

/// The card's pending points by the day they become spendable, and its spendable points that
/// expire within [`EXPIRING_WITHIN_MS`], by their last day.
async fn coming_up(
    conn: &mut AnyConnection,
    card_id: &str,
    now: i64,
    tz: Tz,
) -> Result<(Vec<PointsOn>, Vec<PointsOn>), StoreError> {
    let (mut pending, mut expiring) = (Vec::new(), Vec::new());
    for row in ledger::coming_up(conn, card_id, now, now + EXPIRING_WITHIN_MS).await? {
        match row {
            ComingUp::Pending { at, points } => {
                add_by_day(&mut pending, at, calendar::day_of(tz, at), points)
            }
            ComingUp::Expiring { at, points } => {
                add_by_day(&mut expiring, at, calendar::last_day_before(tz, at), points)
            }
        }
    }
    Ok((pending, expiring))
}

/// Adds `points` at `at` to a list in time order, merging rows that fall on the same day.
fn add_by_day(list: &mut Vec<PointsOn>, at: i64, date: String, points: i64) {
    match list.last_mut() {
        Some(last) if last.date == date => last.points += points,
        _ => list.push(PointsOn { at, date, points }),
    }
}

fn tier_status(
    tiers: &TierRules,
    tz: Tz,
    progress: tessera_core::tier::TierProgress,
) -> TierStatus {
    let level = &tiers.levels[progress.level];
    let goal = |target: TierTarget| TierGoal {
        name: tiers.levels[target.level].name.clone(),
        threshold: tiers.levels[target.level].threshold,
        remaining: target.remaining,
        by: target
            .by
            .map(|m| calendar::last_day_before(tz, calendar::month_start(tz, m))),
    };
    TierStatus {
        name: level.name.clone(),
        rank: progress.level as u32,
        levels: tiers.levels.len() as u32,
        threshold: level.threshold,
        qualify_by: tiers.qualify_by,
        qualifying: progress.qualifying,
        multiplier_percent: level.multiplier_percent,
        discount_bp: level.discount_bp,
        perks: level.perks.clone(),
        next: progress.next.map(goal),
        keep: progress.keep.map(goal),
    }
}
