//! Discounts: the rate a card gets now, and the next step.
//!
//! Rates are basis points (1/100 of a percent: 500 = 5 %), so they stay integers.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

/// A decaying discount's period: `days` whole days of 24 hours (UTC instants, so no zone).
fn decay_period_ms(days: u32) -> i64 {
    TimeDelta::days(i64::from(days)).num_milliseconds()
}

/// A program's discount rule (the `[programs.discount]` table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DiscountRule {
    /// No discount.
    None,
    /// The same rate for everyone.
    Fixed {
        /// The rate in basis points.
        rate_bp: u32,
    },
    /// The rate of the card's tier.
    Tier,
    /// Grows with the customer's total spend, up to the last step (the cap).
    Cumulative {
        /// Ascending by `spend_minor`.
        steps: Vec<SpendStep>,
    },
    /// Each purchase climbs one step; every `decay_days` days without a purchase drops one.
    Decaying {
        /// Rates in basis points, lowest first.
        steps_bp: Vec<u32>,
        /// Days without a purchase that cost one step.
        decay_days: u32,
    },
}

/// The kind of a program's discount, as the API shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DiscountKind {
    /// No discount.
    None,
    /// The same rate for everyone.
    Fixed,
    /// The rate of the card's tier.
    Tier,
    /// Grows with total spend.
    Cumulative,
    /// Climbs with purchases, drops without.
    Decaying,
    /// A kind newer than this build (an older wallet reading a newer server).
    #[serde(other)]
    Unknown,
}

impl DiscountRule {
    /// The rule's kind.
    pub fn kind(&self) -> DiscountKind {
        match self {
            DiscountRule::None => DiscountKind::None,
            DiscountRule::Fixed { .. } => DiscountKind::Fixed,
            DiscountRule::Tier => DiscountKind::Tier,
            DiscountRule::Cumulative { .. } => DiscountKind::Cumulative,
            DiscountRule::Decaying { .. } => DiscountKind::Decaying,
        }
    }
}

/// A cumulative discount step: from `spend_minor` of total spend on, `rate_bp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendStep {
    /// Total spend (minor units) from which this step applies.
    pub spend_minor: i64,
    /// The rate in basis points.
    pub rate_bp: u32,
}

/// What the discount depends on, for one card.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiscountInputs {
    /// The tier's rate, for [`DiscountRule::Tier`].
    pub tier_rate_bp: u32,
    /// Total spend (minor units), for [`DiscountRule::Cumulative`].
    pub total_spend_minor: i64,
    /// Steps climbed as of the last purchase, for [`DiscountRule::Decaying`].
    pub decaying_step: u32,
    /// Time of the last purchase (unix ms), for [`DiscountRule::Decaying`].
    pub last_purchase_at: Option<i64>,
}

/// The discount now and what would change it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiscountStatus {
    /// The rate now, in basis points.
    pub rate_bp: u32,
    /// The next higher rate, if any, and what it takes.
    pub next: Option<NextDiscount>,
    /// For a decaying discount: when the rate drops a step without a purchase (unix ms).
    pub drops_at: Option<i64>,
}

/// The next step of a discount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NextDiscount {
    /// Its rate in basis points.
    pub rate_bp: u32,
    /// Spend still needed (cumulative), or 0 when the next purchase reaches it (decaying).
    pub spend_minor: i64,
}

