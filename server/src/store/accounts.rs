//! Customer accounts (`customers`).

use super::consents::{self, NewConsent};
use super::{is_unique_violation, new_id, Store, StoreError, Tx};
use tessera_core::api::ConsentKind;

/// A customer about to be stored (by joining, or by the demo loader).
pub struct NewCustomer {
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub terms_version: String,
    pub marketing_opt_in: bool,
    pub preferred_language: Option<String>,
    pub is_demo: bool,
}

/// Stores a customer in `tx` (their terms and marketing choice in the consent history too) and
/// returns the new id; `None` when the e-mail is taken.
pub async fn insert(tx: &mut Tx, c: &NewCustomer, now: i64) -> Result<Option<String>, StoreError> {
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO customers (id, email, password_hash, display_name, phone, terms_version,
             terms_accepted_at, marketing_opt_in, marketing_updated_at, is_demo, created_at,
             preferred_language)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(&c.email)
    .bind(&c.password_hash)
    .bind(&c.display_name)
    .bind(c.phone.as_deref())
    .bind(&c.terms_version)
    .bind(now)
    .bind(i64::from(c.marketing_opt_in))
    .bind(now)
    .bind(i64::from(c.is_demo))
    .bind(now)
    .bind(c.preferred_language.as_deref())
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let terms = NewConsent {
        kind: ConsentKind::AccountTerms,
        program_id: None,
        version: Some(&c.terms_version),
        granted: true,
    };
    consents::record(tx, &id, terms, now).await?;
    let marketing = NewConsent {
        kind: ConsentKind::Marketing,
        program_id: None,
        version: None,
        granted: c.marketing_opt_in,
    };
    consents::record(tx, &id, marketing, now).await?;
    Ok(Some(id))
}

/// What a sign-in checks: the account with an e-mail and its password hash.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Credentials {
    pub id: String,
    pub password_hash: String,
}

/// The account with this (normalized) e-mail.
pub async fn credentials(store: &Store, email: &str) -> Result<Option<Credentials>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, password_hash FROM customers WHERE email = $1")
            .bind(email)
            .fetch_optional(&store.pool)
            .await?,
    )
}

/// A customer as stored (flags as integers, which `Any` decodes on both engines).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub marketing_opt_in: i64,
    pub terms_version: String,
    pub terms_accepted_at: i64,
    pub created_at: i64,
    pub preferred_language: Option<String>,
}

/// The customer `id`.
pub async fn customer(store: &Store, id: &str) -> Result<Option<CustomerRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, email, display_name, phone, marketing_opt_in, terms_version, terms_accepted_at,
             created_at, preferred_language
         FROM customers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&store.pool)
    .await?)
}

/// A change of a customer's own details, normalized: `None` leaves a field as it is; an inner
/// `None` removes the phone or the language.
#[derive(Clone, Debug, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub phone: Option<Option<String>>,
    pub preferred_language: Option<Option<String>>,
    pub marketing_opt_in: Option<bool>,
}

/// Applies `update` to customer `id` in `tx`; a marketing choice that changes is kept in the
/// consent history (one that does not is no change, even from two requests at once: the update
/// that changes the flag is the one that records it).
pub async fn update_profile(
    tx: &mut Tx,
    id: &str,
    update: &ProfileUpdate,
    now: i64,
) -> Result<(), StoreError> {
    if let Some(name) = &update.display_name {
        sqlx::query("UPDATE customers SET display_name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(phone) = &update.phone {
        sqlx::query("UPDATE customers SET phone = $1 WHERE id = $2")
            .bind(phone.as_deref())
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(language) = &update.preferred_language {
        sqlx::query("UPDATE customers SET preferred_language = $1 WHERE id = $2")
            .bind(language.as_deref())
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(opt_in) = update.marketing_opt_in {
        let changed = sqlx::query(
            "UPDATE customers SET marketing_opt_in = $1, marketing_updated_at = $2
             WHERE id = $3 AND marketing_opt_in <> $1",
        )
        .bind(i64::from(opt_in))
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected()
            == 1;
        if changed {
            let choice = NewConsent {
                kind: ConsentKind::Marketing,
                program_id: None,
                version: None,
                granted: opt_in,
            };
            consents::record(tx, id, choice, now).await?;
        }
    }
    Ok(())
}

/// Replaces customer `id`'s password hash in `tx`.
pub async fn set_password(tx: &mut Tx, id: &str, hash: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE customers SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes the demo accounts with their sessions and cards; returns how many accounts.
pub async fn remove_demo(store: &Store) -> Result<u64, StoreError> {
    let mut tx = store.pool.begin().await?;
    // Explicit deletes rather than relying on ON DELETE CASCADE, which SQLite only honours
    // with foreign keys switched on.
    for table in ["sessions", "cards", "consents"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE customer_id IN (SELECT id FROM customers WHERE is_demo = 1)"
        ))
        .execute(&mut *tx)
        .await?;
    }
    let removed = sqlx::query("DELETE FROM customers WHERE is_demo = 1")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(removed)
}
