//! The purchase service: records a purchase on a card and applies the program's rules to it:
//! points earned at the card's tier multiplier (pending and expiring per the program calendar),
//! the welcome bonus on the first purchase, the tier window and retention, the discount's inputs.
//! Used by the demo seeding and, later, the till.
//!
//! Idempotent by the caller's reference: a retried purchase returns what the first one recorded
//! and changes nothing; the same reference with a different amount is refused.

use crate::calendar;
use crate::card_row::StoredCard;
use crate::config::Program;
use crate::db::new_id;
use crate::ledger::{self, Addition, LedgerError};
use sqlx::{Any, Row, Transaction};
use tessera_core::discount::DiscountInputs;
use tessera_core::points::EntryKind;
use tessera_core::tier::{Month, QualifyBy, TierState};
use tessera_core::Money;

/// The largest purchase accepted, in minor units (a typo guard, not a business rule).
pub const MAX_AMOUNT_MINOR: i64 = 100_000_000_000;

/// A purchase to record.
#[derive(Clone, Debug)]
pub struct Purchase<'a> {
    pub card_id: &'a str,
    pub amount: Money,
    /// The caller's unique reference (the till's receipt id).
    pub reference: &'a str,
    /// Where (a store), shown in the history.
    pub place: Option<&'a str>,
    /// The caller has made sure no purchase has this reference yet (the till, by claiming the
    /// request's idempotency key), so the lookup is skipped; the unique index still refuses one.
    pub reference_is_new: bool,
}

/// What a purchase earned.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Points earned by the purchase.
    pub points: i64,
    /// The welcome bonus it brought (0 after the first purchase).
    pub welcome_points: i64,
    /// `true` when the reference was recorded before and nothing changed now.
    pub replayed: bool,
    /// The card as the purchase left it (settled at the purchase's time).
    pub card: StoredCard,
    /// The card's qualifying activity per month in the tier window, this purchase included
    /// (`None` when replayed), for showing the card without reading it again.
    pub months: Option<Vec<(Month, i64)>>,
}

/// Why a purchase was not recorded.
#[derive(Debug)]
pub enum PurchaseError {
    /// No such card.
    CardNotFound,
    /// Not the program's currency.
    WrongCurrency,
    /// Zero, negative or over [`MAX_AMOUNT_MINOR`].
    InvalidAmount,
    /// The reference was used for a different purchase.
    ReferenceReused,
    /// The database failed.
    Db(sqlx::Error),
}

impl From<sqlx::Error> for PurchaseError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

impl From<LedgerError> for PurchaseError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::CardNotFound => Self::CardNotFound,
            LedgerError::Db(e) => Self::Db(e),
            // Additions of positive points are neither insufficient nor invalid.
            other => Self::Db(sqlx::Error::Protocol(format!("ledger: {other:?}"))),
        }
    }
}

