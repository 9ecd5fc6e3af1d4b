//! What a card shows now: the spendable balance, pending and soon-expiring points by day, the tier
//! with its progress, and the discount. Every part is read through an index on the card, so the
//! cost does not grow with the length of its history.

use crate::calendar;
use crate::config::Program;
use crate::purchases::{card_months, CardTotals};
use chrono_tz::Tz;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};
use tessera_core::api::{Card, DiscountView, PointsOn, TierGoal, TierStatus};
use tessera_core::discount::DiscountRule;
use tessera_core::tier::{QualifyBy, TierRules, TierTarget};

/// How far ahead expiring points are listed.
pub const EXPIRING_WITHIN_MS: i64 = 30 * 86_400_000;

/// The card columns [`card`] reads.
pub const COLUMNS: &str = "id, program_id, balance, terms_version, enrolled_at, tier_level, \
     tier_held_until, total_spend, discount_step, last_purchase_at, purchase_count";

/// The card in `row` (selected with [`COLUMNS`]) as of `now`, read on `conn` (a pool connection,
/// or a transaction's, to include its writes).
pub async fn card(
    conn: &mut AnyConnection,
    program: &Program,
    row: &AnyRow,
    now: i64,
) -> Result<Card, sqlx::Error> {
    card_as_of(conn, program, row, now, false).await
}

/// [`card`] for a transaction that settled the card at `now` itself (a till write): its stored
/// balance is already as of now, which saves the three sums that would move it there.
pub async fn settled_card(
    conn: &mut AnyConnection,
    program: &Program,
    row: &AnyRow,
    now: i64,
) -> Result<Card, sqlx::Error> {
    card_as_of(conn, program, row, now, true).await
}

async fn card_as_of(
    conn: &mut AnyConnection,
    program: &Program,
    row: &AnyRow,
    now: i64,
    settled: bool,
) -> Result<Card, sqlx::Error> {
    let id: String = row.try_get("id")?;
    let tz = program.tz();
    let totals = CardTotals::from_row(row)?;
    let mut balance = row.try_get::<i64, _>("balance")?;
    if !settled {
        balance += unsettled(conn, &id, now).await?;
    }

    let pending = by_day(
        conn,
        "SELECT available_at, CAST(SUM(remaining) AS BIGINT) FROM point_lots
         WHERE card_id = $1 AND pending = 1 AND available_at > $2
         GROUP BY available_at ORDER BY available_at",
        &id,
        now,
        i64::MAX,
        |at| calendar::day_of(tz, at),
    )
    .await?;
    // Spendable points (settled, or lots matured since) that expire within the window.
    let expiring = by_day(
        conn,
        "SELECT expires_at, CAST(SUM(points) AS BIGINT) FROM (
             SELECT expires_at, points FROM expiry_buckets
             WHERE card_id = $1 AND points > 0 AND expires_at > $2 AND expires_at <= $3
             UNION ALL
             SELECT expires_at, remaining FROM point_lots
             WHERE card_id = $1 AND pending = 1 AND available_at <= $2 AND expires_at > $2 AND expires_at <= $3
         ) soon GROUP BY expires_at ORDER BY expires_at",
        &id,
        now,
        now + EXPIRING_WITHIN_MS,
        |at| calendar::last_day_before(tz, at),
    )
    .await?;

    let month = calendar::month_of(tz, now);
    let tier = match &program.tiers {
        Some(tiers) => {
            let buckets = card_months(&mut *conn, &id, program, month).await?;
            let progress = tiers.progress(totals.tier_state(), &buckets, month);
            Some(tier_status(tiers, tz, progress))
        }
        None => None,
    };
    let tier_rate_bp = tier.as_ref().map_or(0, |t| t.discount_bp);
    let status = program
        .discount
        .status(&totals.discount_inputs(tier_rate_bp), now);

    Ok(Card {
        id,
        program_id: program.id.clone(),
        program_name: program.name.clone(),
        point_name: program.point_name.clone(),
        currency: program.currency,
        balance,
        terms_version: row.try_get("terms_version")?,
        enrolled_at: row.try_get("enrolled_at")?,
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

/// Runs a `(time, points)` query bound to `(card_id, from, to)` and merges rows that fall on the
/// same day (as `day` names it).
async fn by_day(
    conn: &mut AnyConnection,
    sql: &str,
    card_id: &str,
    from: i64,
    to: i64,
    day: impl Fn(i64) -> String,
) -> Result<Vec<PointsOn>, sqlx::Error> {
    let mut query = sqlx::query::<Any>(sql).bind(card_id).bind(from);
    if to != i64::MAX {
        query = query.bind(to);
    }
    let mut out: Vec<PointsOn> = Vec::new();
    for row in query.fetch_all(&mut *conn).await? {
        let (at, points): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        let date = day(at);
        match out.last_mut() {
            Some(last) if last.date == date => last.points += points,
            _ => out.push(PointsOn { at, date, points }),
        }
    }
    Ok(out)
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
