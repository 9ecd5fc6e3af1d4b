//! Points: how many a purchase earns, and the lots they live in until they are spent or expire.
//!
//! Every earning creates a [`Lot`]: pending until `available_at`, then spendable until
//! `expires_at` (or forever). Spending takes from the spendable lots that expire soonest first
//! ([`spend_plan`]); expiry takes what is left of a lot once its time has come ([`expired`]).
//! The server stores lots and entries and is the authority; [`Ledger`] is the same rules in memory,
//! the reference the property tests check the invariants on.

use serde::{Deserialize, Serialize};

/// Points per amount spent: `points` for every `per_minor` minor units of the program's currency.
///
/// Rounding rule: the points for a purchase are computed exactly and rounded **down** once, on the
/// whole purchase (never per item or per unit), so 1 point per 1.00 GEL on 9.99 GEL earns 9.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarnRate {
    /// Points earned per `per_minor` minor units.
    pub points: i64,
    /// The amount, in minor units, that earns `points`.
    pub per_minor: i64,
}

impl EarnRate {
    /// Points earned for `amount_minor` at a tier multiplier of `multiplier_percent` (100 = x1),
    /// rounded down; never negative.
    pub fn points_for(&self, amount_minor: i64, multiplier_percent: u32) -> i64 {
        self.points_with(amount_minor, &[multiplier_percent])
    }

    /// Points earned for `amount_minor` at several multipliers at once, in percent (a level's and
    /// a club's): they multiply (125 % at a 150 % club earns at 187.5 %), exactly, and the
    /// purchase's points are rounded down once; never negative.
    pub fn points_with(&self, amount_minor: i64, multipliers_percent: &[u32]) -> i64 {
        if amount_minor <= 0 || self.points <= 0 || self.per_minor <= 0 {
            return 0;
        }
        let mut exact = i128::from(amount_minor) * i128::from(self.points);
        let mut divisor = i128::from(self.per_minor);
        for &multiplier in multipliers_percent {
            // Past i128 the purchase earns more points than a card can hold anyway.
            let (Some(e), Some(d)) = (
                exact.checked_mul(i128::from(multiplier)),
                divisor.checked_mul(100),
            ) else {
                return i64::MAX;
            };
            (exact, divisor) = (e, d);
        }
        i64::try_from(exact / divisor).unwrap_or(i64::MAX)
    }
}

/// How a program earns points (the `[programs.earning]` table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarningRules {
    /// Points per amount spent, before the tier multiplier.
    pub rate: EarnRate,
    /// Points added on a customer's first purchase (0: none).
    #[serde(default)]
    pub welcome_bonus: i64,
    /// Days earned points stay pending before they can be spent (0: at once). Counted in the
    /// program's time zone: points earned on day D become spendable at the start of day D + N.
    #[serde(default)]
    pub pending_days: u32,
    /// When earned points expire.
    pub expiry: ExpiryRule,
}

impl EarningRules {
    /// Checks the rules; `Err` names the key that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.rate.points <= 0 || self.rate.per_minor <= 0 {
            return Err("rate: points and per_minor must be positive".into());
        }
        if self.welcome_bonus < 0 {
            return Err("welcome_bonus: must not be negative".into());
        }
        match self.expiry {
            ExpiryRule::Never => Ok(()),
            ExpiryRule::AfterDays { days } if days > self.pending_days => Ok(()),
            ExpiryRule::AfterMonthEnd { months } if months >= 1 && self.pending_days <= 28 => {
                Ok(())
            }
            _ => Err("expiry: points must expire after they stop being pending".into()),
        }
    }
}

/// When earned points expire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ExpiryRule {
    /// Never.
    Never,
    /// At the start of the day `days` days after the day they were earned (program time zone).
    AfterDays {
        /// Days.
        days: u32,
    },
    /// At the end of the month `months` months after the month they were earned (program time
    /// zone): with 12, points earned on 15 March 2026 expire when March 2027 ends.
    AfterMonthEnd {
        /// Months.
        months: u32,
    },
}

