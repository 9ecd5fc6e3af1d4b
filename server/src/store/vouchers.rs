//! Vouchers and the rewards' stock: the `vouchers` and `reward_stock` tables. The rules are the
//! rewards service's (`crate::rewards`) and `tessera_core::catalog`'s.

use super::{new_id, Store, StoreError, Tx};

/// A voucher as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct VoucherRow {
    pub id: String,
    pub code: String,
    pub card_id: String,
    pub program_id: String,
    pub reward_id: String,
    pub title: String,
    /// `tessera_core::catalog::RewardKind` as JSON.
    pub voucher: String,
    pub cost: i64,
    /// `active`, `used` or `cancelled`.
    pub status: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
    pub spend_reference: String,
}

const COLUMNS: &str = "id, code, card_id, program_id, reward_id, title, voucher, cost, status, \
                       issued_at, expires_at, ended_at, spend_reference";

/// A voucher to issue.
pub struct NewVoucher<'a> {
    pub code: &'a str,
    pub card_id: &'a str,
    pub program_id: &'a str,
    pub reward_id: &'a str,
    pub title: &'a str,
    pub voucher: &'a str,
    pub cost: i64,
    pub issued_at: i64,
    pub month: i64,
    pub expires_at: i64,
    pub spend_reference: &'a str,
}

/// Takes one of the reward's stock: `false` when `stock` (if any) is all issued. One conditional
/// update, so concurrent redeemers of the last one cannot both pass.
pub async fn claim_stock(
    tx: &mut Tx,
    program_id: &str,
    reward_id: &str,
    stock: Option<i64>,
) -> Result<bool, StoreError> {
    sqlx::query(
        "INSERT INTO reward_stock (program_id, reward_id, issued) VALUES ($1, $2, 0)
         ON CONFLICT (program_id, reward_id) DO NOTHING",
    )
    .bind(program_id)
    .bind(reward_id)
    .execute(&mut **tx)
    .await?;
    let claimed = sqlx::query(
        "UPDATE reward_stock SET issued = issued + 1
         WHERE program_id = $1 AND reward_id = $2 AND ($3 < 0 OR issued < $3)",
    )
    .bind(program_id)
    .bind(reward_id)
    .bind(stock.unwrap_or(-1))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

/// Puts one back into the reward's stock (a cancelled voucher).
pub async fn release_stock(
    tx: &mut Tx,
    program_id: &str,
    reward_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE reward_stock SET issued = issued - 1
         WHERE program_id = $1 AND reward_id = $2 AND issued > 0",
    )
    .bind(program_id)
    .bind(reward_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Vouchers issued and not cancelled, per reward of the program, read on `conn`.
pub async fn issued_on(
    conn: &mut sqlx::AnyConnection,
    program_id: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT reward_id, issued FROM reward_stock WHERE program_id = $1")
            .bind(program_id)
            .fetch_all(conn)
            .await?,
    )
}

/// The card's redemptions not cancelled, per reward: ever, and in `month`.
pub async fn redeemed_by_card(
    conn: &mut sqlx::AnyConnection,
    card_id: &str,
    month: i64,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT reward_id, CAST(COUNT(*) AS BIGINT),
             CAST(SUM(CASE WHEN month = $2 THEN 1 ELSE 0 END) AS BIGINT)
         FROM vouchers WHERE card_id = $1 AND status <> 'cancelled' GROUP BY reward_id",
    )
    .bind(card_id)
    .bind(month)
    .fetch_all(conn)
    .await?)
}

/// Issues a voucher; returns its id.
pub async fn insert(tx: &mut Tx, v: &NewVoucher<'_>) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO vouchers (id, code, card_id, program_id, reward_id, title, voucher, cost,
             status, issued_at, month, expires_at, spend_reference)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(v.code)
    .bind(v.card_id)
    .bind(v.program_id)
    .bind(v.reward_id)
    .bind(v.title)
    .bind(v.voucher)
    .bind(v.cost)
    .bind(v.issued_at)
    .bind(v.month)
    .bind(v.expires_at)
    .bind(v.spend_reference)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// One voucher, read in `tx`.
pub async fn in_tx(tx: &mut Tx, id: &str) -> Result<Option<VoucherRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM vouchers WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// The voucher with `code`, read on `conn`.
pub async fn by_code(
    conn: &mut sqlx::AnyConnection,
    code: &str,
) -> Result<Option<VoucherRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM vouchers WHERE code = $1"))
            .bind(code)
            .fetch_optional(conn)
            .await?,
    )
}

/// The customer's voucher `id` (another customer's is none), read in `tx`.
pub async fn customers_in_tx(
    tx: &mut Tx,
    id: &str,
    customer_id: &str,
) -> Result<Option<VoucherRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM vouchers v WHERE v.id = $1
         AND EXISTS (SELECT 1 FROM cards c WHERE c.id = v.card_id AND c.customer_id = $2)"
    ))
    .bind(id)
    .bind(customer_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Every voucher of the customer's cards, newest first.
pub async fn of_customer(store: &Store, customer_id: &str) -> Result<Vec<VoucherRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM vouchers v
         WHERE v.card_id IN (SELECT id FROM cards WHERE customer_id = $1)
         ORDER BY v.issued_at DESC, v.id"
    ))
    .bind(customer_id)
    .fetch_all(&store.pool)
    .await?)
}

/// Ends an active voucher (`used` or `cancelled`) at `at`: `false` when it was not active.
pub async fn end(tx: &mut Tx, id: &str, status: &str, at: i64) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE vouchers SET status = $1, ended_at = $2 WHERE id = $3 AND status = 'active'",
    )
    .bind(status)
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}
