//! Clubs' entry rules that a member's purchase history decides (a closed club may ask for any
//! of them, with a questionnaire, an invitation and staff approval besides): how many purchases,
//! how much spent, how many purchases lately; and how far a member is with each, as typed
//! progress the server sends and the wallet words ("3 of 5 purchases in the last 30 days",
//! "GEL 120 of GEL 200").
//!
//! A purchase counts with the money paid (the till's money rule: what is left after the
//! discount, a voucher and points), like spend towards levels. Time is UTC; a window of `days`
//! is the `days` × 24 hours up to now.

use serde::{Deserialize, Serialize};

/// One day, in milliseconds.
const DAY_MS: i64 = 86_400_000;

/// A purchase as the rules count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PurchaseFact {
    /// When it was recorded (UTC unix ms).
    pub at: i64,
    /// The money paid, in minor units of the program's currency.
    pub paid_minor: i64,
}

/// One rule of a club's entry that the purchase history decides, as configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum HistoryRule {
    /// At least `count` purchases, ever.
    Purchases { count: u32 },
    /// Purchases worth at least `minor` (money paid, minor units), ever.
    Spend { minor: i64 },
    /// At least `count` purchases within the last `days` days.
    RecentPurchases { count: u32, days: u32 },
}

/// Which rule a [`RuleProgress`] is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Purchases, ever.
    Purchases,
    /// Money spent, ever (minor units).
    Spend,
    /// Purchases within a window of days.
    RecentPurchases,
}

/// How far a member is with one rule: `current` of `required` (purchases, or minor units spent),
/// within the last `window_days` days when the rule has a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleProgress {
    pub kind: RuleKind,
    pub current: i64,
    pub required: i64,
    pub window_days: Option<u32>,
}

impl RuleProgress {
    /// Whether the rule holds.
    pub fn met(&self) -> bool {
        self.current >= self.required
    }
}

impl HistoryRule {
    /// How far `purchases` go towards this rule at `now`. Purchases after `now` do not count
    /// (a clock behind the database's must not let one count early).
    pub fn progress(&self, purchases: &[PurchaseFact], now: i64) -> RuleProgress {
        let past = purchases.iter().filter(|p| p.at <= now);
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        match *self {
            HistoryRule::Purchases { count: required } => RuleProgress {
                kind: RuleKind::Purchases,
                current: count(past.count()),
                required: i64::from(required),
                window_days: None,
            },
            HistoryRule::Spend { minor } => RuleProgress {
                kind: RuleKind::Spend,
                current: past.fold(0i64, |sum, p| sum.saturating_add(p.paid_minor.max(0))),
                required: minor,
                window_days: None,
            },
            HistoryRule::RecentPurchases {
                count: required,
                days,
            } => {
                let since = now.saturating_sub(i64::from(days).saturating_mul(DAY_MS));
                RuleProgress {
                    kind: RuleKind::RecentPurchases,
                    current: count(past.filter(|p| p.at > since).count()),
                    required: i64::from(required),
                    window_days: Some(days),
                }
            }
        }
    }

    /// Why the rule cannot be configured, if it cannot: nothing to reach, or a window of no days.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            HistoryRule::Purchases { count } | HistoryRule::RecentPurchases { count, .. }
                if count == 0 =>
            {
                Err("count must be at least 1".into())
            }
            HistoryRule::Spend { minor } if minor <= 0 => {
                Err("minor must be a positive amount".into())
            }
            HistoryRule::RecentPurchases { days: 0, .. } => Err("days must be at least 1".into()),
            _ => Ok(()),
        }
    }
}

/// Progress on each of `rules`, in their order, from `purchases` at `now`.
pub fn progress(rules: &[HistoryRule], purchases: &[PurchaseFact], now: i64) -> Vec<RuleProgress> {
    rules.iter().map(|r| r.progress(purchases, now)).collect()
}

