//! Sign-in throttling: failures are counted per e-mail and per client address in the database,
//! so the limit holds across every server sharing it.

use crate::db::{now_ms, Db};
use crate::error::ApiError;
use sqlx::Row;

/// How many failures are allowed per key within the window.
#[derive(Clone, Copy, Debug)]
pub struct LoginLimits {
    pub per_email: i64,
    pub per_address: i64,
    pub window_ms: i64,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_email: 5,
            per_address: 30,
            window_ms: 15 * 60_000,
        }
    }
}

/// The counters a sign-in attempt is charged to.
#[derive(Clone)]
pub struct AttemptKeys {
    email: String,
    address: String,
}

impl AttemptKeys {
    pub fn new(normalized_email: &str, address: &str) -> Self {
        Self {
            email: format!("email:{normalized_email}"),
            address: format!("addr:{address}"),
        }
    }
}

impl LoginLimits {
    /// Refuses with 429 and `Retry-After` when either counter is full.
    pub async fn check(&self, db: &Db, keys: &AttemptKeys) -> Result<(), ApiError> {
        let now = now_ms();
        for (key, limit) in [
            (&keys.email, self.per_email),
            (&keys.address, self.per_address),
        ] {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE key = $1 AND at > $2",
            )
            .bind(key)
            .bind(now - self.window_ms)
            .fetch_one(&db.pool)
            .await?;
            let n: i64 = row.try_get("n")?;
            if n >= limit {
                let oldest: i64 = row.try_get("oldest")?;
                let wait_ms = (oldest + self.window_ms - now).max(1000);
                return Err(ApiError::rate_limited((wait_ms as u64).div_ceil(1000)));
            }
        }
        Ok(())
    }

    /// Counts a failed attempt against both keys and forgets failures older than the window.
    pub async fn record_failure(&self, db: &Db, keys: &AttemptKeys) -> Result<(), sqlx::Error> {
        let now = now_ms();
        let (keys, window_ms) = (keys.clone(), self.window_ms);
        db.write(move |tx| {
            let keys = keys.clone();
            Box::pin(async move {
                for key in [&keys.email, &keys.address] {
                    sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                        .bind(key)
                        .bind(now)
                        .execute(&mut **tx)
                        .await?;
                }
                sqlx::query("DELETE FROM login_failures WHERE at <= $1")
                    .bind(now - window_ms)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// A successful sign-in clears the e-mail's counter (the address counter stays).
    pub async fn clear_email(&self, db: &Db, keys: &AttemptKeys) -> Result<(), sqlx::Error> {
        let email = keys.email.clone();
        db.write(move |tx| {
            let email = email.clone();
            Box::pin(async move {
                sqlx::query("DELETE FROM login_failures WHERE key = $1")
                    .bind(&email)
                    .execute(&mut **tx)
                    .await
                    .map(|_| ())
            })
        })
        .await
    }
}
