//! What a card shows now: the spendable balance, pending and soon-expiring points by day, the tier
//! with its progress, and the discount. Every part is read through an index on the card, so the
//! cost does not grow with the length of its history.

use crate::calendar;
use crate::clubs::Benefit;
use crate::config::Program;
use crate::store::card_row::{CardTotals, StoredCard};
use crate::store::ledger::{self, ComingUp};
use crate::store::purchases::tier_window;
use crate::store::StoreError;
use chrono_tz::Tz;
use sqlx::AnyConnection;
use tessera_core::api::{Card, CardChange, DiscountView, PointsOn, TierGoal, TierStatus};
use tessera_core::checkout::STEP_MS;
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
    card_as_of(conn, program, stored, None, None, now, false).await
}

/// [`card`], for a caller that has read the card's club benefits already (`clubs::benefits`).
pub async fn card_in_clubs(
    conn: &mut AnyConnection,
    program: &Program,
    stored: &StoredCard,
    clubs: &[Benefit],
    now: i64,
) -> Result<Card, StoreError> {
    card_as_of(conn, program, stored, None, Some(clubs), now, false).await
}

/// The card as a write transaction left it: `stored` is the row it locked, settled at `now` and
/// changed (so its balance is already as of now), `months` the tier window and `clubs` the
/// club benefits if it read them (and did not change the memberships since). Only the rest is
/// read, on the transaction's connection.
pub async fn written_card(
    conn: &mut AnyConnection,
    program: &Program,
    stored: &StoredCard,
    months: Option<&[(Month, i64)]>,
    clubs: Option<&[Benefit]>,
    now: i64,
) -> Result<Card, StoreError> {
    card_as_of(conn, program, stored, months, clubs, now, true).await
}

async fn card_as_of(
    conn: &mut AnyConnection,
    program: &Program,
    stored: &StoredCard,
    months: Option<&[(Month, i64)]>,
    clubs: Option<&[Benefit]>,
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
    let read;
    let tiers = match &program.tiers {
        Some(tiers) => {
            let buckets = match months {
                Some(months) => months,
                None => {
                    read = tier_window(conn, id, Some(tiers), month).await?;
                    &read
                }
            };
            Some((tiers, buckets))
        }
        None => None,
    };
    let look = Look {
        program,
        tiers,
        totals,
        tz,
    };
    let current = look.at(now);
    let changes = look.changes_after(now, &current);
    let (tier, discount) = current;
    let level = tier.as_ref().map(|t| t.name.as_str());
    let read_clubs;
    let clubs = match clubs {
        Some(clubs) => clubs,
        None => {
            read_clubs = crate::clubs::benefits(conn, program, id, now).await?;
            &read_clubs
        }
    };
    let club_ids: Vec<&str> = clubs.iter().map(|c| c.club_id.as_str()).collect();
    let next_reward =
        crate::rewards::next_goal(conn, program, balance, level, &club_ids, now).await?;

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
        discount,
        next_reward,
        changes,
        last_code_at: (stored.last_code_step > 0).then(|| stored.last_code_step * STEP_MS),
        club_discount_bp: clubs.iter().filter_map(|c| c.discount_bp).max(),
    })
}

/// How far ahead a card's [`Card::changes`] go: two years, so a level reached today and kept
/// by retention (a window and a retention of twelve months each) is seen to lapse.
pub const CHANGES_WITHIN_MS: i64 = 2 * 366 * 86_400_000;

/// Months after this one in which a level may change, within [`CHANGES_WITHIN_MS`].
const CHANGES_WITHIN_MONTHS: i32 = 25;

/// What a card's level and discount are at an instant, if nothing happens in between.
struct Look<'a> {
    program: &'a Program,
    /// The tier rules and the card's months of qualifying activity.
    tiers: Option<(&'a TierRules, &'a [(Month, i64)])>,
    totals: &'a CardTotals,
    tz: Tz,
}

impl Look<'_> {
    /// The level and discount at `at`.
    fn at(&self, at: i64) -> (Option<TierStatus>, DiscountView) {
        let tier = self.tiers.map(|(tiers, buckets)| {
            let month = calendar::month_of(self.tz, at);
            tier_status(
                tiers,
                self.tz,
                tiers.progress(self.totals.tier_state(), buckets, month),
            )
        });
        let tier_rate_bp = tier.as_ref().map_or(0, |t| t.discount_bp);
        let status = self
            .program
            .discount
            .status(&self.totals.discount_inputs(tier_rate_bp), at);
        let discount = DiscountView {
            kind: self.program.discount.kind(),
            rate_bp: status.rate_bp,
            next_rate_bp: status.next.map(|n| n.rate_bp),
            next_spend_minor: status.next.map(|n| n.spend_minor),
            drops_at: status.drops_at,
        };
        (tier, discount)
    }

    /// Every instant within [`CHANGES_WITHIN_MS`] after `now` at which the level or discount
    /// differs from the one before (`current` is the one at `now`), with what it is then. Levels change only at month starts
    /// (a month leaving the window, a retention ending); a decaying discount at its `drops_at`,
    /// one step after another.
    fn changes_after(
        &self,
        now: i64,
        current: &(Option<TierStatus>, DiscountView),
    ) -> Vec<CardChange> {
        let until = now + CHANGES_WITHIN_MS;
        let mut instants = Vec::new();
        if self.tiers.is_some() {
            let month = calendar::month_of(self.tz, now);
            instants.extend(
                (1..=CHANGES_WITHIN_MONTHS)
                    .map(|m| calendar::month_start(self.tz, month + m))
                    .filter(|at| *at <= until),
            );
        }
        // Each drop names the next, strictly later, so this ends (at the last step, or a year on).
        let (mut drop, mut after) = (current.1.drops_at, now);
        while let Some(at) = drop.filter(|at| *at > after && *at <= until) {
            instants.push(at);
            (drop, after) = (self.at(at).1.drops_at, at);
        }
        instants.sort_unstable();
        instants.dedup();
        let mut changes: Vec<CardChange> = Vec::new();
        let mut before = current.clone();
        for at in instants {
            let then = self.at(at);
            if then != before {
                changes.push(CardChange {
                    at,
                    tier: then.0.clone(),
                    discount: then.1.clone(),
                });
                before = then;
            }
        }
        changes
    }
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
