//! Purchases and the months of activity that tiers count: the `purchases` and `card_months`
//! tables. The rules are the purchase service's (`crate::purchases`).

use super::{new_id, StoreError, Tx};
use sqlx::AnyConnection;
use tessera_core::api::BillView;
use tessera_core::bill::Settled;
use tessera_core::tier::{Month, QualifyBy, TierRules};

/// A purchase as recorded, found by its reference.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PurchaseRow {
    /// The money paid.
    pub amount_minor: i64,
    pub currency: String,
    pub points: i64,
    pub welcome_points: i64,
    pub gross_minor: i64,
    pub discount_bp: i64,
    pub discount_minor: i64,
    pub voucher_minor: i64,
    pub voucher_lost_minor: i64,
    pub points_paid_minor: i64,
    /// The points that paid part of it.
    pub points_spent: i64,
}

impl PurchaseRow {
    /// The bill as it was settled.
    pub fn bill(&self) -> BillView {
        BillView {
            gross_minor: self.gross_minor,
            discount_bp: u32::try_from(self.discount_bp).unwrap_or(0),
            discount_minor: self.discount_minor,
            voucher_minor: self.voucher_minor,
            voucher_lost_minor: self.voucher_lost_minor,
            total_minor: self.gross_minor - self.discount_minor - self.voucher_minor,
            points_spent: self.points_spent,
            points_paid_minor: self.points_paid_minor,
            money_paid_minor: self.amount_minor,
        }
    }
}

/// A purchase to store: its bill as the money rule settled it (`tessera_core::bill`).
pub struct NewPurchase<'a> {
    pub card_id: &'a str,
    pub reference: &'a str,
    pub bill: &'a Settled,
    pub discount_bp: u32,
    pub points_spent: i64,
    /// The voucher applied, if any.
    pub voucher_id: Option<&'a str>,
    pub place: Option<&'a str>,
    pub partner: Option<&'a str>,
    /// Points earned.
    pub points: i64,
    pub welcome_points: i64,
    pub at: i64,
}

/// The purchase recorded on the card with this reference, if any.
pub async fn by_reference(
    tx: &mut Tx,
    card_id: &str,
    reference: &str,
) -> Result<Option<PurchaseRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT amount_minor, currency, points, welcome_points, gross_minor, discount_bp,
             discount_minor, voucher_minor, voucher_lost_minor, points_paid_minor, points_spent
         FROM purchases WHERE card_id = $1 AND reference = $2",
    )
    .bind(card_id)
    .bind(reference)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Stores a purchase row; its (card, reference) is unique.
pub async fn insert(tx: &mut Tx, p: &NewPurchase<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO purchases (id, card_id, reference, amount_minor, currency, place, points, welcome_points, created_at,
             gross_minor, discount_bp, discount_minor, voucher_minor, points_paid_minor, points_spent, partner,
             voucher_lost_minor, voucher_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(new_id())
    .bind(p.card_id)
    .bind(p.reference)
    // What earned points and counts as spend: the money paid.
    .bind(p.bill.money_paid)
    .bind(p.bill.currency.code())
    .bind(p.place)
    .bind(p.points)
    .bind(p.welcome_points)
    .bind(p.at)
    .bind(p.bill.gross)
    .bind(i64::from(p.discount_bp))
    .bind(p.bill.discount)
    .bind(p.bill.voucher)
    .bind(p.bill.points_paid)
    .bind(p.points_spent)
    .bind(p.partner)
    .bind(p.bill.voucher_lost)
    .bind(p.voucher_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds a purchase's spend and points to the card's month.
pub async fn add_to_month(
    tx: &mut Tx,
    card_id: &str,
    month: Month,
    spend: i64,
    points: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO card_months (card_id, month, spend, points) VALUES ($1, $2, $3, $4)
         ON CONFLICT (card_id, month)
         DO UPDATE SET spend = card_months.spend + excluded.spend, points = card_months.points + excluded.points",
    )
    .bind(card_id)
    .bind(i64::from(month))
    .bind(spend)
    .bind(points)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The card's qualifying activity (spend or points, per `tiers`) per month in the tier window
/// that ends with `now`, on `conn` (a pool connection, or a transaction's to include its
/// writes); empty for a program without tiers.
pub async fn tier_window(
    conn: &mut AnyConnection,
    card_id: &str,
    tiers: Option<&TierRules>,
    now: Month,
) -> Result<Vec<(Month, i64)>, StoreError> {
    let Some(tiers) = tiers else {
        return Ok(Vec::new());
    };
    let first = now - tiers.window_months as Month + 1;
    let column = match tiers.qualify_by {
        QualifyBy::Spend => "spend",
        QualifyBy::Points => "points",
    };
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT month, {column} FROM card_months WHERE card_id = $1 AND month >= $2 AND month <= $3"
    ))
    .bind(card_id)
    .bind(i64::from(first))
    .bind(i64::from(now))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(month, value)| (Month::try_from(month).unwrap_or(0), value))
        .collect())
}

/// The card's purchases as the clubs' rules count them: when, and the money paid.
pub async fn purchase_facts(
    conn: &mut AnyConnection,
    card_id: &str,
) -> Result<Vec<tessera_core::club::PurchaseFact>, StoreError> {
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT created_at, amount_minor FROM purchases WHERE card_id = $1")
            .bind(card_id)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(at, paid_minor)| tessera_core::club::PurchaseFact { at, paid_minor })
        .collect())
}
