//! Tiers: levels by qualifying spend (or points) over a rolling window of calendar months, kept
//! until their retention runs out, and what it takes to reach or keep one.
//!
//! Months are counted as [`Month`] (months since year 0 in the program's time zone); the server
//! turns them into UTC instants with the program's IANA zone, so this module has no calendar.

use serde::{Deserialize, Serialize};

/// A calendar month in the program's time zone: `year * 12 + (month - 1)`.
pub type Month = i32;

/// The month of a civil date (`month` 1–12).
pub fn month(year: i32, month: u32) -> Month {
    year * 12 + month as i32 - 1
}

/// What counts toward a level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QualifyBy {
    /// Money spent, in minor units.
    Spend,
    /// Points earned.
    Points,
}

/// A program's tiers (the `[programs.tiers]` table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRules {
    /// Spend or points.
    pub qualify_by: QualifyBy,
    /// The rolling window: this month and the `window_months - 1` before it.
    pub window_months: u32,
    /// A level reached (or confirmed) is kept to the end of the month this many months later.
    pub retain_months: u32,
    /// Lowest first; the first has threshold 0 (everyone's level).
    pub levels: Vec<TierLevel>,
}

/// One level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierLevel {
    /// Shown on the card ("Gold").
    pub name: String,
    /// Qualifying spend (minor units) or points in the window.
    pub threshold: i64,
    /// Earn multiplier in percent (100 = x1).
    pub multiplier_percent: u32,
    /// Discount in basis points, used when the program's discount is the tier's.
    #[serde(default)]
    pub discount_bp: u32,
    /// Other benefits, as shown to the customer.
    #[serde(default)]
    pub perks: Vec<String>,
}

/// A card's stored tier: the level it holds and the first month it no longer holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TierState {
    /// Index into [`TierRules::levels`].
    pub level: usize,
    /// The level is held before the start of this month.
    pub held_until: Month,
}

/// A level and how much more it needs, by when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierTarget {
    /// Index into [`TierRules::levels`].
    pub level: usize,
    /// Qualifying spend or points still needed now.
    pub remaining: i64,
    /// The amount holds until the start of this month (then counted months leave the window or the
    /// level lapses); `None` when nothing counted would leave.
    pub by: Option<Month>,
}

/// Where a card stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierProgress {
    /// The level now.
    pub level: usize,
    /// Qualifying spend or points in the window now.
    pub qualifying: i64,
    /// The next level up, if any.
    pub next: Option<TierTarget>,
    /// The level now, when it is only held by retention: what keeps it.
    pub keep: Option<TierTarget>,
}

