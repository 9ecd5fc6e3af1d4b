//! Attempt counters (`attempt_counters`): one row per key, counting attempts in a window. The
//! limits and what they mean are `crate::auth::attempts`'.

use super::{Store, StoreError, Tx};

/// A counter as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CounterRow {
    pub key: String,
    pub attempts: i64,
    pub window_ends_at: i64,
    pub next_at: i64,
}

/// The stored counters with these keys (those that exist), read without a lock.
pub async fn read(store: &Store, keys: &[&str]) -> Result<Vec<CounterRow>, StoreError> {
    let placeholders: Vec<String> = (1..=keys.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT key, attempts, window_ends_at, next_at FROM attempt_counters WHERE key IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as(&sql);
    for key in keys {
        query = query.bind(*key);
    }
    Ok(query.fetch_all(&store.pool).await?)
}

/// Locks the counter `key` in `tx` (creating it, or starting a new window ending at
/// `window_ends_at` when its last one ended by `now`) and returns it as it stands.
pub async fn lock(
    tx: &mut Tx,
    key: &str,
    window_ends_at: i64,
    now: i64,
) -> Result<CounterRow, StoreError> {
    Ok(sqlx::query_as(
        "INSERT INTO attempt_counters (key, window_ends_at, attempts, next_at)
         VALUES ($1, $2, 0, 0)
         ON CONFLICT (key) DO UPDATE SET
           attempts = CASE WHEN attempt_counters.window_ends_at <= $3
                      THEN 0 ELSE attempt_counters.attempts END,
           window_ends_at = CASE WHEN attempt_counters.window_ends_at <= $3
                      THEN excluded.window_ends_at
                      ELSE attempt_counters.window_ends_at END
         RETURNING key, attempts, window_ends_at, next_at",
    )
    .bind(key)
    .bind(window_ends_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

/// Deletes the counter `key` if it counts nothing (a row an attempt made, then was refused).
pub async fn delete_if_empty(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM attempt_counters WHERE key = $1 AND attempts = 0")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Counts one attempt in the locked counter `key`; the next may come at `next_at`.
pub async fn count_one(tx: &mut Tx, key: &str, next_at: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE attempt_counters SET attempts = attempts + 1, next_at = $2 WHERE key = $1")
        .bind(key)
        .bind(next_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes the counter `key`: it starts over.
pub async fn clear(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM attempt_counters WHERE key = $1")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes one attempt back from the counter `key`.
pub async fn give_back(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE attempt_counters SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
    )
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
