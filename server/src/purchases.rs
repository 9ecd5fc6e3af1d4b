//! The purchase service: records a purchase on a card and applies the program's rules to it:
//! the till's money rule (`tessera_core::bill`: the member's discount, the highest of the level's
//! or program's and the clubs', off the bill, points paying part of what is left, the rest in
//! money), points earned on the money paid at the card's tier multiplier times its clubs'
//! (pending and expiring per the program calendar), the welcome bonus on the first purchase, the
//! tier window and retention, the discount's inputs. Used by the till and the demo seeding.
//!
//! Idempotent by the caller's reference: a retried purchase returns what the first one recorded
//! and changes nothing; the same reference with a different bill is refused.

use crate::calendar;
use crate::config::Program;
use crate::store::card_row::StoredCard;
use crate::store::ledger::{self, Addition, Deduction, LedgerError};
use crate::store::purchases::{self as stored, NewPurchase};
use crate::store::vouchers;
use crate::store::{StoreError, Tx};
use tessera_core::api::BillView;
use tessera_core::bill::{highest_rate, Bill, BillError};
use tessera_core::catalog::RewardKind;
use tessera_core::points::EntryKind;
use tessera_core::tier::{Month, QualifyBy};
use tessera_core::Money;

/// The largest purchase accepted, in minor units (a typo guard, not a business rule).
pub const MAX_AMOUNT_MINOR: i64 = 100_000_000_000;

/// A purchase to record.
#[derive(Clone, Debug)]
pub struct Purchase<'a> {
    pub card_id: &'a str,
    /// The bill, gross.
    pub amount: Money,
    /// Points the member spends on it (0: none); the caller has checked that they may.
    pub points: i64,
    /// A voucher applied after the discount: its id and what it takes off; the caller has
    /// checked it is the card's and may be used here (`rewards::voucher_for_till`).
    pub voucher: Option<(&'a str, RewardKind)>,
    /// The caller's unique reference (the till's receipt id).
    pub reference: &'a str,
    /// Where (a store), shown in the history.
    pub place: Option<&'a str>,
    /// The partner (brand) whose till recorded it, in a coalition program.
    pub partner: Option<&'a str>,
    /// The caller has made sure no purchase has this reference yet (the till, by claiming the
    /// request's idempotency key), so the lookup is skipped; the unique index still refuses one.
    pub reference_is_new: bool,
}

