//! Clubs' entry rules that a member's purchase history decides (a closed club may ask for any
//! of them, with a questionnaire, an invitation and staff approval besides): how many purchases,
//! how much spent, how many purchases lately; and how far a member is with each, as typed
//! progress the server sends and the wallet words ("3 of 5 purchases in the last 30 days",
//! "GEL 120 of GEL 200").
//!
//! The clubs themselves ([`Club`]: open, paid or closed, fees, entry, benefits) are read from the
//! configuration and checked by [`Club::validate`].
//!
//! A purchase counts with the money paid (the till's money rule: what is left after the
//! discount, a voucher and points), like spend towards levels. Time is UTC; a window of `days`
//! is the `days` × 24 hours up to now.

use crate::api::Answer;
use crate::catalog::{is_id, Text};
use crate::validation::{validate_text, FieldCode};
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

/// A club of a program, as configured (`[[programs.clubs]]`): open (anyone with a card joins),
/// paid (a fee to join and/or to stay) or closed (joining asks for [`Entry`]), and what members
/// get.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Club {
    /// Unique in the program: 1-40 lowercase letters, digits or dashes.
    pub id: String,
    pub name: Text,
    pub description: Text,
    /// Its drawing: an SVG file name in the wallet's `clubs/` directory.
    pub picture: String,
    pub kind: ClubKind,
    /// A paid club's fees.
    pub fees: Option<Fees>,
    /// What joining a closed club asks.
    pub entry: Option<Entry>,
    #[serde(default)]
    pub benefits: Benefits,
}

/// How a club is joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClubKind {
    /// Anyone with a card joins at once.
    Open,
    /// Joining (and staying) costs a fee.
    Paid,
    /// Joining asks for rules, answers, an invitation and/or approval.
    Closed,
}

/// What a paid club costs: to join once, and/or every period to stay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fees {
    pub entrance: Option<Price>,
    pub recurring: Option<Recurring>,
}

/// A fee payable with points, or in money at the till, or either.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub points: Option<i64>,
    /// Minor units of the program's currency.
    pub minor: Option<i64>,
}

/// A fee for every month or year of membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recurring {
    pub every: Period,
    pub points: Option<i64>,
    pub minor: Option<i64>,
}

/// A membership period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Month,
    Year,
}

/// What joining a closed club asks: any of them, all that are given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// What the purchase history must show.
    #[serde(default)]
    pub rules: Vec<HistoryRule>,
    /// A questionnaire.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// An invitation code from a current member.
    pub invitations: Option<Invitations>,
    /// Staff approve each application.
    #[serde(default)]
    pub approval: bool,
}

/// One question of a closed club's questionnaire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Unique in the club: 1-40 lowercase letters, digits or dashes.
    pub id: String,
    pub text: Text,
    pub kind: QuestionKind,
    /// The choices of a single or multiple choice.
    #[serde(default)]
    pub options: Vec<Text>,
    #[serde(default)]
    pub required: bool,
}

/// What a question's answer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Text,
    SingleChoice,
    MultipleChoice,
    YesNo,
    Date,
}

/// Invitation codes: each member gets `per_year`; a code is used once and expires after
/// `valid_days` (or when its member leaves).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invitations {
    pub per_year: u32,
    pub valid_days: u32,
}

/// What members get. The discount competes with the member's others (the highest rate wins,
/// `crate::bill::highest_rate`); the multiplier multiplies the level's
/// (`crate::points::EarnRate::points_with`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benefits {
    /// In basis points.
    pub discount_bp: Option<u32>,
    /// In percent (100 = x1).
    pub multiplier_percent: Option<u32>,
    /// Perks in words.
    #[serde(default)]
    pub perks: Vec<Text>,
}

/// The most characters a text answer may have.
pub const ANSWER_MAX_CHARS: usize = 500;