/// Whether every rule holds (a club asks for all of its rules, never some).
pub fn all_met(progress: &[RuleProgress]) -> bool {
    progress.iter().all(RuleProgress::met)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_796_000_000_000;

    fn bought(days_ago: i64, paid_minor: i64) -> PurchaseFact {
        PurchaseFact {
            at: NOW - days_ago * DAY_MS,
            paid_minor,
        }
    }

    #[test]
    fn purchases_count_every_purchase_made_so_far() {
        let rule = HistoryRule::Purchases { count: 5 };
        let history = [bought(400, 500), bought(40, 900), bought(1, 100)];
        let p = rule.progress(&history, NOW);
        assert_eq!(
            (p.kind, p.current, p.required, p.window_days),
            (RuleKind::Purchases, 3, 5, None)
        );
        assert!(!p.met());
        let more = [&history[..], &[bought(0, 1), bought(0, 1)]].concat();
        assert!(rule.progress(&more, NOW).met());
    }

    #[test]
    fn spend_adds_up_the_money_paid() {
        let rule = HistoryRule::Spend { minor: 20_000 };
        let history = [bought(300, 12_000), bought(2, 7_999)];
        let p = rule.progress(&history, NOW);
        assert_eq!((p.current, p.required), (19_999, 20_000));
        assert!(!p.met());
        assert!(rule
            .progress(&[&history[..], &[bought(0, 1)]].concat(), NOW)
            .met());
    }

    #[test]
    fn recent_purchases_count_only_the_window_up_to_now() {
        let rule = HistoryRule::RecentPurchases { count: 3, days: 30 };
        // Exactly 30 days ago is outside the last 30 days; a moment later is inside.
        let edge = PurchaseFact {
            at: NOW - 30 * DAY_MS,
            paid_minor: 100,
        };
        let inside = PurchaseFact {
            at: NOW - 30 * DAY_MS + 1,
            paid_minor: 100,
        };
        let later = PurchaseFact {
            at: NOW + 1,
            paid_minor: 100,
        };
        let p = rule.progress(&[edge, inside, bought(0, 100), later], NOW);
        assert_eq!(
            (p.kind, p.current, p.required, p.window_days),
            (RuleKind::RecentPurchases, 2, 3, Some(30))
        );
    }

    #[test]
    fn purchases_after_now_do_not_count() {
        let future = PurchaseFact {
            at: NOW + DAY_MS,
            paid_minor: 50_000,
        };
        let rules = [
            HistoryRule::Purchases { count: 1 },
            HistoryRule::Spend { minor: 1 },
        ];
        assert!(!all_met(&progress(&rules, &[future], NOW)));
    }

    #[test]
    fn a_club_asks_for_all_of_its_rules() {
        let rules = [
            HistoryRule::Purchases { count: 2 },
            HistoryRule::Spend { minor: 10_000 },
            HistoryRule::RecentPurchases { count: 1, days: 7 },
        ];
        // Two purchases worth enough, but none in the last week.
        let old = [bought(20, 6_000), bought(10, 6_000)];
        let shown = progress(&rules, &old, NOW);
        assert_eq!(
            shown.iter().map(RuleProgress::met).collect::<Vec<_>>(),
            [true, true, false]
        );
        assert!(!all_met(&shown));
        assert!(all_met(&progress(
            &rules,
            &[&old[..], &[bought(1, 10)]].concat(),
            NOW
        )));
        // No rules: nothing to reach.
        assert!(all_met(&progress(&[], &[], NOW)));
    }

    #[test]
    fn rules_read_from_the_configuration() {
        #[derive(Deserialize)]
        struct Club {
            rules: Vec<HistoryRule>,
        }
        let club: Club = toml::from_str(
            r#"rules = [
                { kind = "purchases", count = 5 },
                { kind = "spend", minor = 20000 },
                { kind = "recent_purchases", count = 3, days = 30 },
            ]"#,
        )
        .unwrap();
        assert_eq!(
            club.rules,
            [
                HistoryRule::Purchases { count: 5 },
                HistoryRule::Spend { minor: 20_000 },
                HistoryRule::RecentPurchases { count: 3, days: 30 },
            ]
        );
        let unknown =
            toml::from_str::<Club>(r#"rules = [{ kind = "purchases", count = 5, ever = true }]"#);
        assert!(unknown.is_err(), "an unknown key is refused");
    }

    #[test]
    fn a_rule_with_nothing_to_reach_is_refused() {
        for rule in [
            HistoryRule::Purchases { count: 0 },
            HistoryRule::Spend { minor: 0 },
            HistoryRule::RecentPurchases { count: 0, days: 30 },
            HistoryRule::RecentPurchases { count: 2, days: 0 },
        ] {
            assert!(rule.validate().is_err(), "{rule:?}");
        }
        assert!(HistoryRule::RecentPurchases { count: 2, days: 30 }
            .validate()
            .is_ok());
    }

    fn rule() -> impl Strategy<Value = HistoryRule> {
        prop_oneof![
            (1u32..20).prop_map(|count| HistoryRule::Purchases { count }),
            (1i64..100_000).prop_map(|minor| HistoryRule::Spend { minor }),
            (1u32..20, 1u32..400)
                .prop_map(|(count, days)| HistoryRule::RecentPurchases { count, days }),
        ]
    }

    fn purchase() -> impl Strategy<Value = PurchaseFact> {
        // Up to two years back, and a few days ahead of now (which do not count).
        (-730 * DAY_MS..5 * DAY_MS, 0i64..50_000).prop_map(|(offset, paid_minor)| PurchaseFact {
            at: NOW + offset,
            paid_minor,
        })
    }

    proptest! {
        #[test]
        fn progress_never_goes_down_as_purchases_are_added(
            rules in proptest::collection::vec(rule(), 0..4),
            history in proptest::collection::vec(purchase(), 0..30),
            added in purchase(),
        ) {
            let before = progress(&rules, &history, NOW);
            let after = progress(&rules, &[&history[..], &[added]].concat(), NOW);
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(a.current >= b.current, "{:?} -> {:?}", b, a);
                prop_assert_eq!((a.kind, a.required, a.window_days), (b.kind, b.required, b.window_days));
            }
            // And so a club once eligible stays so.
            prop_assert!(!all_met(&before) || all_met(&after));
        }

        #[test]
        fn a_club_is_eligible_exactly_when_every_rule_holds(
            rules in proptest::collection::vec(rule(), 0..4),
            history in proptest::collection::vec(purchase(), 0..30),
        ) {
            let shown = progress(&rules, &history, NOW);
            prop_assert_eq!(shown.len(), rules.len());
            prop_assert_eq!(all_met(&shown), shown.iter().all(|p| p.current >= p.required));
            for (rule, p) in rules.iter().zip(&shown) {
                prop_assert_eq!(*p, rule.progress(&history, NOW));
            }
        }

        #[test]
        fn the_order_of_purchases_does_not_matter(
            rules in proptest::collection::vec(rule(), 1..4),
            history in proptest::collection::vec(purchase(), 0..30),
            seed in any::<u64>(),
        ) {
            let mut shuffled = history.clone();
            // A deterministic shuffle from the seed (Fisher-Yates with an LCG).
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let j = usize::try_from(state >> 33).unwrap_or(0) % (i + 1);
                shuffled.swap(i, j);
            }
            prop_assert_eq!(progress(&rules, &history, NOW), progress(&rules, &shuffled, NOW));
        }
    }
}