/// What a purchase earned.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The bill as the money rule settled it, with the discount rate it applied.
    pub bill: BillView,
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
    /// The card's club benefits the purchase applied (`None` when replayed), likewise.
    pub clubs: Option<Vec<crate::clubs::Benefit>>,
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
    /// Points were offered and the program takes none as payment.
    #[error("the program takes no points as payment")]
    PointsNotAccepted,
    /// The points offered are worth more than the total to pay.
    #[error("the points are worth more than the total")]
    PointsOverTotal,
    /// The card was closed (its member deleted their account).
    #[error("the card is closed")]
    CardClosed,
    /// Points were offered on a card whose member has not accepted the program's new terms.
    #[error("the member has not accepted the program's new terms")]
    TermsNotAccepted,
    /// The card has fewer spendable points than offered.
    #[error("the card has {spendable} points to spend")]
    InsufficientPoints { spendable: i64 },
    /// The voucher was used or cancelled before this purchase could use it.
    #[error("the voucher was used or cancelled meanwhile")]
    VoucherEnded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<LedgerError> for PurchaseError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::CardNotFound => Self::CardNotFound,
            LedgerError::CardClosed => Self::CardClosed,
            LedgerError::Insufficient { spendable } => Self::InsufficientPoints { spendable },
            LedgerError::Store(e) => Self::Store(e),
            // Positive points, checked before: never invalid.
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
    let gross = purchase.amount.minor;
    if gross <= 0 || gross > MAX_AMOUNT_MINOR || purchase.points < 0 {
        return Err(PurchaseError::InvalidAmount);
    }
    if purchase.amount.currency != program.currency {
        return Err(PurchaseError::WrongCurrency);
    }
    let points_value = match (purchase.points, program.point_value_minor) {
        (0, _) => 0,
        (_, None) => return Err(PurchaseError::PointsNotAccepted),
        (points, Some(value)) => points
            .checked_mul(value)
            .ok_or(PurchaseError::PointsOverTotal)?,
    };
    // Under the card's lock, so a retry racing the original sees its row; settled once here for
    // every entry below (and for the card the till shows afterwards).
    let mut card = ledger::lock(tx, purchase.card_id).await?;
    if !purchase.reference_is_new {
        if let Some(row) = stored::by_reference(tx, purchase.card_id, purchase.reference).await? {
            if row.gross_minor != gross
                || row.points_spent != purchase.points
                || row.currency != program.currency.code()
            {
                return Err(PurchaseError::ReferenceReused);
            }
            return Ok(Recorded {
                bill: row.bill(),
                points: row.points,
                welcome_points: row.welcome_points,
                replayed: true,
                card,
                months: None,
                clubs: None,
            });
        }
    }
    // Earning goes on under old terms; paying with points waits for the new ones.
    if purchase.points > 0 && !crate::cards::terms_accepted(program, &card) {
        return Err(PurchaseError::TermsNotAccepted);
    }
    ledger::settle(tx, &mut card, now).await?;

    let tz = program.tz();
    let month = calendar::month_of(tz, now);
    let mut buckets =
        stored::tier_window(tx, purchase.card_id, program.tiers.as_ref(), month).await?;

    // The level held before this purchase: its multiplier, and its rate if the discount is
    // the tier's; the rate is the one the member's card shows now.
    let state = card.totals.tier_state();
    let level = program
        .tiers
        .as_ref()
        .map(|tiers| &tiers.levels[tiers.level(state, &buckets, month)]);
    // The clubs whose benefits the member has now: their rates compete with the program's,
    // their multipliers multiply the level's.
    let clubs = crate::clubs::benefits(tx, program, purchase.card_id, now).await?;
    let multipliers: Vec<u32> = std::iter::once(level.map_or(100, |l| l.multiplier_percent))
        .chain(clubs.iter().filter_map(|c| c.multiplier_percent))
        .collect();
    let program_rate = program
        .discount
        .status(
            &card
                .totals
                .discount_inputs(level.map_or(0, |l| l.discount_bp)),
            now,
        )
        .rate_bp;
    let discount_bp = highest_rate(
        std::iter::once(program_rate).chain(clubs.iter().filter_map(|c| c.discount_bp)),
    );
    let bill = Bill {
        discount_bp,
        voucher: purchase
            .voucher
            .map(|(_, kind)| kind.voucher_off(program.currency)),
        points_value: Money::new(points_value, program.currency),
        ..Bill::new(purchase.amount)
    }
    .settle()
    .map_err(|e| match e {
        BillError::PointsOverTotal { .. } => PurchaseError::PointsOverTotal,
        _ => PurchaseError::InvalidAmount,
    })?;
    // Used in this transaction: a purchase that fails leaves it unused. Under the card's lock, so
    // no other till's purchase or the member's cancelling can end it meanwhile.
    if let Some((voucher_id, _)) = purchase.voucher {
        if !vouchers::end(tx, voucher_id, "used", now).await? {
            return Err(PurchaseError::VoucherEnded);
        }
    }
    if purchase.points > 0 {
        let reference = format!("purchase:{}:points", purchase.reference);
        let payment = Deduction {
            kind: EntryKind::Spent,
            points: purchase.points,
            reason: "payment",
            reference: &reference,
            place: purchase.place,
        };
        ledger::take_settled(tx, &mut card, &payment, now).await?;
    }
    // Points, spend and every total below count the money paid.
    let amount = bill.money_paid;
    let (points, mut welcome_points) = match &program.earning {
        Some(rules) => (
            rules.rate.points_with(amount, &multipliers),
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
        bill: &bill,
        discount_bp,
        points_spent: purchase.points,
        voucher_id: purchase.voucher.map(|(id, _)| id),
        place: purchase.place,
        partner: purchase.partner,
        points,
        welcome_points,
        at: now,
    };
    stored::insert(tx, &row).await?;
    Ok(Recorded {
        bill: BillView::new(&bill, discount_bp, purchase.points),
        points,
        welcome_points,
        replayed: false,
        card,
        months: Some(buckets),
        clubs: Some(clubs),
    })
}
