//! "What matters next" on a card: the one line the cards home shows under a balance, chosen and
//! worded by plain functions so the component tests can check every case without a screen.

use crate::format::Fmt;
use crate::i18n::{fill, td_plural, td_string, Locale};
use tessera_core::api::{Card, DiscountView, PointsOn, RewardGoal, TierGoal};
use tessera_core::tier::QualifyBy;

/// The most pressing thing about a card, in the order the customer loses or gains the most; it
/// borrows from the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextStep<'a> {
    /// Points will expire: the soonest ones.
    Expiring(&'a PointsOn),
    /// The level is held only by retention: what keeps it.
    KeepTier(TierTarget<'a>),
    /// The cheapest reward within reach: the points still to collect for it.
    Reward(&'a RewardGoal),
    /// What reaches the next level.
    ReachTier(TierTarget<'a>),
    /// The next, higher discount rate and the spend still needed for it (0: the next purchase).
    DiscountUp {
        /// The next rate, in basis points.
        rate_bp: u32,
        /// Spend still needed, in minor units, when the program says.
        spend_minor: Option<i64>,
    },
    /// A decaying discount drops at `at` (UTC unix ms) without a purchase.
    DiscountDrops {
        /// The rate kept by a purchase before then.
        rate_bp: u32,
        /// When it drops.
        at: i64,
    },
}

/// A level goal with how it is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierTarget<'a> {
    /// The goal from the API.
    pub goal: &'a TierGoal,
    /// True when levels count points, false when they count spend (minor units).
    pub by_points: bool,
}

/// What matters next on `card`: expiring points (soonest), else what keeps the level, else the
/// next reward within reach, else what reaches the next level, else the discount's next step;
/// `None` when nothing is pending.
pub fn next_step(card: &Card) -> Option<NextStep<'_>> {
    // The API sends expiring points soonest first; the minimum keeps that promise local.
    if let Some(soonest) = card
        .expiring
        .iter()
        .filter(|p| p.points > 0)
        .min_by_key(|p| p.at)
    {
        return Some(NextStep::Expiring(soonest));
    }
    if let Some(tier) = &card.tier {
        let by_points = tier.qualify_by == QualifyBy::Points;
        if let Some(keep) = target(tier.keep.as_ref(), by_points) {
            return Some(NextStep::KeepTier(keep));
        }
    }
    if let Some(goal) = card.next_reward.as_ref().filter(|g| g.remaining > 0) {
        return Some(NextStep::Reward(goal));
    }
    if let Some(tier) = &card.tier {
        let by_points = tier.qualify_by == QualifyBy::Points;
        if let Some(next) = target(tier.next.as_ref(), by_points) {
            return Some(NextStep::ReachTier(next));
        }
    }
    discount_step(&card.discount)
}

/// A level goal still to do (one already met is nothing to do).
fn target(goal: Option<&TierGoal>, by_points: bool) -> Option<TierTarget<'_>> {
    goal.filter(|g| g.remaining > 0)
        .map(|goal| TierTarget { goal, by_points })
}

/// The discount's next step: the next higher rate, else the drop a purchase would prevent.
pub fn discount_step(discount: &DiscountView) -> Option<NextStep<'static>> {
    if let Some(rate_bp) = discount.next_rate_bp {
        return Some(NextStep::DiscountUp {
            rate_bp,
            spend_minor: discount.next_spend_minor,
        });
    }
    discount
        .drops_at
        .filter(|_| discount.rate_bp > 0)
        .map(|at| NextStep::DiscountDrops {
            rate_bp: discount.rate_bp,
            at,
        })
}

/// Expiring points as a sentence: "120 points expire on 30 Nov".
pub fn expiring_text(points: &PointsOn, unit: &str, fmt: &Fmt, locale: Locale) -> String {
    let (n, date) = (fmt.points(points.points), fmt.day(&points.date));
    let args = [("points", n.as_str()), ("unit", unit), ("date", &date)];
    fill(td_plural!(locale, card.expire, points.points), &args)
}

/// Pending points as a sentence: "18 points available from 27 Nov".
pub fn pending_text(points: &PointsOn, unit: &str, fmt: &Fmt, locale: Locale) -> String {
    let (n, date) = (fmt.points(points.points), fmt.day(&points.date));
    let args = [("points", n.as_str()), ("unit", unit), ("date", &date)];
    fill(td_plural!(locale, card.pending, points.points), &args)
}

/// What it takes to reach (`keep` false) or keep a level: "Spend ₾545.00 more by 28 Feb to reach
/// Gold", "Collect 300 more points to keep Silver".
pub fn tier_text(
    target: &TierTarget,
    keep: bool,
    card: &Card,
    fmt: &Fmt,
    locale: Locale,
) -> String {
    let TierGoal {
        name: level,
        remaining,
        by,
        ..
    } = target.goal;
    let unit = card.point_name.as_str();
    let date = by.as_deref().map(|d| fmt.day(d)).unwrap_or_default();
    let amount = if target.by_points {
        fmt.points(*remaining)
    } else {
        fmt.money(*remaining, &card.currency)
    };
    let template = match (target.by_points, keep, by.is_some()) {
        (true, false, true) => td_plural!(locale, card.reach_points_by, *remaining),
        (true, false, false) => td_plural!(locale, card.reach_points, *remaining),
        (true, true, true) => td_plural!(locale, card.keep_points_by, *remaining),
        (true, true, false) => td_plural!(locale, card.keep_points, *remaining),
        (false, false, true) => td_string!(locale, card.reach_spend_by),
        (false, false, false) => td_string!(locale, card.reach_spend),
        (false, true, true) => td_string!(locale, card.keep_spend_by),
        (false, true, false) => td_string!(locale, card.keep_spend),
    };
    let args = [
        ("amount", amount.as_str()),
        ("unit", unit),
        ("date", &date),
        ("level", level),
    ];
    fill(template, &args)
}

/// A step as one sentence, in `locale` with `fmt`'s numbers and dates.
pub fn step_text(step: &NextStep, card: &Card, fmt: &Fmt, locale: Locale) -> String {
    match step {
        NextStep::Expiring(points) => expiring_text(points, &card.point_name, fmt, locale),
        NextStep::KeepTier(target) => tier_text(target, true, card, fmt, locale),
        NextStep::ReachTier(target) => tier_text(target, false, card, fmt, locale),
        NextStep::Reward(goal) => fill(
            td_plural!(locale, card.reward_goal, goal.remaining),
            &[
                ("points", &fmt.points(goal.remaining)),
                ("unit", &card.point_name),
                ("reward", &goal.name),
            ],
        ),
        NextStep::DiscountUp {
            rate_bp,
            spend_minor,
        } => {
            let rate = fmt.percent(*rate_bp);
            let amount = spend_minor.map(|s| fmt.money(s, &card.currency));
            let template = match spend_minor {
                Some(spend) if *spend > 0 => td_string!(locale, card.discount_up_spend),
                Some(_) => td_string!(locale, card.discount_up_next_purchase),
                None => td_string!(locale, card.discount_up),
            };
            let amount = amount.unwrap_or_default();
            fill(template, &[("amount", &amount), ("rate", &rate)])
        }
        NextStep::DiscountDrops { rate_bp, at } => {
            let (rate, date) = (fmt.percent(*rate_bp), fmt.local_day(*at));
            fill(
                td_string!(locale, card.discount_drops),
                &[("rate", &rate), ("date", &date)],
            )
        }
    }
}
