//! The rewards catalog: what a program offers for points (the `[[programs.rewards]]` tables), and
//! whether a member may redeem a reward now.
//!
//! The server checks a redemption with [`Reward::refusal`] inside the transaction that spends the
//! points, takes one from stock and issues the voucher; the wallet shows the same answer ahead.

use crate::bill::{VoucherOff, FULL_RATE_BP};
use crate::money::{Currency, Money};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A text of the configuration: one string, or per-language variants (`{ en = "...", ka = "..."
/// }`) of which the program's language is the fallback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Text {
    /// The same in every language.
    Plain(String),
    /// By language tag (`en`, `ka`, `sr-Latn`, ...).
    Localized(BTreeMap<String, String>),
}

impl Text {
    /// The text in `language`, else in `fallback` (the program's language), else any.
    pub fn get(&self, language: &str, fallback: &str) -> &str {
        match self {
            Text::Plain(text) => text,
            Text::Localized(texts) => texts
                .get(language)
                .or_else(|| texts.get(fallback))
                .or_else(|| texts.values().next())
                .map_or("", String::as_str),
        }
    }

    /// Checks that every variant has words and that the program's language has one.
    pub fn validate(&self, fallback: &str) -> Result<(), String> {
        match self {
            Text::Plain(text) if text.trim().is_empty() => Err("must not be empty".into()),
            Text::Plain(_) => Ok(()),
            Text::Localized(texts) => {
                if let Some((tag, _)) = texts.iter().find(|(_, t)| t.trim().is_empty()) {
                    return Err(format!("{tag}: must not be empty"));
                }
                if !texts.contains_key(fallback) {
                    return Err(format!("needs a `{fallback}` text, the program's language"));
                }
                Ok(())
            }
        }
    }
}

/// What a reward's voucher is worth at the till.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RewardKind {
    /// An item (a free coffee), worth its value in money on the bill it is taken with.
    Item {
        /// The item's price, in minor units of the program's currency.
        value_minor: i64,
    },
    /// An amount off one purchase.
    AmountOff {
        /// In minor units of the program's currency.
        amount_minor: i64,
    },
    /// A share off one purchase, of what the member's discount left.
    PercentOff {
        /// In basis points.
        rate_bp: u32,
    },
}

impl RewardKind {
    /// What the voucher takes off a bill in `currency` (`crate::bill`).
    pub fn voucher_off(self, currency: Currency) -> VoucherOff {
        match self {
            RewardKind::Item { value_minor: minor }
            | RewardKind::AmountOff {
                amount_minor: minor,
            } => VoucherOff::Amount(Money::new(minor, currency)),
            RewardKind::PercentOff { rate_bp } => VoucherOff::Rate(rate_bp),
        }
    }
}

/// Over what time a member's redemptions of one reward are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitPeriod {
    /// Ever.
    Lifetime,
    /// A calendar month in the program's time zone.
    Month,
}

/// How often one member may redeem a reward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberLimit {
    /// Redemptions allowed in each period.
    pub count: u32,
    /// The period.
    pub per: LimitPeriod,
}

/// One reward of a program's catalog (`[[programs.rewards]]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reward {
    /// Unique in the program: 1-40 lowercase letters, digits or dashes.
    pub id: String,
    /// The reward's name.
    pub title: Text,
    /// A sentence or two.
    pub description: Text,
    /// Its drawing: an SVG file name in the wallet's `rewards/` directory.
    pub picture: String,
    /// Points it costs.
    pub cost: i64,
    /// What its voucher is worth (`voucher = { kind = "item", value_minor = 650 }`).
    pub voucher: RewardKind,
    /// How many there are in all; without it, unlimited.
    pub stock: Option<i64>,
    /// How often one member may redeem it; without it, as often as they can afford.
    pub limit: Option<MemberLimit>,
    /// The first day it may be redeemed (`YYYY-MM-DD` in the program's zone).
    pub available_from: Option<String>,
    /// The last day it may be redeemed.
    pub available_until: Option<String>,
    /// Days a voucher stays valid after it is issued.
    pub voucher_days: u32,
    /// Only members at these levels (names of the program's tiers); empty: every member.
    #[serde(default)]
    pub tiers: Vec<String>,
    /// Only at these partners (their ids); empty: at every partner of the program.
    #[serde(default)]
    pub partners: Vec<String>,
    /// Only for members of these clubs (their ids); empty: every member.
    #[serde(default)]
    pub clubs: Vec<String>,
    /// Lower prices for members of some clubs (`club_prices = [{ club = "beans", cost = 100 }]`):
    /// the lowest of the member's applies.
    #[serde(default)]
    pub club_prices: Vec<ClubPrice>,
}

