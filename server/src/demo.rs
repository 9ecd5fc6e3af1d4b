//! The demo data: a customer to sign in as. Demo accounts are marked, exist only while the server
//! runs with `--demo`, and are removed at a start without it.

use crate::accounts::{insert_customer, NewCustomer};
use crate::cards::enrol_in_open_programs;
use crate::state::AppState;
use sqlx::Row;

pub const DEMO_EMAIL: &str = "demo@example.com";
pub const DEMO_PASSWORD: &str = "tessera-demo";

/// Creates the demo customer if missing (idempotent) and enrols it in the open programs.
pub async fn load(state: &AppState) -> anyhow::Result<()> {
    let existing = sqlx::query("SELECT id FROM customers WHERE email = $1")
        .bind(DEMO_EMAIL)
        .fetch_optional(&state.db.pool)
        .await?;
    let mut tx = state.db.pool.begin().await?;
    let id = match existing {
        Some(row) => row.try_get("id")?,
        None => {
            let customer = NewCustomer {
                email: DEMO_EMAIL.to_owned(),
                password_hash: state.passwords.hash(DEMO_PASSWORD.to_owned()).await?,
                display_name: "Nino Beridze".to_owned(),
                phone: Some("+995555000111".to_owned()),
                terms_version: state.config.terms.version.clone(),
                marketing_opt_in: false,
                is_demo: true,
            };
            insert_customer(&mut tx, &customer).await?
        }
    };
    enrol_in_open_programs(&mut tx, &state.config, &id).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes demo accounts (their sessions and cards go with them).
pub async fn remove(state: &AppState) -> anyhow::Result<u64> {
    let mut tx = state.db.pool.begin().await?;
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
