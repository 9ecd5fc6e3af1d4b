//! Customer accounts (`customers`).

use super::{is_unique_violation, new_id, Store, StoreError, Tx};

/// A customer about to be stored (by joining, or by the demo loader).
pub struct NewCustomer {
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub terms_version: String,
    pub marketing_opt_in: bool,
    pub is_demo: bool,
}

/// Stores a customer in `tx` and returns the new id; `None` when the e-mail is taken.
pub async fn insert(tx: &mut Tx, c: &NewCustomer, now: i64) -> Result<Option<String>, StoreError> {
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO customers (id, email, password_hash, display_name, phone, terms_version,
             terms_accepted_at, marketing_opt_in, marketing_updated_at, is_demo, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => Ok(Some(id)),
        Err(e) if is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
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
}

/// The customer `id`.
pub async fn customer(store: &Store, id: &str) -> Result<Option<CustomerRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, email, display_name, phone, marketing_opt_in, terms_version, terms_accepted_at, created_at
         FROM customers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&store.pool)
    .await?)
}

/// Removes the demo accounts with their sessions and cards; returns how many accounts.
pub async fn remove_demo(store: &Store) -> Result<u64, StoreError> {
    let mut tx = store.pool.begin().await?;
    // Explicit deletes rather than relying on ON DELETE CASCADE, which SQLite only honours
    // with foreign keys switched on.
    for table in ["sessions", "cards"] {
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
