//! The purchase service: records a purchase on a card and applies the program's rules to it:
//! points earned at the card's tier multiplier (pending and expiring per the program calendar),
//! the welcome bonus on the first purchase, the tier window and retention, the discount's inputs.
//! Used by the demo seeding and, later, the till.
//!
//! Idempotent by the caller's reference: a retried purchase returns what the first one recorded
//! and changes nothing; the same reference with a different amount is refused.

use crate::calendar;
use crate::config::Program;
use crate::store::card_row::StoredCard;
use crate::store::ledger::{self, Addition, LedgerError};
use crate::store::purchases::{self as stored, NewPurchase};
use crate::store::{StoreError, Tx};
use tessera_core::points::EntryKind;
use tessera_core::tier::{Month, QualifyBy};
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
#[derive(Debug, thiserror::Error)]
pub enum PurchaseError {
    #[error("no such card")]
    CardNotFound,
    #[error("not the program's currency")]
    WrongCurrency,
    /// Zero, negative or over [`MAX_AMOUNT_MINOR`].
    #[error("invalid amount")]
    InvalidAmount,
    #[error("the reference was used for a different purchase")]
    ReferenceReused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<LedgerError> for PurchaseError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::CardNotFound => Self::CardNotFound,
            LedgerError::Store(e) => Self::Store(e),
            // Additions of positive points are neither insufficient nor invalid.
            other => Self::Store(StoreError::Invariant(format!(
                "purchase: ledger said {other}"
            ))),
        }
    }
}

/// Records `purchase` at `now` in `tx`, for a card of `program`. The card is settled at `now` on
/// the way (matured and expired points), so `card_status::written_card` can show it afterwards.
pub async fn record(
    tx: &mut Tx,
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
        if let Some(row) = stored::by_reference(tx, purchase.card_id, purchase.reference).await? {
            if row.amount_minor != amount || row.currency != program.currency.code() {
                return Err(PurchaseError::ReferenceReused);
            }
            return Ok(Recorded {
                points: row.points,
                welcome_points: row.welcome_points,
                replayed: true,
                card,
                months: None,
            });
        }
    }
    ledger::settle(tx, &mut card, now).await?;

    let tz = program.tz();
    let month = calendar::month_of(tz, now);
    let mut buckets =
        stored::tier_window(tx, purchase.card_id, program.tiers.as_ref(), month).await?;

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
    stored::add_to_month(tx, purchase.card_id, month, amount, points).await?;
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
    let row = NewPurchase {
        card_id: purchase.card_id,
        reference: purchase.reference,
        amount_minor: amount,
        currency: program.currency.code(),
        place: purchase.place,
        points,
        welcome_points,
        at: now,
    };
    stored::insert(tx, &row).await?;
    Ok(Recorded {
        points,
        welcome_points,
        replayed: false,
        card,
        months: Some(buckets),
    })
}
