//! A kept card brought forward to now: what time alone changed since the server answered.
//!
//! The wallet shows the last answer it kept while it cannot reach the server. Points that became
//! spendable, points that expired, a level not kept and a discount that dropped a step are all
//! scheduled in that answer (`pending`, `expiring` and `changes`, each with its UTC instant), so
//! bringing it forward needs no program rules, calendar or time zone here: only the instants.
//! Purchases and spending since then are not known until the server answers again.

use crate::api::{Card, PointsOn};

impl Card {
    /// The card at `now` (UTC unix ms) as this answer foretells it: pending points due by then
    /// are spendable, expiring points due by then are gone (the balance never below zero), and
    /// the level and discount are those of the last change due by then. Entries due by then
    /// leave their lists, so bringing a card forward twice is the same as once.
    pub fn as_of(&self, now: i64) -> Card {
        let mut card = self.clone();
        let matured = take_due(&mut card.pending, now);
        let expired = take_due(&mut card.expiring, now);
        card.balance = (card.balance + matured - expired).max(0);
        let due = card.changes.partition_point(|c| c.at <= now);
        if let Some(change) = card.changes.drain(..due).next_back() {
            card.tier = change.tier;
            card.discount = change.discount;
        }
        if let Some(goal) = &mut card.next_reward {
            goal.remaining = (goal.points - card.balance).max(0);
        }
        card
    }
}

/// Removes the entries due by `now` (the list is in time order) and returns their points.
fn take_due(list: &mut Vec<PointsOn>, now: i64) -> i64 {
    let due = list.partition_point(|p| p.at <= now);
    list.drain(..due).map(|p| p.points).sum()
}

#[cfg(test)]
mod tests {
    use crate::api::{Card, CardChange, DiscountView, PointsOn, RewardGoal, TierStatus};
    use crate::discount::DiscountKind;
    use crate::tier::QualifyBy;
    use crate::Currency;

    const DAY: i64 = 86_400_000;
    /// When the server answered.
    const T0: i64 = 1_780_000_000_000;

    fn points_on(at: i64, points: i64) -> PointsOn {
        PointsOn {
            at,
            date: String::new(),
            points,
        }
    }

    fn level(name: &str, rank: u32, discount_bp: u32) -> TierStatus {
        TierStatus {
            name: name.into(),
            rank,
            levels: 3,
            threshold: 0,
            qualify_by: QualifyBy::Spend,
            qualifying: 0,
            multiplier_percent: 100,
            discount_bp,
            perks: Vec::new(),
            next: None,
            keep: None,
        }
    }

    fn discount(rate_bp: u32) -> DiscountView {
        DiscountView {
            kind: DiscountKind::Tier,
            rate_bp,
            next_rate_bp: None,
            next_spend_minor: None,
            drops_at: None,
        }
    }

    /// A Gold card with 100 points: 40 pending in 2 days and 20 in 5; 30 expiring in 3 days;
    /// Gold ends in 10 days (Silver), Silver in 40 (Bronze).
    fn kept() -> Card {
        Card {
            id: "card-1".into(),
            program_id: "demo".into(),
            program_name: "Demo Coffee".into(),
            point_name: "points".into(),
            currency: Currency::new("GEL").unwrap(),
            balance: 100,
            terms_version: "2026-01".into(),
            enrolled_at: T0 - 100 * DAY,
            pending: vec![points_on(T0 + 2 * DAY, 40), points_on(T0 + 5 * DAY, 20)],
            expiring: vec![points_on(T0 + 3 * DAY, 30)],
            tier: Some(level("Gold", 2, 1000)),
            discount: discount(1000),
            next_reward: None,
            changes: vec![
                CardChange {
                    at: T0 + 10 * DAY,
                    tier: Some(level("Silver", 1, 500)),
                    discount: discount(500),
                },
                CardChange {
                    at: T0 + 40 * DAY,
                    tier: Some(level("Bronze", 0, 0)),
                    discount: discount(0),
                },
            ],
            last_code_at: None,
            club_discount_bp: None,
        }
    }

    #[test]
    fn nothing_changes_before_the_first_instant() {
        assert_eq!(kept().as_of(T0 + DAY), kept());
    }

    #[test]
    fn pending_points_due_become_spendable() {
        let card = kept().as_of(T0 + 2 * DAY);
        assert_eq!(card.balance, 140);
        assert_eq!(card.pending, vec![points_on(T0 + 5 * DAY, 20)]);
    }

    #[test]
    fn expiring_points_due_leave_the_balance() {
        let card = kept().as_of(T0 + 3 * DAY);
        assert_eq!(card.balance, 100 + 40 - 30);
        assert!(card.expiring.is_empty());
    }

    #[test]
    fn the_balance_never_goes_below_zero() {
        let mut kept = kept();
        kept.balance = 10;
        kept.pending.clear();
        assert_eq!(kept.as_of(T0 + 3 * DAY).balance, 0);
    }

    #[test]
    fn a_level_not_kept_gives_way_to_the_one_due() {
        let card = kept().as_of(T0 + 10 * DAY);
        assert_eq!(card.tier.as_ref().map(|t| t.name.as_str()), Some("Silver"));
        assert_eq!(card.discount.rate_bp, 500);
        assert_eq!(card.changes.len(), 1);
    }

    #[test]
    fn the_last_change_due_wins_after_a_long_time_away() {
        let card = kept().as_of(T0 + 60 * DAY);
        assert_eq!(card.tier.as_ref().map(|t| t.rank), Some(0));
        assert_eq!(card.discount.rate_bp, 0);
        assert_eq!(card.balance, 100 + 40 + 20 - 30);
        assert!(card.pending.is_empty() && card.changes.is_empty());
    }

    #[test]
    fn a_reward_goal_counts_the_points_that_matured() {
        let mut kept = kept();
        kept.next_reward = Some(RewardGoal {
            name: "Cappuccino".into(),
            points: 150,
            remaining: 50,
        });
        let goal = kept.as_of(T0 + 2 * DAY).next_reward;
        assert_eq!(goal.map(|g| g.remaining), Some(10));
    }

    #[test]
    fn bringing_forward_twice_is_bringing_forward_once() {
        for days in [0, 2, 3, 5, 10, 39, 40, 400] {
            let now = T0 + days * DAY;
            let once = kept().as_of(now);
            assert_eq!(once.as_of(now), once, "{days} days");
            assert_eq!(
                kept().as_of(T0 + DAY).as_of(now),
                once,
                "{days} days, in two steps"
            );
        }
    }
}