impl DiscountRule {
    /// Checks the rule: rates at most 100 %, steps ascending; `Err` names what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let rate_ok = |bp: u32| bp <= 10_000;
        match self {
            DiscountRule::None | DiscountRule::Tier => Ok(()),
            DiscountRule::Fixed { rate_bp } if rate_ok(*rate_bp) => Ok(()),
            DiscountRule::Fixed { .. } => Err("rate_bp: at most 10000 (100 %)".into()),
            DiscountRule::Cumulative { steps } => {
                if steps.is_empty() {
                    return Err("steps: at least one".into());
                }
                for pair in steps.windows(2) {
                    if pair[1].spend_minor <= pair[0].spend_minor
                        || pair[1].rate_bp <= pair[0].rate_bp
                    {
                        return Err("steps: spend_minor and rate_bp must both increase".into());
                    }
                }
                if steps
                    .iter()
                    .any(|s| !rate_ok(s.rate_bp) || s.spend_minor < 0)
                {
                    return Err("steps: rate_bp at most 10000, spend_minor not negative".into());
                }
                Ok(())
            }
            DiscountRule::Decaying {
                steps_bp,
                decay_days,
            } => {
                if steps_bp.is_empty() || *decay_days == 0 {
                    return Err("steps_bp: at least one; decay_days: at least 1".into());
                }
                if steps_bp.windows(2).any(|p| p[1] <= p[0])
                    || !steps_bp.iter().all(|&r| rate_ok(r))
                {
                    return Err("steps_bp: increasing, at most 10000".into());
                }
                Ok(())
            }
        }
    }

    /// The discount at `now` (unix ms) for a card with `inputs`.
    pub fn status(&self, inputs: &DiscountInputs, now: i64) -> DiscountStatus {
        match self {
            DiscountRule::None => DiscountStatus {
                rate_bp: 0,
                next: None,
                drops_at: None,
            },
            DiscountRule::Fixed { rate_bp } => DiscountStatus {
                rate_bp: *rate_bp,
                next: None,
                drops_at: None,
            },
            DiscountRule::Tier => DiscountStatus {
                rate_bp: inputs.tier_rate_bp,
                next: None,
                drops_at: None,
            },
            DiscountRule::Cumulative { steps } => {
                let spend = inputs.total_spend_minor;
                let rate_bp = steps
                    .iter()
                    .rev()
                    .find(|s| s.spend_minor <= spend)
                    .map_or(0, |s| s.rate_bp);
                let next = steps
                    .iter()
                    .find(|s| s.spend_minor > spend)
                    .map(|s| NextDiscount {
                        rate_bp: s.rate_bp,
                        spend_minor: s.spend_minor - spend,
                    });
                DiscountStatus {
                    rate_bp,
                    next,
                    drops_at: None,
                }
            }
            DiscountRule::Decaying {
                steps_bp,
                decay_days,
            } => {
                let step = self.decaying_step_at(inputs, now);
                let rate_bp = step.checked_sub(1).map_or(0, |i| steps_bp[i as usize]);
                let next = steps_bp.get(step as usize).map(|&rate_bp| NextDiscount {
                    rate_bp,
                    spend_minor: 0,
                });
                let drops_at = match (step, inputs.last_purchase_at) {
                    (0, _) | (_, None) => None,
                    (_, Some(last)) => {
                        let period = decay_period_ms(*decay_days);
                        let lost =
                            i64::from(inputs.decaying_step.min(steps_bp.len() as u32) - step);
                        Some(last + (lost + 1) * period)
                    }
                };
                DiscountStatus {
                    rate_bp,
                    next,
                    drops_at,
                }
            }
        }
    }

    /// The decaying step (0 = no discount) at `now`; other rules answer 0.
    pub fn decaying_step_at(&self, inputs: &DiscountInputs, now: i64) -> u32 {
        let DiscountRule::Decaying {
            steps_bp,
            decay_days,
        } = self
        else {
            return 0;
        };
        let climbed = inputs.decaying_step.min(steps_bp.len() as u32);
        let Some(last) = inputs.last_purchase_at else {
            return 0;
        };
        let idle_periods = (now - last).max(0) / decay_period_ms(*decay_days);
        climbed.saturating_sub(u32::try_from(idle_periods).unwrap_or(u32::MAX))
    }

    /// The decaying step to store after a purchase at `now`: one above the step at `now`.
    pub fn decaying_step_after_purchase(&self, inputs: &DiscountInputs, now: i64) -> u32 {
        match self {
            DiscountRule::Decaying { steps_bp, .. } => {
                (self.decaying_step_at(inputs, now) + 1).min(steps_bp.len() as u32)
            }
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    const DAY_MS: i64 = 86_400_000;
    use super::*;

    #[test]
    fn cumulative_grows_with_total_spend_up_to_the_cap() {
        let rule = DiscountRule::Cumulative {
            steps: vec![
                SpendStep {
                    spend_minor: 10_000,
                    rate_bp: 300,
                },
                SpendStep {
                    spend_minor: 50_000,
                    rate_bp: 500,
                },
                SpendStep {
                    spend_minor: 100_000,
                    rate_bp: 700,
                },
            ],
        };
        assert_eq!(rule.validate(), Ok(()));
        let at = |spend| {
            rule.status(
                &DiscountInputs {
                    total_spend_minor: spend,
                    ..Default::default()
                },
                0,
            )
        };
        assert_eq!(at(0).rate_bp, 0);
        assert_eq!(
            at(0).next,
            Some(NextDiscount {
                rate_bp: 300,
                spend_minor: 10_000
            })
        );
        assert_eq!(at(49_999).rate_bp, 300);
        assert_eq!(
            at(49_999).next,
            Some(NextDiscount {
                rate_bp: 500,
                spend_minor: 1
            })
        );
        assert_eq!(at(1_000_000).rate_bp, 700);
        assert_eq!(at(1_000_000).next, None, "capped");
    }

    #[test]
    fn decaying_climbs_per_purchase_and_drops_a_step_per_idle_period() {
        let rule = DiscountRule::Decaying {
            steps_bp: vec![300, 500, 700],
            decay_days: 30,
        };
        assert_eq!(rule.validate(), Ok(()));
        let none = DiscountInputs::default();
        assert_eq!(rule.status(&none, 0).rate_bp, 0);
        let step = rule.decaying_step_after_purchase(&none, 0);
        assert_eq!(step, 1);
        let mut card = DiscountInputs {
            decaying_step: step,
            last_purchase_at: Some(0),
            ..Default::default()
        };
        for _ in 0..5 {
            card.decaying_step = rule.decaying_step_after_purchase(&card, DAY_MS);
        }
        card.last_purchase_at = Some(DAY_MS);
        assert_eq!(card.decaying_step, 3, "capped at the last step");
        let now = DAY_MS + 29 * DAY_MS;
        let status = rule.status(&card, now);
        assert_eq!((status.rate_bp, status.next), (700, None));
        assert_eq!(status.drops_at, Some(DAY_MS + 30 * DAY_MS));
        let later = rule.status(&card, DAY_MS + 61 * DAY_MS);
        assert_eq!(later.rate_bp, 300, "two idle periods cost two steps");
        assert_eq!(
            later.next,
            Some(NextDiscount {
                rate_bp: 500,
                spend_minor: 0
            })
        );
        assert_eq!(later.drops_at, Some(DAY_MS + 90 * DAY_MS));
        assert_eq!(rule.status(&card, DAY_MS + 400 * DAY_MS).rate_bp, 0);
        assert_eq!(rule.status(&card, DAY_MS + 400 * DAY_MS).drops_at, None);
    }

    #[test]
    fn fixed_tier_and_none() {
        let card = DiscountInputs {
            tier_rate_bp: 700,
            ..Default::default()
        };
        assert_eq!(
            DiscountRule::Fixed { rate_bp: 500 }
                .status(&card, 0)
                .rate_bp,
            500
        );
        assert_eq!(DiscountRule::Tier.status(&card, 0).rate_bp, 700);
        assert_eq!(DiscountRule::None.status(&card, 0).rate_bp, 0);
        assert!(DiscountRule::Fixed { rate_bp: 10_001 }.validate().is_err());
        let unordered = DiscountRule::Decaying {
            steps_bp: vec![500, 300],
            decay_days: 1,
        };
        assert!(unordered.validate().is_err());
    }

    #[test]
    fn reads_from_toml_shaped_data() {
        let rule: DiscountRule = serde_json::from_str(
            r#"{"kind":"cumulative","steps":[{"spend_minor":10000,"rate_bp":300}]}"#,
        )
        .unwrap();
        assert_eq!(rule.validate(), Ok(()));
        assert!(
            serde_json::from_str::<DiscountRule>(r#"{"kind":"fixed","rate_bp":5,"x":1}"#).is_err()
        );
    }
}