/// A reward's price for the members of one club.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClubPrice {
    /// The club's id.
    pub club: String,
    /// Points it costs its members.
    pub cost: i64,
}

/// What the program knows of its tiers, partners and clubs, to check a reward against.
#[derive(Clone, Copy, Debug)]
pub struct Known<'a> {
    /// The program's language (`Text` fallback).
    pub language: &'a str,
    /// Names of its tier levels.
    pub tiers: &'a [&'a str],
    /// Ids of its partners.
    pub partners: &'a [&'a str],
    /// Ids of its clubs.
    pub clubs: &'a [&'a str],
}

/// Whether `id` is 1-40 lowercase letters, digits or dashes (configuration ids).
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 40
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A `YYYY-MM-DD` calendar date.
fn date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes[range.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| text[range].parse::<u32>().ok())
            .flatten()
    };
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

impl Reward {
    /// Checks the reward against the program; `Err` names the key that is wrong.
    pub fn validate(&self, known: &Known<'_>) -> Result<(), String> {
        if !is_id(&self.id) {
            return Err(format!(
                "id: `{}` must be 1-40 lowercase letters, digits or dashes",
                self.id
            ));
        }
        self.title
            .validate(known.language)
            .map_err(|e| format!("title: {e}"))?;
        self.description
            .validate(known.language)
            .map_err(|e| format!("description: {e}"))?;
        let picture_ok = self.picture.strip_suffix(".svg").is_some_and(is_id);
        if !picture_ok {
            return Err(format!(
                "picture: `{}` must be an SVG file name like coffee.svg",
                self.picture
            ));
        }
        if self.cost <= 0 {
            return Err("cost: must be at least 1 point".into());
        }
        match self.voucher {
            RewardKind::Item { value_minor: v } | RewardKind::AmountOff { amount_minor: v }
                if v <= 0 =>
            {
                return Err("the voucher's value must be more than zero".into());
            }
            RewardKind::PercentOff { rate_bp } if rate_bp == 0 || rate_bp > FULL_RATE_BP => {
                return Err("rate_bp: must be 1-10000".into());
            }
            _ => {}
        }
        if self.stock.is_some_and(|stock| stock < 0) {
            return Err("stock: must not be negative".into());
        }
        if self.limit.is_some_and(|limit| limit.count == 0) {
            return Err("limit.count: must be at least 1".into());
        }
        let mut window = [None, None];
        for (i, (key, day)) in [
            ("available_from", &self.available_from),
            ("available_until", &self.available_until),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(day) = day {
                window[i] = Some(
                    date(day).ok_or_else(|| format!("{key}: `{day}` is not a YYYY-MM-DD date"))?,
                );
            }
        }
        if let [Some(from), Some(until)] = window {
            if until < from {
                return Err("available_until: before available_from".into());
            }
        }
        if self.voucher_days == 0 {
            return Err("voucher_days: must be at least 1".into());
        }
        for (key, names, known) in [
            ("tiers", &self.tiers, known.tiers),
            ("partners", &self.partners, known.partners),
            ("clubs", &self.clubs, known.clubs),
        ] {
            if let Some(name) = names.iter().find(|n| !known.contains(&n.as_str())) {
                return Err(format!("{key}: the program has no `{name}`"));
            }
        }
        for (i, price) in self.club_prices.iter().enumerate() {
            if !known.clubs.contains(&price.club.as_str()) {
                return Err(format!(
                    "club_prices[{i}].club: the program has no `{}`",
                    price.club
                ));
            }
            if !(1..self.cost).contains(&price.cost) {
                return Err(format!(
                    "club_prices[{i}].cost: from 1 to less than the cost ({})",
                    self.cost
                ));
            }
        }
        Ok(())
    }