impl TierRules {
    /// Checks the rules; `Err` names what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.window_months == 0 {
            return Err("window_months: at least 1".into());
        }
        match self.levels.first() {
            None => return Err("levels: at least one".into()),
            Some(l) if l.threshold != 0 => return Err("levels: the first has threshold 0".into()),
            _ => {}
        }
        if self
            .levels
            .windows(2)
            .any(|p| p[1].threshold <= p[0].threshold)
        {
            return Err("levels: thresholds must increase".into());
        }
        if self
            .levels
            .iter()
            .any(|l| l.multiplier_percent == 0 || l.discount_bp > 10_000)
        {
            return Err("levels: multiplier_percent at least 1, discount_bp at most 10000".into());
        }
        Ok(())
    }

    /// The sum of `buckets` (month, amount) inside the window that ends with `now`.
    pub fn qualifying(&self, buckets: &[(Month, i64)], now: Month) -> i64 {
        let first = now - self.window_months as i32 + 1;
        buckets
            .iter()
            .filter(|(m, _)| (first..=now).contains(m))
            .map(|(_, amount)| amount)
            .sum()
    }

    /// The highest level `qualifying` reaches.
    pub fn supported(&self, qualifying: i64) -> usize {
        self.levels
            .iter()
            .rposition(|l| l.threshold <= qualifying)
            .unwrap_or(0)
    }

    /// The level at `now`: the stored one while it is held, or what the window supports if higher.
    pub fn level(&self, state: TierState, buckets: &[(Month, i64)], now: Month) -> usize {
        let supported = self.supported(self.qualifying(buckets, now));
        let held = if now < state.held_until {
            state.level.min(self.levels.len() - 1)
        } else {
            0
        };
        supported.max(held)
    }

    /// The state to store after qualifying activity in `now` (buckets already include it): a
    /// level the window supports is (re)confirmed and held for `retain_months` more months.
    pub fn after_activity(
        &self,
        state: TierState,
        buckets: &[(Month, i64)],
        now: Month,
    ) -> TierState {
        let supported = self.supported(self.qualifying(buckets, now));
        let current = self.level(state, buckets, now);
        if supported >= current && supported > 0 {
            TierState {
                level: supported,
                held_until: now + self.retain_months as i32 + 1,
            }
        } else {
            state
        }
    }

    /// Where the card stands at `now`, with the next level and, for a level held by retention,
    /// what keeps it.
    pub fn progress(&self, state: TierState, buckets: &[(Month, i64)], now: Month) -> TierProgress {
        let qualifying = self.qualifying(buckets, now);
        let level = self.level(state, buckets, now);
        // The first month in which the oldest counted month has left the window.
        let first = now - self.window_months as i32 + 1;
        let drop = buckets
            .iter()
            .filter(|(m, a)| (first..=now).contains(m) && *a > 0)
            .map(|(m, _)| m + self.window_months as i32)
            .min();
        let target = |level: usize, by: Option<Month>| TierTarget {
            level,
            remaining: (self.levels[level].threshold - qualifying).max(0),
            by,
        };
        let next = (level + 1 < self.levels.len()).then(|| target(level + 1, drop));
        let keep = (level > 0 && self.supported(qualifying) < level).then(|| {
            let by = state.held_until;
            target(level, Some(drop.map_or(by, |d| d.min(by))))
        });
        TierProgress {
            level,
            qualifying,
            next,
            keep,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> TierRules {
        let level = |name: &str, threshold, multiplier_percent, discount_bp| TierLevel {
            name: name.into(),
            threshold,
            multiplier_percent,
            discount_bp,
            perks: vec![],
        };
        TierRules {
            qualify_by: QualifyBy::Spend,
            window_months: 12,
            retain_months: 12,
            levels: vec![
                level("Red", 0, 100, 0),
                level("Silver", 50_000, 125, 500),
                level("Gold", 150_000, 150, 1_000),
            ],
        }
    }

    #[test]
    fn the_window_counts_this_month_and_the_eleven_before() {
        let r = rules();
        let now = month(2026, 11);
        let buckets = [
            (month(2025, 11), 1),
            (month(2025, 12), 10),
            (month(2026, 11), 100),
            (month(2026, 12), 1000),
        ];
        assert_eq!(r.qualifying(&buckets, now), 110);
        assert_eq!(r.validate(), Ok(()));
    }

    #[test]
    fn a_level_is_reached_at_once_and_kept_through_retention() {
        let r = rules();
        let march = month(2026, 3);
        let buckets = vec![(march, 60_000)];
        let state = r.after_activity(TierState::default(), &buckets, march);
        assert_eq!(
            state,
            TierState {
                level: 1,
                held_until: march + 13
            }
        );
        // A year later the March spend has left the window, but Silver is held to the end of March 2027.
        let march_next = month(2027, 3);
        assert_eq!(r.level(state, &buckets, march_next), 1);
        let progress = r.progress(state, &buckets, march_next);
        assert_eq!(progress.qualifying, 0);
        assert_eq!(
            progress.keep,
            Some(TierTarget {
                level: 1,
                remaining: 50_000,
                by: Some(month(2027, 4))
            })
        );
        assert_eq!(
            progress.next.map(|n| (n.level, n.remaining)),
            Some((2, 150_000))
        );
        // From April 2027 it lapses.
        assert_eq!(r.level(state, &buckets, month(2027, 4)), 0);
    }

    #[test]
    fn reaching_the_next_level_says_how_much_and_until_when() {
        let r = rules();
        let now = month(2026, 11);
        let buckets = vec![(month(2026, 2), 100_000), (month(2026, 10), 5_000)];
        let state = r.after_activity(TierState::default(), &buckets, now);
        let progress = r.progress(state, &buckets, now);
        assert_eq!(progress.level, 1);
        assert_eq!(progress.keep, None, "the window supports Silver");
        assert_eq!(
            progress.next,
            Some(TierTarget {
                level: 2,
                remaining: 45_000,
                by: Some(month(2027, 2))
            }),
            "February's spend leaves the window in February 2027"
        );
    }

    #[test]
    fn a_lower_window_does_not_take_a_held_level_away_early() {
        let r = rules();
        let held = TierState {
            level: 2,
            held_until: month(2027, 1),
        };
        let buckets = vec![(month(2026, 11), 60_000)];
        let now = month(2026, 11);
        assert_eq!(r.after_activity(held, &buckets, now), held);
        assert_eq!(r.level(held, &buckets, now), 2);
        let keep = r.progress(held, &buckets, now).keep.unwrap();
        assert_eq!(
            (keep.level, keep.remaining, keep.by),
            (2, 90_000, Some(month(2027, 1)))
        );
    }
}