impl ExpiryRule {
    /// For [`ExpiryRule::AfterMonthEnd`]: the month at whose start points earned in `earned`
    /// (a [`crate::tier::Month`]) expire.
    pub fn expiry_month(&self, earned: crate::tier::Month) -> Option<crate::tier::Month> {
        match self {
            ExpiryRule::AfterMonthEnd { months } => Some(earned + *months as i32 + 1),
            _ => None,
        }
    }
}

/// Points earned together, with their own pending and expiry times (unix ms, UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lot {
    /// Points earned.
    pub amount: i64,
    /// Points not yet spent or expired.
    pub remaining: i64,
    /// When the points become spendable (pending before).
    pub available_at: i64,
    /// When what remains expires; `None` never.
    pub expires_at: Option<i64>,
}

impl Lot {
    /// Spendable at `now`: available, not expired, something left.
    pub fn is_spendable(&self, now: i64) -> bool {
        self.remaining > 0 && self.available_at <= now && !self.is_expired(now)
    }

    /// Still pending at `now`.
    pub fn is_pending(&self, now: i64) -> bool {
        self.remaining > 0 && self.available_at > now
    }

    /// Its expiry time has come.
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// Spending more points than are spendable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InsufficientPoints {
    /// What is spendable now.
    pub spendable: i64,
}

/// Which lots a spend of `amount` takes from and how much from each, as `(index, points)`:
/// spendable lots only, soonest expiry first (never-expiring last), then in earning order.
pub fn spend_plan(
    lots: &[Lot],
    amount: i64,
    now: i64,
) -> Result<Vec<(usize, i64)>, InsufficientPoints> {
    let mut order: Vec<usize> = (0..lots.len())
        .filter(|&i| lots[i].is_spendable(now))
        .collect();
    let spendable: i64 = order.iter().map(|&i| lots[i].remaining).sum();
    if amount > spendable {
        return Err(InsufficientPoints { spendable });
    }
    // Stable sort: lots that expire together are taken in earning order.
    order.sort_by_key(|&i| lots[i].expires_at.unwrap_or(i64::MAX));
    let mut left = amount;
    let mut plan = Vec::new();
    for i in order {
        if left == 0 {
            break;
        }
        let take = left.min(lots[i].remaining);
        plan.push((i, take));
        left -= take;
    }
    Ok(plan)
}

/// The points each lot loses to expiry at `now`: what remains of lots whose time has come.
pub fn expired(lots: &[Lot], now: i64) -> Vec<(usize, i64)> {
    lots.iter()
        .enumerate()
        .filter(|(_, lot)| lot.remaining > 0 && lot.is_expired(now))
        .map(|(i, lot)| (i, lot.remaining))
        .collect()
}

/// What changed a card's points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EntryKind {
    /// Earned by a purchase.
    Earned,
    /// The welcome bonus on the first purchase.
    Welcome,
    /// Spent on a reward or a payment.
    Spent,
    /// Expired unspent.
    Expired,
    /// Corrected by staff (either sign).
    Adjusted,
    /// Given back, e.g. when a payment with points is cancelled.
    Refunded,
}

impl EntryKind {
    /// Every kind, in declaration order.
    pub const ALL: [EntryKind; 6] = [
        EntryKind::Earned,
        EntryKind::Welcome,
        EntryKind::Spent,
        EntryKind::Expired,
        EntryKind::Adjusted,
        EntryKind::Refunded,
    ];

    /// The name used in the API and in storage (`earned`, `welcome`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Earned => "earned",
            EntryKind::Welcome => "welcome",
            EntryKind::Spent => "spent",
            EntryKind::Expired => "expired",
            EntryKind::Adjusted => "adjusted",
            EntryKind::Refunded => "refunded",
        }
    }

    /// The kind named `name`, as [`EntryKind::as_str`] writes it.
    pub fn from_name(name: &str) -> Option<EntryKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One change of points, as [`Ledger::apply`] takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Unique per card: applying the same reference twice changes nothing.
    pub reference: String,
    /// What happened.
    pub kind: EntryKind,
    /// Points added (> 0) or taken (< 0).
    pub amount: i64,
    /// When (unix ms).
    pub at: i64,
    /// For additions: when they become spendable (pending before).
    pub available_at: i64,
    /// For additions: when they expire.
    pub expires_at: Option<i64>,
}