    /// Points it costs a member of `clubs` (ids): the lowest of its prices for their clubs, else
    /// its cost.
    pub fn cost_for(&self, clubs: &[&str]) -> i64 {
        self.club_prices
            .iter()
            .filter(|p| clubs.contains(&p.club.as_str()))
            .map(|p| p.cost)
            .fold(self.cost, i64::min)
    }

    /// Why `member` may not redeem this reward on `today` (`YYYY-MM-DD` in the program's zone),
    /// if they may not: the first reason in the order a member can do something about it last.
    pub fn refusal(&self, member: &MemberFacts<'_>, today: &str) -> Option<Refusal> {
        if self
            .available_from
            .as_deref()
            .is_some_and(|from| today < from)
        {
            return Some(Refusal::NotYetAvailable);
        }
        if self
            .available_until
            .as_deref()
            .is_some_and(|until| today > until)
        {
            return Some(Refusal::NoLongerAvailable);
        }
        let in_tier = self.tiers.is_empty()
            || member
                .tier
                .is_some_and(|tier| self.tiers.iter().any(|t| t == tier));
        let in_club = self.clubs.is_empty()
            || self
                .clubs
                .iter()
                .any(|club| member.clubs.contains(&club.as_str()));
        if !in_tier || !in_club {
            return Some(Refusal::NotEligible);
        }
        if self.stock.is_some_and(|stock| member.issued >= stock) {
            return Some(Refusal::OutOfStock);
        }
        if let Some(limit) = self.limit {
            let redeemed = match limit.per {
                LimitPeriod::Lifetime => member.redeemed_ever,
                LimitPeriod::Month => member.redeemed_this_month,
            };
            if redeemed >= i64::from(limit.count) {
                return Some(Refusal::LimitReached);
            }
        }
        let cost = self.cost_for(member.clubs);
        if member.balance < cost {
            return Some(Refusal::NotEnoughPoints {
                missing: cost - member.balance,
            });
        }
        None
    }
}

/// What a redemption is checked against: the member's card and the reward's counts.
#[derive(Clone, Copy, Debug)]
pub struct MemberFacts<'a> {
    /// Spendable points.
    pub balance: i64,
    /// The member's level now (its name), if the program has levels.
    pub tier: Option<&'a str>,
    /// Ids of the clubs the member is in.
    pub clubs: &'a [&'a str],
    /// Vouchers of this reward issued to anyone, not cancelled (against its stock).
    pub issued: i64,
    /// This member's redemptions of it ever, not cancelled.
    pub redeemed_ever: i64,
    /// This member's redemptions of it in this calendar month, not cancelled.
    pub redeemed_this_month: i64,
}

/// Why a reward cannot be redeemed now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Its window has not begun.
    NotYetAvailable,
    /// Its window has ended.
    NoLongerAvailable,
    /// Restricted to levels or clubs the member is not in.
    NotEligible,
    /// None left.
    OutOfStock,
    /// The member has redeemed it as often as allowed.
    LimitReached,
    /// The member has too few spendable points.
    NotEnoughPoints {
        /// Points still to collect.
        missing: i64,
    },
}

