//! The secrets each signed-in device keeps per card to make checkout codes offline
//! (`card_secrets`; they go with their session).

use super::{Store, StoreError, Tx};

/// The secret of this card and session, stored as `fresh` unless it has one: a concurrent
/// first request may win, and both then get the stored one.
pub async fn secret(
    store: &Store,
    card_id: &str,
    session_id: &str,
    fresh: &str,
    now: i64,
) -> Result<String, StoreError> {
    sqlx::query(
        "INSERT INTO card_secrets (card_id, session_id, secret, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (card_id, session_id) DO NOTHING",
    )
    .bind(card_id)
    .bind(session_id)
    .bind(fresh)
    .bind(now)
    .execute(&store.pool)
    .await?;
    Ok(
        sqlx::query_scalar(
            "SELECT secret FROM card_secrets WHERE card_id = $1 AND session_id = $2",
        )
        .bind(card_id)
        .bind(session_id)
        .fetch_one(&store.pool)
        .await?,
    )
}

/// The secrets of the card's signed-in devices (sessions that have not ended at `now`).
pub async fn live_secrets(
    store: &Store,
    card_id: &str,
    now: i64,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT s.secret FROM card_secrets s JOIN sessions ON sessions.id = s.session_id
         WHERE s.card_id = $1 AND sessions.idle_expires_at > $2",
    )
    .bind(card_id)
    .bind(now)
    .fetch_all(&store.pool)
    .await?)
}

/// Deletes every checkout secret of the customer's cards on every device but the session
/// `keep`'s (a lost phone: a code made with one is refused from the next scan). Returns how
/// many went.
pub async fn revoke_others(
    tx: &mut Tx,
    customer_id: &str,
    keep: Option<&str>,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "DELETE FROM card_secrets
         WHERE card_id IN (SELECT id FROM cards WHERE customer_id = $1) AND session_id <> $2",
    )
    .bind(customer_id)
    .bind(keep.unwrap_or_default())
    .execute(&mut **tx)
    .await?
    .rows_affected())
}
