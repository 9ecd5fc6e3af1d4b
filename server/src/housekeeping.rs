//! The housekeeping sweep: deletes what is kept only for a while, so these tables hold the last
//! day's worth and not everything the server ever did. Ended customer sessions go with their
//! checkout secrets (a code from them could no longer be verified anyway), ended till sessions
//! with their tickets, expired tickets, idempotency keys past [`KEEP_IDEMPOTENCY_KEYS_MS`], and
//! attempt counters whose window has ended (the next attempt would start them over anyway).
//!
//! Each statement deletes at most [`AT_ONCE`] rows in its own write, so the sweep never holds
//! the SQLite writer for long; several servers may sweep at once.

use crate::db::{Db, Engine};

/// How long a till write's idempotency key and response are kept: a till retries within
/// seconds, and a retry a day later is a new request.
pub const KEEP_IDEMPOTENCY_KEYS_MS: i64 = 24 * 3_600_000;

/// Rows deleted per write.
const AT_ONCE: i64 = 1_000;

/// What one sweep deleted, table by table (rows deleted with them by cascade not counted).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub till_sessions: u64,
    pub till_tickets: u64,
    pub idempotency_keys: u64,
    pub attempt_counters: u64,
}

/// Deletes everything that has ended or expired at `now`.
pub async fn sweep(db: &Db, now: i64) -> Result<Swept, sqlx::Error> {
    Ok(Swept {
        sessions: delete_all(
            db,
            "DELETE FROM sessions WHERE id IN
                 (SELECT id FROM sessions WHERE idle_expires_at <= $1 LIMIT $2)",
            now,
        )
        .await?,
        till_sessions: delete_all(
            db,
            "DELETE FROM till_sessions WHERE id IN
                 (SELECT id FROM till_sessions WHERE idle_expires_at <= $1 LIMIT $2)",
            now,
        )
        .await?,
        till_tickets: delete_all(
            db,
            "DELETE FROM till_tickets WHERE id IN
                 (SELECT id FROM till_tickets WHERE expires_at <= $1 LIMIT $2)",
            now,
        )
        .await?,
        idempotency_keys: delete_all(
            db,
            "DELETE FROM idempotency_keys WHERE (staff_email, key) IN
                 (SELECT staff_email, key FROM idempotency_keys WHERE created_at <= $1 LIMIT $2)",
            now - KEEP_IDEMPOTENCY_KEYS_MS,
        )
        .await?,
        attempt_counters: delete_all(
            db,
            match db.engine {
                // Rows a sign-in holds are skipped, not waited for: the sweep and `take` lock
                // rows in different orders, and waiting could deadlock them.
                Engine::Postgres => {
                    "DELETE FROM attempt_counters WHERE window_ends_at <= $1 AND key IN
                         (SELECT key FROM attempt_counters WHERE window_ends_at <= $1 LIMIT $2
                          FOR UPDATE SKIP LOCKED)"
                }
                // One writer: nothing to wait for.
                Engine::Sqlite => {
                    "DELETE FROM attempt_counters WHERE window_ends_at <= $1 AND key IN
                         (SELECT key FROM attempt_counters WHERE window_ends_at <= $1 LIMIT $2)"
                }
            },
            now,
        )
        .await?,
    })
}

/// Runs `delete` (bound to `before` and [`AT_ONCE`]) until it deletes fewer than [`AT_ONCE`].
async fn delete_all(db: &Db, delete: &'static str, before: i64) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    loop {
        let n = db
            .write(move |tx| {
                Box::pin(async move {
                    sqlx::query(delete)
                        .bind(before)
                        .bind(AT_ONCE)
                        .execute(&mut **tx)
                        .await
                        .map(|done| done.rows_affected())
                })
            })
            .await?;
        deleted += n;
        if n < AT_ONCE as u64 {
            return Ok(deleted);
        }
    }
}

/// Sweeps every `interval`; errors are logged and the sweep is tried again at the next tick.
pub async fn run(db: Db, interval: std::time::Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match sweep(&db, crate::db::now_ms()).await {
            Ok(swept) if swept != Swept::default() => tracing::info!(?swept, "housekeeping"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; retrying at the next tick"),
        }
    }
}