impl Refusal {
    /// The error code the API refuses a redemption with.
    pub fn code(self) -> crate::api::ErrorCode {
        use crate::api::ErrorCode;
        match self {
            Refusal::NotYetAvailable => ErrorCode::NotYetAvailable,
            Refusal::NoLongerAvailable => ErrorCode::NoLongerAvailable,
            Refusal::NotEligible => ErrorCode::NotEligible,
            Refusal::OutOfStock => ErrorCode::OutOfStock,
            Refusal::LimitReached => ErrorCode::LimitReached,
            Refusal::NotEnoughPoints { .. } => ErrorCode::InsufficientPoints,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coffee() -> Reward {
        Reward {
            id: "coffee".into(),
            title: Text::Plain("Free coffee".into()),
            description: Text::Plain("Any coffee on the menu.".into()),
            picture: "coffee.svg".into(),
            cost: 100,
            voucher: RewardKind::Item { value_minor: 650 },
            stock: None,
            limit: None,
            available_from: None,
            available_until: None,
            voucher_days: 30,
            tiers: vec![],
            partners: vec![],
            clubs: vec![],
            club_prices: vec![],
        }
    }

    const KNOWN: Known<'static> = Known {
        language: "en",
        tiers: &["Red", "Silver", "Gold"],
        partners: &["coffee", "bakery"],
        clubs: &["beans", "tasters"],
    };

    fn member(balance: i64) -> MemberFacts<'static> {
        MemberFacts {
            balance,
            tier: Some("Silver"),
            clubs: &[],
            issued: 0,
            redeemed_ever: 0,
            redeemed_this_month: 0,
        }
    }

    #[test]
    fn a_reward_reads_from_the_configuration_file() {
        let reward: Reward = toml::from_str(
            r#"
            id = "croissant"
            title = { en = "A croissant", ka = "კრუასანი" }
            description = "Butter, fresh every morning."
            picture = "croissant.svg"
            cost = 80
            voucher = { kind = "item", value_minor = 450 }
            stock = 20
            limit = { count = 1, per = "month" }
            available_until = "2027-03-31"
            voucher_days = 14
            partners = ["bakery"]
            "#,
        )
        .unwrap();
        assert_eq!(reward.voucher, RewardKind::Item { value_minor: 450 });
        assert_eq!(reward.title.get("ka", "en"), "კრუასანი");
        assert_eq!(reward.title.get("lv", "en"), "A croissant");
        assert_eq!(reward.validate(&KNOWN), Ok(()));
    }

    #[test]
    fn a_reward_naming_what_the_program_lacks_is_refused_with_its_key() {
        let mut gold = coffee();
        gold.tiers = vec!["Platinum".into()];
        assert_eq!(
            gold.validate(&KNOWN),
            Err("tiers: the program has no `Platinum`".into())
        );
        let mut elsewhere = coffee();
        elsewhere.partners = vec!["cinema".into()];
        assert!(elsewhere
            .validate(&KNOWN)
            .unwrap_err()
            .starts_with("partners:"));
        let mut backwards = coffee();
        backwards.available_from = Some("2027-02-01".into());
        backwards.available_until = Some("2027-01-31".into());
        assert!(backwards
            .validate(&KNOWN)
            .unwrap_err()
            .starts_with("available_until"));
        let mut bad_date = coffee();
        bad_date.available_from = Some("2027-02-30".into());
        assert!(bad_date
            .validate(&KNOWN)
            .unwrap_err()
            .starts_with("available_from"));
        let mut no_english = coffee();
        no_english.title = Text::Localized([("ka".to_owned(), "ყავა".to_owned())].into());
        assert!(no_english
            .validate(&KNOWN)
            .unwrap_err()
            .starts_with("title:"));
        let mut free = coffee();
        free.cost = 0;
        assert!(free.validate(&KNOWN).is_err());
        let mut odd_picture = coffee();
        odd_picture.picture = "../secret.png".into();
        assert!(odd_picture
            .validate(&KNOWN)
            .unwrap_err()
            .starts_with("picture:"));
    }

    #[test]
    fn an_affordable_reward_in_its_window_may_be_redeemed() {
        assert_eq!(coffee().refusal(&member(100), "2027-01-10"), None);
    }