impl Question {
    /// Why `answer` to this question cannot be taken, if it cannot: skipped (`None`, or nothing
    /// in it) while required, of another kind than the question's, or not one of its options.
    pub fn refusal(&self, answer: Option<&Answer>) -> Option<FieldCode> {
        let Some(a) = answer.filter(|a| !is_empty(a)) else {
            return self.required.then_some(FieldCode::Required);
        };
        let options = self.options.len();
        let fits = match self.kind {
            QuestionKind::Text => a.date.is_none() && a.yes.is_none() && a.choices.is_empty(),
            QuestionKind::Date => {
                a.text.is_none()
                    && a.yes.is_none()
                    && a.choices.is_empty()
                    && a.date.as_deref().is_some_and(|d| {
                        d.len() == 10 && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()
                    })
            }
            QuestionKind::YesNo => a.text.is_none() && a.date.is_none() && a.choices.is_empty(),
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
                let mut seen = a.choices.clone();
                seen.sort_unstable();
                seen.dedup();
                a.text.is_none()
                    && a.date.is_none()
                    && a.yes.is_none()
                    && seen.len() == a.choices.len()
                    && a.choices.iter().all(|&c| (c as usize) < options)
                    && (self.kind == QuestionKind::MultipleChoice || a.choices.len() == 1)
            }
        };
        if !fits {
            return Some(FieldCode::Invalid);
        }
        let text = a.text.as_deref().unwrap_or("");
        if text.chars().count() > ANSWER_MAX_CHARS {
            return Some(FieldCode::TooLong);
        }
        validate_text(text, false)
    }

    /// `answer` in words for staff reading an application: the text, the date, Yes or No, the
    /// options chosen (in `language`, else `fallback`); empty when skipped.
    pub fn answer_in_words(
        &self,
        answer: Option<&Answer>,
        language: &str,
        fallback: &str,
    ) -> String {
        let Some(a) = answer else {
            return String::new();
        };
        match self.kind {
            QuestionKind::Text => a.text.clone().unwrap_or_default(),
            QuestionKind::Date => a.date.clone().unwrap_or_default(),
            QuestionKind::YesNo => match a.yes {
                Some(true) => "Yes".into(),
                Some(false) => "No".into(),
                None => String::new(),
            },
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice => a
                .choices
                .iter()
                .filter_map(|&c| self.options.get(c as usize))
                .map(|o| o.get(language, fallback))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Whether an answer says nothing (a skipped question).
fn is_empty(a: &Answer) -> bool {
    a.text.as_deref().is_none_or(|t| t.trim().is_empty())
        && a.date.is_none()
        && a.yes.is_none()
        && a.choices.is_empty()
}

/// Why `answers` to `questions` cannot be taken, each as `(answers.{question id}, why)` in the
/// questions' order: a required one skipped, an answer of the wrong kind, a choice not offered;
/// an answer to no question, or a second one to the same, is `answers` itself.
pub fn answer_refusals(questions: &[Question], answers: &[Answer]) -> Vec<(String, FieldCode)> {
    let mut refusals = Vec::new();
    let mut asked = std::collections::HashSet::new();
    for a in answers {
        if !questions.iter().any(|q| q.id == a.question) || !asked.insert(a.question.as_str()) {
            refusals.push(("answers".to_owned(), FieldCode::Invalid));
            return refusals;
        }
    }
    for q in questions {
        if let Some(code) = q.refusal(answers.iter().find(|a| a.question == q.id)) {
            refusals.push((format!("answers.{}", q.id), code));
        }
    }
    refusals
}

impl Club {
    /// Checks the club against its kind; `Err` starts with the key (`fees.entrance: ...`).
    /// `language` is the program's (every text needs it).
    pub fn validate(&self, language: &str) -> Result<(), String> {
        if !is_id(&self.id) {
            return Err(format!(
                "id: `{}` must be 1-40 lowercase letters, digits or dashes",
                self.id
            ));
        }
        self.name
            .validate(language)
            .map_err(|e| format!("name: {e}"))?;
        self.description
            .validate(language)
            .map_err(|e| format!("description: {e}"))?;
        if !self.picture.ends_with(".svg") || self.picture.contains('/') {
            return Err("picture: an SVG file name, like `club.svg`".into());
        }
        match (self.kind, &self.fees, &self.entry) {
            (ClubKind::Open, None, None) => {}
            (ClubKind::Paid, Some(fees), None) => fees.validate()?,
            (ClubKind::Closed, None, Some(entry)) => {
                entry.validate(language).map_err(|e| format!("entry.{e}"))?
            }
            (ClubKind::Paid, None, _) => return Err("fees: a paid club needs them".into()),
            (ClubKind::Closed, _, None) => {
                return Err("entry: a closed club needs what joining asks".into())
            }
            (_, Some(_), _) => return Err("fees: only a paid club has fees".into()),
            (_, _, Some(_)) => return Err("entry: only a closed club has an entry".into()),
        }
        self.benefits.validate(language)
    }
}

/// A price or a recurring fee's amounts: at least one, each positive.
fn valid_amounts(key: &str, points: Option<i64>, minor: Option<i64>) -> Result<(), String> {
    match (points, minor) {
        (None, None) => Err(format!("{key}: points, minor or both")),
        _ if points.is_some_and(|p| p <= 0) || minor.is_some_and(|m| m <= 0) => {
            Err(format!("{key}: amounts must be positive"))
        }
        _ => Ok(()),
    }
}

impl Period {
    /// Its length in calendar months.
    pub fn months(self) -> u32 {
        match self {
            Period::Month => 1,
            Period::Year => 12,
        }
    }
}

impl Fees {
    /// What joining costs: the entrance fee unless the card paid it before, and the first
    /// period's fee. Payable with points (or in money) only when every part is.
    pub fn to_join(&self, entrance_paid: bool) -> Price {
        let parts: Vec<Price> = [self.entrance.filter(|_| !entrance_paid), self.to_renew()]
            .into_iter()
            .flatten()
            .collect();
        let sum = |part: fn(&Price) -> Option<i64>| {
            parts
                .iter()
                .try_fold(0i64, |sum, p| part(p).and_then(|v| sum.checked_add(v)))
                .filter(|total| *total > 0)
        };
        Price {
            points: sum(|p| p.points),
            minor: sum(|p| p.minor),
        }
    }

    /// What renewing for one more period costs; `None` without a recurring fee.
    pub fn to_renew(&self) -> Option<Price> {
        self.recurring.map(|r| Price {
            points: r.points,
            minor: r.minor,
        })
    }
}

impl Fees {
    fn validate(&self) -> Result<(), String> {
        if self.entrance.is_none() && self.recurring.is_none() {
            return Err("fees: an entrance fee, a recurring fee or both".into());
        }
        if let Some(p) = self.entrance {
            valid_amounts("fees.entrance", p.points, p.minor)?;
        }
        if let Some(r) = self.recurring {
            valid_amounts("fees.recurring", r.points, r.minor)?;
        }
        Ok(())
    }
}

impl Entry {
    /// What joining a closed *program* asks (`enrolment = "closed"`): the same, without rules,
    /// since a customer without its card has no purchases in it. `Err` starts with the key.
    pub fn validate_for_program(&self, language: &str) -> Result<(), String> {
        if !self.rules.is_empty() {
            return Err("rules: a program's entry asks for no purchases (questions, invitations or approval)".into());
        }
        self.validate(language)
    }

    fn validate(&self, language: &str) -> Result<(), String> {
        if self.rules.is_empty()
            && self.questions.is_empty()
            && self.invitations.is_none()
            && !self.approval
        {
            return Err("rules, questions, invitations or approval: at least one".into());
        }
        for (i, rule) in self.rules.iter().enumerate() {
            rule.validate().map_err(|e| format!("rules[{i}]: {e}"))?;
        }
        let mut ids = std::collections::HashSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            let key = |field: &str| format!("questions[{i}].{field}");
            if !is_id(&q.id) || !ids.insert(q.id.as_str()) {
                return Err(format!("{}: `{}` must be a unique id", key("id"), q.id));
            }
            q.text
                .validate(language)
                .map_err(|e| format!("{}: {e}", key("text")))?;
            let choices = matches!(
                q.kind,
                QuestionKind::SingleChoice | QuestionKind::MultipleChoice
            );
            if choices && q.options.len() < 2 {
                return Err(format!(
                    "{}: a choice needs two options or more",
                    key("options")
                ));
            }
            if !choices && !q.options.is_empty() {
                return Err(format!("{}: only a choice has options", key("options")));
            }
            for option in &q.options {
                option
                    .validate(language)
                    .map_err(|e| format!("{}: {e}", key("options")))?;
            }
        }
        if let Some(inv) = self.invitations {
            if inv.per_year == 0 || inv.valid_days == 0 {
                return Err("invitations: per_year and valid_days at least 1".into());
            }
        }
        Ok(())
    }
}

impl Benefits {
    fn validate(&self, language: &str) -> Result<(), String> {
        if self.discount_bp.is_some_and(|bp| bp == 0 || bp > 10_000) {
            return Err("benefits.discount_bp: 1 to 10000".into());
        }
        if self
            .multiplier_percent
            .is_some_and(|m| !(100..=1_000).contains(&m))
        {
            return Err("benefits.multiplier_percent: 100 (x1) to 1000 (x10)".into());
        }
        for perk in &self.perks {
            perk.validate(language)
                .map_err(|e| format!("benefits.perks: {e}"))?;
        }
        Ok(())
    }
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

    /// The demo's three clubs, as the configuration file has them.
    const CLUBS: &str = r#"
        [[clubs]]
        id = "morning"
        name = { en = "Morning club", ka = "დილის კლუბი" }
        description = "For early birds."
        picture = "morning.svg"
        kind = "open"
        benefits = { perks = ["A biscuit with every coffee before 9"] }

        [[clubs]]
        id = "beans"
        name = "Bean subscription"
        description = "A bag of beans every month."
        picture = "beans.svg"
        kind = "paid"
        fees = { entrance = { points = 200 }, recurring = { every = "month", points = 300, minor = 1500 } }
        benefits = { discount_bp = 1000, multiplier_percent = 150 }

        [[clubs]]
        id = "tasters"
        name = "Tasters"
        description = "Taste new roasts first."
        picture = "tasters.svg"
        kind = "closed"
        [clubs.entry]
        rules = [{ kind = "recent_purchases", count = 3, days = 30 }, { kind = "spend", minor = 20000 }]
        invitations = { per_year = 3, valid_days = 14 }
        approval = true
        questions = [
            { id = "favourite", text = "Your favourite roast?", kind = "single_choice", options = ["Light", "Dark"], required = true },
            { id = "why", text = "Why join?", kind = "text" },
        ]
    "#;

    #[derive(Deserialize)]
    struct Clubs {
        clubs: Vec<Club>,
    }

    fn clubs() -> Vec<Club> {
        toml::from_str::<Clubs>(CLUBS).unwrap().clubs
    }

    #[test]
    fn open_paid_and_closed_clubs_read_from_the_configuration() {
        let clubs = clubs();
        for club in &clubs {
            club.validate("en").unwrap();
        }
        assert_eq!(
            clubs.iter().map(|c| c.kind).collect::<Vec<_>>(),
            [ClubKind::Open, ClubKind::Paid, ClubKind::Closed]
        );
        let fees = clubs[1].fees.unwrap();
        assert_eq!(fees.entrance.and_then(|p| p.points), Some(200));
        assert_eq!(
            fees.recurring.map(|r| (r.every, r.minor)),
            Some((Period::Month, Some(1500)))
        );
        let entry = clubs[2].entry.as_ref().unwrap();
        assert_eq!(entry.rules.len(), 2);
        assert_eq!(entry.questions[0].kind, QuestionKind::SingleChoice);
        assert!(entry.approval);
    }

    #[test]
    fn joining_costs_the_entrance_fee_once_and_the_first_period() {
        let fees = Fees {
            entrance: Some(Price {
                points: Some(200),
                minor: Some(1_000),
            }),
            recurring: Some(Recurring {
                every: Period::Month,
                points: Some(300),
                minor: Some(1_500),
            }),
        };
        let both = |points, minor| Price { points, minor };
        assert_eq!(fees.to_join(false), both(Some(500), Some(2_500)));
        assert_eq!(fees.to_join(true), both(Some(300), Some(1_500)));
        assert_eq!(fees.to_renew(), Some(both(Some(300), Some(1_500))));
        // A part not payable with points makes the whole payable in money only.
        let money_entrance = Fees {
            entrance: Some(both(None, Some(1_000))),
            ..fees
        };
        assert_eq!(money_entrance.to_join(false), both(None, Some(2_500)));
        assert_eq!(money_entrance.to_join(true), both(Some(300), Some(1_500)));
        let once = Fees {
            recurring: None,
            ..fees
        };
        assert_eq!(once.to_join(true), both(None, None), "nothing left to pay");
        assert_eq!(once.to_renew(), None);
    }

    #[test]
    fn a_club_that_does_not_fit_its_kind_is_refused_naming_the_key() {
        let base = clubs();
        let refused = |change: &dyn Fn(&mut Club), club: usize| {
            let mut club = base[club].clone();
            change(&mut club);
            club.validate("en").unwrap_err()
        };
        assert!(refused(&|c| c.kind = ClubKind::Paid, 0).starts_with("fees"));
        assert!(refused(&|c| c.fees = None, 1).starts_with("fees"));
        assert!(refused(&|c| c.kind = ClubKind::Open, 1).starts_with("fees"));
        assert!(refused(&|c| c.entry = None, 2).starts_with("entry"));
        assert!(refused(&|c| c.entry = Some(Entry::default()), 2).starts_with("entry"));
        assert!(refused(
            &|c| c.fees.as_mut().unwrap().entrance = Some(Price {
                points: None,
                minor: None
            }),
            1
        )
        .starts_with("fees.entrance"));
        assert!(refused(
            &|c| c.fees.as_mut().unwrap().recurring.as_mut().unwrap().points = Some(0),
            1
        )
        .starts_with("fees.recurring"));
        assert!(refused(
            &|c| c.entry.as_mut().unwrap().questions[0].options.truncate(1),
            2
        )
        .starts_with("entry.questions[0].options"));
        assert!(refused(
            &|c| c.entry.as_mut().unwrap().questions[1].id = "favourite".into(),
            2
        )
        .starts_with("entry.questions[1].id"));
        assert!(refused(
            &|c| c.entry.as_mut().unwrap().rules[0] = HistoryRule::Spend { minor: 0 },
            2
        )
        .starts_with("entry.rules[0]"));
        assert!(refused(&|c| c.benefits.multiplier_percent = Some(50), 1)
            .starts_with("benefits.multiplier_percent"));
        assert!(refused(&|c| c.benefits.discount_bp = Some(10_001), 1)
            .starts_with("benefits.discount_bp"));
        assert!(refused(&|c| c.picture = "../x.svg".into(), 0).starts_with("picture"));
        assert!(refused(&|c| c.id = "Morning".into(), 0).starts_with("id"));
        // Every text needs the program's language.
        assert!(clubs()[0].validate("ka").is_ok());
        assert!(
            clubs()[1].validate("ka").is_ok(),
            "plain texts are every language's"
        );
        let mut georgian_only = base[0].clone();
        georgian_only.name =
            toml::from_str::<std::collections::HashMap<String, Text>>(r#"name = { ka = "კლუბი" }"#)
                .unwrap()
                .remove("name")
                .unwrap();
        assert!(georgian_only
            .validate("en")
            .unwrap_err()
            .starts_with("name"));
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

    fn answer(question: &str) -> Answer {
        Answer {
            question: question.into(),
            ..Answer::default()
        }
    }

    #[test]
    fn a_questionnaire_takes_answers_of_each_kind_and_refuses_the_rest() {
        let q = |kind, options: &[&str], required| Question {
            id: "q".into(),
            text: Text::Plain("?".into()),
            kind,
            options: options.iter().map(|o| Text::Plain((*o).into())).collect(),
            required,
        };
        let text = q(QuestionKind::Text, &[], true);
        let with = |f: &dyn Fn(&mut Answer)| {
            let mut a = answer("q");
            f(&mut a);
            a
        };
        assert_eq!(text.refusal(None), Some(FieldCode::Required));
        assert_eq!(
            text.refusal(Some(&with(&|a| a.text = Some("  ".into())))),
            Some(FieldCode::Required)
        );
        assert_eq!(
            text.refusal(Some(&with(&|a| a.text = Some("Dark, always".into())))),
            None
        );
        assert_eq!(
            text.refusal(Some(&with(&|a| a.text = Some("x".repeat(501))))),
            Some(FieldCode::TooLong)
        );
        assert_eq!(
            text.refusal(Some(&with(&|a| a.yes = Some(true)))),
            Some(FieldCode::Invalid)
        );
        let date = q(QuestionKind::Date, &[], false);
        assert_eq!(date.refusal(None), None, "not required: may be skipped");
        assert_eq!(
            date.refusal(Some(&with(&|a| a.date = Some("1990-02-28".into())))),
            None
        );
        for bad in ["1990-02-30", "28.02.1990", "1990-2-28"] {
            assert_eq!(
                date.refusal(Some(&with(&|a| a.date = Some(bad.into())))),
                Some(FieldCode::Invalid),
                "{bad}"
            );
        }
        let yes_no = q(QuestionKind::YesNo, &[], true);
        assert_eq!(yes_no.refusal(Some(&with(&|a| a.yes = Some(false)))), None);
        let single = q(QuestionKind::SingleChoice, &["Light", "Dark"], true);
        assert_eq!(single.refusal(Some(&with(&|a| a.choices = vec![1]))), None);
        assert_eq!(
            single.refusal(Some(&with(&|a| a.choices = vec![0, 1]))),
            Some(FieldCode::Invalid)
        );
        assert_eq!(
            single.refusal(Some(&with(&|a| a.choices = vec![2]))),
            Some(FieldCode::Invalid)
        );
        let multiple = q(
            QuestionKind::MultipleChoice,
            &["Light", "Dark", "Decaf"],
            true,
        );
        let both = with(&|a| a.choices = vec![0, 2]);
        assert_eq!(multiple.refusal(Some(&both)), None);
        assert_eq!(
            multiple.answer_in_words(Some(&both), "en", "en"),
            "Light, Decaf"
        );
        assert_eq!(
            multiple.refusal(Some(&with(&|a| a.choices = vec![1, 1]))),
            Some(FieldCode::Invalid)
        );
    }

    #[test]
    fn answers_are_named_by_their_question_and_stray_ones_refused() {
        let clubs = clubs();
        let questions = &clubs[2].entry.as_ref().unwrap().questions;
        // `favourite` is required, `why` is not.
        assert_eq!(
            answer_refusals(questions, &[]),
            [("answers.favourite".to_owned(), FieldCode::Required)]
        );
        let favourite = Answer {
            choices: vec![1],
            ..answer("favourite")
        };
        assert!(answer_refusals(questions, std::slice::from_ref(&favourite)).is_empty());
        assert_eq!(
            answer_refusals(questions, &[favourite.clone(), answer("colour")]),
            [("answers".to_owned(), FieldCode::Invalid)]
        );
        assert_eq!(
            answer_refusals(questions, &[favourite.clone(), favourite]),
            [("answers".to_owned(), FieldCode::Invalid)]
        );
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
