//! The consent history (`consents`): every acceptance of Tessera's or a program's terms and every
//! marketing choice, with its time and version. Written by the operations that change what was
//! agreed (joining, enrolling, a profile change), in their transaction.

use super::{new_id, Store, StoreError, Tx};
use tessera_core::api::ConsentKind;

/// A change of consent to keep.
pub struct NewConsent<'a> {
    pub kind: ConsentKind,
    pub program_id: Option<&'a str>,
    pub version: Option<&'a str>,
    pub granted: bool,
}

/// Keeps `consent` of `customer_id` in `tx`, at `now`.
pub async fn record(
    tx: &mut Tx,
    customer_id: &str,
    consent: NewConsent<'_>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO consents (id, customer_id, kind, program_id, version, granted, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(customer_id)
    .bind(consent.kind.as_str())
    .bind(consent.program_id)
    .bind(consent.version)
    .bind(i64::from(consent.granted))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A consent as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ConsentRow {
    pub kind: String,
    pub program_id: Option<String>,
    pub version: Option<String>,
    pub granted: i64,
    pub at: i64,
}

/// The customer's latest `limit` consents, the newest first.
pub async fn of_customer(
    store: &Store,
    customer_id: &str,
    limit: i64,
) -> Result<Vec<ConsentRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT kind, program_id, version, granted, at FROM consents
         WHERE customer_id = $1 ORDER BY at DESC, id LIMIT $2",
    )
    .bind(customer_id)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?)
}
