//! Password reset links (`password_resets`): the hash of each link's token, its customer, until
//! when it works, and whether it was used.

use super::{new_id, StoreError, Tx};

/// Keeps a new link's `token_hash` for `customer_id`, working until `expires_at`.
pub async fn create(
    tx: &mut Tx,
    customer_id: &str,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO password_resets (id, customer_id, token_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_id())
    .bind(customer_id)
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Uses the link with `token_hash` if it is unused and unexpired at `now`: its customer. Of
/// two uses at once, the conditional update lets one through.
pub async fn consume(
    tx: &mut Tx,
    token_hash: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "UPDATE password_resets SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING customer_id",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Ends every other unused link of `customer_id` (the password was just set).
pub async fn end_all(tx: &mut Tx, customer_id: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE password_resets SET used_at = $2 WHERE customer_id = $1 AND used_at IS NULL",
    )
    .bind(customer_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