/// Why [`Ledger::apply`] refused an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerError {
    /// A deduction larger than the spendable points.
    Insufficient(InsufficientPoints),
    /// Zero points, or a kind with the wrong sign (spent and expired take, earned adds).
    InvalidAmount,
}

/// One card's points in memory: the rules the server applies to its tables, in one place.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    lots: Vec<Lot>,
    entries: Vec<(String, EntryKind, i64)>,
}

impl Ledger {
    /// Applies `entry` unless its reference was applied before (then returns `Ok(false)`).
    pub fn apply(&mut self, entry: &Entry) -> Result<bool, LedgerError> {
        if self.entries.iter().any(|(r, _, _)| *r == entry.reference) {
            return Ok(false);
        }
        let adds = matches!(
            entry.kind,
            EntryKind::Earned | EntryKind::Welcome | EntryKind::Refunded
        ) || (entry.kind == EntryKind::Adjusted && entry.amount > 0);
        let sign_ok = match entry.kind {
            EntryKind::Earned | EntryKind::Welcome | EntryKind::Refunded => entry.amount > 0,
            EntryKind::Spent | EntryKind::Expired => entry.amount < 0,
            EntryKind::Adjusted => entry.amount != 0,
        };
        if !sign_ok || entry.kind == EntryKind::Expired {
            // Expiry is not taken from outside: [`Ledger::expire`] writes it.
            return Err(LedgerError::InvalidAmount);
        }
        if adds {
            self.lots.push(Lot {
                amount: entry.amount,
                remaining: entry.amount,
                available_at: entry.available_at.max(entry.at),
                expires_at: entry.expires_at,
            });
        } else {
            let plan = spend_plan(&self.lots, -entry.amount, entry.at)
                .map_err(LedgerError::Insufficient)?;
            for (i, take) in plan {
                self.lots[i].remaining -= take;
            }
        }
        self.entries
            .push((entry.reference.clone(), entry.kind, entry.amount));
        Ok(true)
    }

    /// Expires what remains of every lot whose time has come at `now`, one entry per expiry
    /// time; running it again at the same `now` changes nothing. Returns the points expired.
    pub fn expire(&mut self, now: i64) -> i64 {
        let mut total = 0;
        for (i, points) in expired(&self.lots, now) {
            let at = self.lots[i].expires_at.unwrap_or(now);
            self.lots[i].remaining = 0;
            let reference = format!("expiry:{at}");
            match self.entries.iter_mut().find(|(r, _, _)| *r == reference) {
                Some(entry) => entry.2 -= points,
                None => self.entries.push((reference, EntryKind::Expired, -points)),
            }
            total += points;
        }
        total
    }

    /// Spendable points at `now` (the stored balance of a card).
    pub fn spendable(&self, now: i64) -> i64 {
        self.remaining_in(|l| l.is_spendable(now))
    }

    /// Points still pending at `now`.
    pub fn pending(&self, now: i64) -> i64 {
        self.remaining_in(|l| l.is_pending(now))
    }

    /// What remains of the lots `which` picks.
    fn remaining_in(&self, which: impl Fn(&Lot) -> bool) -> i64 {
        self.lots
            .iter()
            .filter(|l| which(l))
            .map(|l| l.remaining)
            .sum()
    }

    /// The sum of every entry: what was added minus what was spent and expired.
    pub fn entries_total(&self) -> i64 {
        self.entries.iter().map(|(_, _, amount)| amount).sum()
    }