/// Records `purchase` at `now` in `tx`, for a card of `program`. The card is settled at `now` on
/// the way (matured and expired points), so `card_status::written_card` can show it afterwards.
pub async fn record(
    tx: &mut Transaction<'_, Any>,
    program: &Program,
    purchase: &Purchase<'_>,
    now: i64,
) -> Result<Recorded, PurchaseError> {
    let amount = purchase.amount.minor;
    if amount <= 0 || amount > MAX_AMOUNT_MINOR {
        return Err(PurchaseError::InvalidAmount);
    }
    if purchase.amount.currency != program.currency {
        return Err(PurchaseError::WrongCurrency);
    }
    // Under the card's lock, so a retry racing the original sees its row; settled once here for
    // every entry below (and for the card the till shows afterwards).
    let mut card = ledger::lock(tx, purchase.card_id).await?;
    if !purchase.reference_is_new {
        if let Some(row) = sqlx::query(
            "SELECT amount_minor, currency, points, welcome_points FROM purchases
             WHERE card_id = $1 AND reference = $2",
        )
        .bind(purchase.card_id)
        .bind(purchase.reference)
        .fetch_optional(&mut **tx)
        .await?
        {
            let same = row.try_get::<i64, _>(0)? == amount
                && row.try_get::<String, _>(1)? == program.currency.code();
            if !same {
                return Err(PurchaseError::ReferenceReused);
            }
            return Ok(Recorded {
                points: row.try_get(2)?,
                welcome_points: row.try_get(3)?,
                replayed: true,
                card,
                months: None,
            });
        }
    }
    ledger::settle(tx, &mut card, now).await?;

    let tz = program.tz();
    let month = calendar::month_of(tz, now);
    let mut buckets = card_months(&mut **tx, purchase.card_id, program, month).await?;

    // Points at the level held before this purchase, rounded down once per purchase.
    let state = card.totals.tier_state();
    let multiplier = program.tiers.as_ref().map_or(100, |tiers| {
        tiers.levels[tiers.level(state, &buckets, month)].multiplier_percent
    });
    let (points, mut welcome_points) = match &program.earning {
        Some(rules) => (
            rules.rate.points_for(amount, multiplier),
            if card.totals.purchase_count == 0 {
                rules.welcome_bonus
            } else {
                0
            },
        ),
        None => (0, 0),
    };
    // One welcome bonus per card, whatever the purchase (one may have come another way).
    if welcome_points > 0
        && ledger::existing(tx, purchase.card_id, "welcome")
            .await?
            .is_some()
    {
        welcome_points = 0;
    }
    if let Some(rules) = &program.earning {
        let available_at = calendar::available_at(tz, now, rules.pending_days);
        let expires_at = calendar::expires_at(tz, rules.expiry, now);
        // Derived from the purchase's reference, which is new, so these are too.
        let purchase_reference = format!("purchase:{}", purchase.reference);
        for (kind, points, reason, reference, spend) in [
            (
                EntryKind::Earned,
                points,
                "purchase",
                purchase_reference.as_str(),
                Some(amount),
            ),
            (
                EntryKind::Welcome,
                welcome_points,
                "welcome bonus",
                "welcome",
                None,
            ),
        ] {
            if points > 0 {
                let addition = Addition {
                    kind,
                    points,
                    reason,
                    reference,
                    available_at,
                    expires_at,
                    place: purchase.place,
                    spend_minor: spend,
                };
                ledger::add_settled(tx, &mut card, &addition, now).await?;
            }
        }
    }

    // The month's qualifying activity, then the tier and discount that follow from it.
    sqlx::query(
        "INSERT INTO card_months (card_id, month, spend, points) VALUES ($1, $2, $3, $4)
         ON CONFLICT (card_id, month)
         DO UPDATE SET spend = card_months.spend + excluded.spend, points = card_months.points + excluded.points",
    )
    .bind(purchase.card_id)
    .bind(i64::from(month))
    .bind(amount)
    .bind(points)
    .execute(&mut **tx)
    .await?;
    let new_state = match &program.tiers {
        Some(tiers) => {
            let qualifying = match tiers.qualify_by {
                QualifyBy::Spend => amount,
                QualifyBy::Points => points,
            };
            match buckets.iter_mut().find(|(m, _)| *m == month) {
                Some((_, total)) => *total += qualifying,
                None => buckets.push((month, qualifying)),
            }
            tiers.after_activity(state, &buckets, month)
        }
        None => state,
    };
    let discount_step = program
        .discount
        .decaying_step_after_purchase(&card.totals.discount_inputs(0), now);
    let totals = &mut card.totals;
    totals.tier_level = new_state.level as i64;
    totals.tier_held_until = i64::from(new_state.held_until);
    totals.total_spend += amount;
    totals.discount_step = i64::from(discount_step);
    totals.last_purchase_at = Some(now);
    totals.purchase_count += 1;
    ledger::save(tx, &card).await?;
    sqlx::query(
        "INSERT INTO purchases (id, card_id, reference, amount_minor, currency, place, points, welcome_points, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(purchase.card_id)
    .bind(purchase.reference)
    .bind(amount)
    .bind(program.currency.code())
    .bind(purchase.place)
    .bind(points)
    .bind(welcome_points)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(Recorded {
        points,
        welcome_points,
        replayed: false,
        card,
        months: Some(buckets),
    })
}

/// The purchase-driven state kept on a card row.
#[derive(Clone, Copy, Debug, Default)]
pub struct CardTotals {
    pub tier_level: i64,
    pub tier_held_until: i64,
    pub total_spend: i64,
    pub discount_step: i64,
    pub last_purchase_at: Option<i64>,
    pub purchase_count: i64,
}

impl CardTotals {
    /// The columns [`CardTotals::from_row`] reads.
    pub const COLUMNS: &'static str =
        "tier_level, tier_held_until, total_spend, discount_step, last_purchase_at, purchase_count";

    /// Reads the totals from a row that selected [`CardTotals::COLUMNS`].
    pub fn from_row(row: &sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            tier_level: row.try_get("tier_level")?,
            tier_held_until: row.try_get("tier_held_until")?,
            total_spend: row.try_get("total_spend")?,
            discount_step: row.try_get("discount_step")?,
            last_purchase_at: row.try_get("last_purchase_at")?,
            purchase_count: row.try_get("purchase_count")?,
        })
    }

    /// The stored tier.
    pub fn tier_state(&self) -> TierState {
        TierState {
            level: usize::try_from(self.tier_level).unwrap_or(0),
            held_until: Month::try_from(self.tier_held_until).unwrap_or(0),
        }
    }

    /// The discount's inputs, with the tier's rate.
    pub fn discount_inputs(&self, tier_rate_bp: u32) -> DiscountInputs {
        DiscountInputs {
            tier_rate_bp,
            total_spend_minor: self.total_spend,
            decaying_step: u32::try_from(self.discount_step).unwrap_or(0),
            last_purchase_at: self.last_purchase_at,
        }
    }
}

/// The card's qualifying activity (spend or points, per the program's tiers) per month in the
/// tier window that ends with `now`; empty for a program without tiers.
pub async fn card_months<'c, E>(
    db: E,
    card_id: &str,
    program: &Program,
    now: Month,
) -> Result<Vec<(Month, i64)>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let Some(tiers) = &program.tiers else {
        return Ok(Vec::new());
    };
    let column = match tiers.qualify_by {
        QualifyBy::Spend => "spend",
        QualifyBy::Points => "points",
    };
    let first = i64::from(now) - i64::from(tiers.window_months) + 1;
    sqlx::query(&format!(
        "SELECT month, {column} FROM card_months WHERE card_id = $1 AND month >= $2 AND month <= $3"
    ))
    .bind(card_id)
    .bind(first)
    .bind(i64::from(now))
    .fetch_all(db)
    .await?
    .iter()
    .map(|row| {
        let month: i64 = row.try_get(0)?;
        Ok((Month::try_from(month).unwrap_or(0), row.try_get(1)?))
    })
    .collect()
}