    #[test]
    fn a_club_members_price_is_the_lowest_of_their_clubs_and_decides_what_they_can_afford() {
        let mut reward = coffee();
        reward.club_prices = vec![
            ClubPrice {
                club: "beans".into(),
                cost: 80,
            },
            ClubPrice {
                club: "tasters".into(),
                cost: 60,
            },
        ];
        assert_eq!(reward.validate(&KNOWN), Ok(()));
        assert_eq!(reward.cost_for(&[]), 100);
        assert_eq!(reward.cost_for(&["beans"]), 80);
        assert_eq!(reward.cost_for(&["beans", "tasters"]), 60);
        let in_beans = MemberFacts {
            clubs: &["beans"],
            ..member(80)
        };
        assert_eq!(reward.refusal(&in_beans, "2026-12-01"), None);
        assert_eq!(
            reward.refusal(&member(80), "2026-12-01"),
            Some(Refusal::NotEnoughPoints { missing: 20 })
        );
        // A club price must name a club and be below the cost.
        let mut unknown = reward.clone();
        unknown.club_prices[0].club = "chess".into();
        assert!(unknown
            .validate(&KNOWN)
            .unwrap_err()
            .starts_with("club_prices[0].club"));
        let mut dearer = reward.clone();
        dearer.club_prices[1].cost = 100;
        assert!(dearer
            .validate(&KNOWN)
            .unwrap_err()
            .starts_with("club_prices[1].cost"));
    }

    #[test]
    fn a_member_short_of_points_is_told_how_many_more() {
        assert_eq!(
            coffee().refusal(&member(60), "2027-01-10"),
            Some(Refusal::NotEnoughPoints { missing: 40 })
        );
    }

    #[test]
    fn the_window_counts_whole_days_at_both_ends() {
        let mut winter = coffee();
        winter.available_from = Some("2027-01-01".into());
        winter.available_until = Some("2027-01-31".into());
        let on = |day| winter.refusal(&member(500), day);
        assert_eq!(on("2026-12-31"), Some(Refusal::NotYetAvailable));
        assert_eq!(on("2027-01-01"), None);
        assert_eq!(on("2027-01-31"), None);
        assert_eq!(on("2027-02-01"), Some(Refusal::NoLongerAvailable));
    }

    #[test]
    fn a_gold_only_reward_is_refused_to_silver_and_to_a_program_without_levels() {
        let mut gold = coffee();
        gold.tiers = vec!["Gold".into()];
        assert_eq!(
            gold.refusal(&member(500), "2027-01-10"),
            Some(Refusal::NotEligible)
        );
        let untiered = MemberFacts {
            tier: None,
            ..member(500)
        };
        assert_eq!(
            gold.refusal(&untiered, "2027-01-10"),
            Some(Refusal::NotEligible)
        );
        let golden = MemberFacts {
            tier: Some("Gold"),
            ..member(500)
        };
        assert_eq!(gold.refusal(&golden, "2027-01-10"), None);
    }

    #[test]
    fn stock_and_the_members_limit_are_counted() {
        let mut last = coffee();
        last.stock = Some(5);
        let sold_out = MemberFacts {
            issued: 5,
            ..member(500)
        };
        assert_eq!(
            last.refusal(&sold_out, "2027-01-10"),
            Some(Refusal::OutOfStock)
        );
        let mut monthly = coffee();
        monthly.limit = Some(MemberLimit {
            count: 1,
            per: LimitPeriod::Month,
        });
        let had_one = MemberFacts {
            redeemed_ever: 3,
            redeemed_this_month: 1,
            ..member(500)
        };
        assert_eq!(
            monthly.refusal(&had_one, "2027-01-10"),
            Some(Refusal::LimitReached)
        );
        let last_month = MemberFacts {
            redeemed_this_month: 0,
            ..had_one
        };
        assert_eq!(monthly.refusal(&last_month, "2027-01-10"), None);
    }

    #[test]
    fn an_item_and_an_amount_come_off_the_bill_as_money_and_a_percentage_as_a_share() {
        let gel = Currency::new("GEL").unwrap();
        assert_eq!(
            coffee().voucher.voucher_off(gel),
            VoucherOff::Amount(Money::new(650, gel))
        );
        assert_eq!(
            RewardKind::PercentOff { rate_bp: 1000 }.voucher_off(gel),
            VoucherOff::Rate(1000)
        );
    }
}