    /// The lots, in earning order.
    pub fn lots(&self) -> &[Lot] {
        &self.lots
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn entry_kind_names_are_the_serde_names() {
        for kind in EntryKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(EntryKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(EntryKind::from_name("bought"), None);
    }

    #[test]
    fn month_end_expiry_counts_whole_months() {
        use crate::tier::month;
        let rule = ExpiryRule::AfterMonthEnd { months: 12 };
        assert_eq!(rule.expiry_month(month(2026, 3)), Some(month(2027, 4)));
        assert_eq!(ExpiryRule::Never.expiry_month(month(2026, 3)), None);
        let rules = EarningRules {
            rate: EarnRate {
                points: 1,
                per_minor: 100,
            },
            welcome_bonus: 50,
            pending_days: 14,
            expiry: ExpiryRule::AfterDays { days: 14 },
        };
        assert!(
            rules.validate().is_err(),
            "points would expire while pending"
        );
        let rules = EarningRules {
            expiry: rule,
            ..rules
        };
        assert_eq!(rules.validate(), Ok(()));
    }

    #[test]
    fn earning_rounds_down_once_on_the_whole_purchase() {
        let rate = EarnRate {
            points: 1,
            per_minor: 100,
        };
        assert_eq!(rate.points_for(999, 100), 9);
        assert_eq!(rate.points_for(1_000, 150), 15);
        assert_eq!(rate.points_for(99, 100), 0);
        assert_eq!(rate.points_for(-500, 100), 0);
        let tenth = EarnRate {
            points: 1,
            per_minor: 1_000,
        };
        assert_eq!(
            tenth.points_for(4_550, 125),
            5,
            "45.50 at x1.25 is 5.6875 points"
        );
        let generous = EarnRate {
            points: 1_000,
            per_minor: 1,
        };
        assert_eq!(generous.points_for(i64::MAX, 100), i64::MAX, "saturates");
    }

    #[test]
    fn multipliers_multiply_and_the_purchase_rounds_down_once() {
        let rate = EarnRate {
            points: 1,
            per_minor: 100,
        };
        // Silver 125 % in a 150 % club: 187.5 %; GEL 10.01 earns 18.76875, so 18.
        assert_eq!(rate.points_with(1_001, &[125, 150]), 18);
        assert_eq!(rate.points_with(1_001, &[150, 125]), 18);
        // Rounded once, on the whole: 0.99 points at 225 % is 2.2275, so 2 (rounding each step
        // would give 0, then 0).
        assert_eq!(rate.points_with(99, &[150, 150]), 2);
        assert_eq!(rate.points_with(1_001, &[125]), rate.points_for(1_001, 125));
        assert_eq!(rate.points_with(1_001, &[]), 10);
        assert_eq!(
            rate.points_with(i64::MAX, &[u32::MAX; 8]),
            i64::MAX,
            "saturates"
        );
    }

    fn lot(amount: i64, available_at: i64, expires_at: Option<i64>) -> Lot {
        Lot {
            amount,
            remaining: amount,
            available_at,
            expires_at,
        }
    }

    #[test]
    fn spending_takes_the_soonest_expiring_spendable_points_first() {
        let lots = [
            lot(100, 0, None),
            lot(50, 0, Some(30 * DAY)),
            lot(70, 5 * DAY, Some(20 * DAY)), // pending at day 1
            lot(20, 0, Some(DAY / 2)),        // expired at day 1
            lot(40, 0, Some(10 * DAY)),
        ];
        assert_eq!(spend_plan(&lots, 60, DAY), Ok(vec![(4, 40), (1, 20)]));
        assert_eq!(
            spend_plan(&lots, 191, DAY),
            Err(InsufficientPoints { spendable: 190 })
        );
        assert_eq!(spend_plan(&lots, 0, DAY), Ok(vec![]));
        assert_eq!(expired(&lots, DAY), vec![(3, 20)]);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Earn {
            points: i64,
            pending_days: i64,
            expiry_days: Option<i64>,
        },
        Spend(i64),
        Adjust(i64),
        Expire,
        Replay(usize),
        Wait(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1..500i64, 0..3i64, proptest::option::of(1..20i64)).prop_map(
                |(points, pending_days, expiry_days)| Op::Earn {
                    points,
                    pending_days,
                    expiry_days
                }
            ),
            (1..600i64).prop_map(Op::Spend),
            (-300..300i64)
                .prop_filter("not zero", |n| *n != 0)
                .prop_map(Op::Adjust),
            Just(Op::Expire),
            (0..40usize).prop_map(Op::Replay),
            (0..5 * DAY).prop_map(Op::Wait),
        ]
    }

    proptest! {
        #[test]
        fn the_ledger_keeps_its_invariants(ops in proptest::collection::vec(op(), 1..60)) {
            let mut ledger = Ledger::default();
            let mut applied: Vec<Entry> = Vec::new();
            let mut now = 0i64;
            for (n, op) in ops.into_iter().enumerate() {
                let before: Vec<Lot> = ledger.lots().to_vec();
                let entry = |kind, amount, pending_days: i64, expiry_days: Option<i64>| Entry {
                    reference: format!("r{n}"),
                    kind,
                    amount,
                    at: now,
                    available_at: now + pending_days * DAY,
                    expires_at: expiry_days.map(|d| now + d * DAY),
                };
                match op {
                    Op::Earn { points, pending_days, expiry_days } => {
                        let e = entry(EntryKind::Earned, points, pending_days, expiry_days);
                        prop_assert_eq!(ledger.apply(&e), Ok(true));
                        applied.push(e);
                    }
                    Op::Spend(points) | Op::Adjust(points) => {
                        let kind = if matches!(op, Op::Spend(_)) { EntryKind::Spent } else { EntryKind::Adjusted };
                        let amount = if kind == EntryKind::Spent { -points } else { points };
                        let spendable = ledger.spendable(now);
                        let e = entry(kind, amount, 0, None);
                        match ledger.apply(&e) {
                            Ok(applied_now) => {
                                prop_assert!(applied_now);
                                applied.push(e);
                                if amount < 0 {
                                    // Spending never touches pending or expired points.
                                    for (old, new) in before.iter().zip(ledger.lots()) {
                                        if old.remaining != new.remaining {
                                            prop_assert!(old.is_spendable(now));
                                        }
                                    }
                                }
                            }
                            Err(LedgerError::Insufficient(i)) => {
                                prop_assert!(-amount > spendable);
                                prop_assert_eq!(i.spendable, spendable);
                                prop_assert_eq!(ledger.lots(), &before[..], "a refused spend changes nothing");
                            }
                            Err(e) => prop_assert!(false, "unexpected {:?}", e),
                        }
                    }
                    Op::Expire => {
                        let spendable_unexpired: i64 = before.iter()
                            .filter(|l| !l.is_expired(now)).map(|l| l.remaining).sum();
                        ledger.expire(now);
                        // Expiring never removes points that are not due, nor spent ones.
                        let after: i64 = ledger.lots().iter().map(|l| l.remaining).sum();
                        prop_assert_eq!(after, spendable_unexpired);
                        let total = ledger.entries_total();
                        prop_assert_eq!(ledger.expire(now), 0, "expiry is idempotent");
                        prop_assert_eq!(ledger.entries_total(), total);
                    }
                    Op::Replay(i) => {
                        if let Some(e) = applied.get(i % applied.len().max(1)).cloned() {
                            let total = ledger.entries_total();
                            prop_assert_eq!(ledger.apply(&e), Ok(false));
                            prop_assert_eq!(ledger.entries_total(), total);
                            prop_assert_eq!(ledger.lots(), &before[..]);
                        }
                    }
                    Op::Wait(ms) => now += ms,
                }
                // The lots' remaining points are exactly the sum of the entries, never negative.
                let held: i64 = ledger.lots().iter().map(|l| l.remaining).sum();
                prop_assert_eq!(held, ledger.entries_total());
                prop_assert!(ledger.lots().iter().all(|l| l.remaining >= 0 && l.remaining <= l.amount));
                prop_assert!(ledger.spendable(now) >= 0);
                if ledger.lots().iter().all(|l| !l.is_expired(now) || l.remaining == 0) {
                    prop_assert_eq!(ledger.spendable(now) + ledger.pending(now), ledger.entries_total());
                }
            }
        }
    }
}
