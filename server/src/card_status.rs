//! What a card shows now: the spendable balance, pending and soon-expiring points by day, the tier
//! with its progress, and the discount. Every part is read through an index on the card, so the
//! cost does not grow with the length of its history.

use crate::calendar;
use crate::card_row::StoredCard;
use crate::config::Program;
use crate::purchases::card_months;
use chrono_tz::Tz;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use tessera_core::api::{Card, DiscountView, PointsOn, TierGoal, TierStatus};
use tessera_core::discount::DiscountRule;
use tessera_core::tier::{Month, QualifyBy, TierRules, TierTarget};

/// How far ahead expiring points are listed.
pub const EXPIRING_WITHIN_MS: i64 = 30 * 86_400_000;

/// The card in `row` (selected with [`crate::card_row::COLUMNS`]) as of `now`, read on `conn` (a pool
/// connection, or a transaction's, to include its writes).
pub async fn card(
    conn: &mut AnyConnection,
    program: &Program,
    row: &AnyRow,
    now: i64,
) -> Result<Card, sqlx::Error> {
    card_as_of(conn, program, &StoredCard::from_row(row)?, None, now, false).await
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
) -> Result<Card, sqlx::Error> {
    card_as_of(conn, program, stored, months, now, true).await
}

async fn card_as_of(
    conn: &mut AnyConnection,
    program: &Program,
    stored: &StoredCard,
    months: Option<&[(Month, i64)]>,
    now: i64,
    settled: bool,
) -> Result<Card, sqlx::Error> {
    let id = stored.id.as_str();
    let tz = program.tz();
    let totals = &stored.totals;
    let mut balance = stored.balance;
    // Before `settle_at` nothing has matured or expired since the last settlement.
    if !settled && now >= stored.settle_at {
        balance += unsettled(conn, id, now).await?;
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
                    read = card_months(&mut *conn, id, program, month).await?;
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
            kind: discount_kind(&program.discount).to_owned(),
            rate_bp: status.rate_bp,
            next_rate_bp: status.next.map(|n| n.rate_bp),
            next_spend_minor: status.next.map(|n| n.spend_minor),
            drops_at: status.drops_at,
        },
        next_reward: None,
    })
}

/// The card's pending points by the day they become spendable, and its spendable points (settled,
/// or lots matured since) that expire within [`EXPIRING_WITHIN_MS`], by their last day: one query.
async fn coming_up(
    conn: &mut AnyConnection,
    card_id: &str,
    now: i64,
    tz: Tz,
) -> Result<(Vec<PointsOn>, Vec<PointsOn>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CAST(0 AS BIGINT) AS part, available_at AS at, CAST(SUM(remaining) AS BIGINT) AS points
         FROM point_lots
         WHERE card_id = $1 AND pending = 1 AND available_at > $2
         GROUP BY available_at
         UNION ALL
         SELECT CAST(1 AS BIGINT), expires_at, CAST(SUM(points) AS BIGINT) FROM (
             SELECT expires_at, points FROM expiry_buckets
             WHERE card_id = $1 AND points > 0 AND expires_at > $2 AND expires_at <= $3
             UNION ALL
             SELECT expires_at, remaining FROM point_lots
             WHERE card_id = $1 AND pending = 1 AND available_at <= $2 AND expires_at > $2 AND expires_at <= $3
         ) soon GROUP BY expires_at
         ORDER BY 1, 2",
    )
    .bind(card_id)
    .bind(now)
    .bind(now + EXPIRING_WITHIN_MS)
    .fetch_all(&mut *conn)
    .await?;
    let (mut pending, mut expiring) = (Vec::new(), Vec::new());
    for row in rows {
        let (part, at, points): (i64, i64, i64) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        if part == 0 {
            add_by_day(&mut pending, at, calendar::day_of(tz, at), points);
        } else {
            add_by_day(&mut expiring, at, calendar::last_day_before(tz, at), points);
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

/// What the stored balance of card `id` lacks at `now`: points matured minus points expired since
/// the last settlement (the expiry job may not have run since).
async fn unsettled(conn: &mut AnyConnection, id: &str, now: i64) -> Result<i64, sqlx::Error> {
    let matured = sum(
        conn,
        "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM point_lots
         WHERE card_id = $1 AND pending = 1 AND available_at <= $2",
        id,
        now,
    )
    .await?;
    let due = sum(
        conn,
        "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM point_lots
         WHERE card_id = $1 AND remaining > 0 AND pending = 0 AND expires_at <= $2",
        id,
        now,
    )
    .await?
        // Matured and expired since the last settlement (pending days longer than the expiry).
        + sum(
            conn,
            "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM point_lots
             WHERE card_id = $1 AND pending = 1 AND available_at <= $2 AND expires_at <= $2",
            id,
            now,
        )
        .await?;
    Ok(matured - due)
}

async fn sum(
    conn: &mut AnyConnection,
    sql: &str,
    card_id: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(sql)
        .bind(card_id)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)
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
        qualify_by: match tiers.qualify_by {
            QualifyBy::Spend => "spend",
            QualifyBy::Points => "points",
        }
        .to_owned(),
        qualifying: progress.qualifying,
        multiplier_percent: level.multiplier_percent,
        discount_bp: level.discount_bp,
        perks: level.perks.clone(),
        next: progress.next.map(goal),
        keep: progress.keep.map(goal),
    }
}

fn discount_kind(rule: &DiscountRule) -> &'static str {
    match rule {
        DiscountRule::None => "none",
        DiscountRule::Fixed { .. } => "fixed",
        DiscountRule::Tier => "tier",
        DiscountRule::Cumulative { .. } => "cumulative",
        DiscountRule::Decaying { .. } => "decaying",
    }
}
