//! Deleting what is kept only for a while: ended sessions (customer sessions take their checkout
//! secrets with them, till sessions their tickets), expired tickets, old idempotency keys and
//! attempt counters whose window has ended.

use super::{Engine, Store, StoreError, Tx, Write};

/// Rows deleted per write, so a sweep never holds the SQLite writer for long.
pub const AT_ONCE: i64 = 1_000;

/// What one statement of the sweep deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Customer sessions idle past their expiry.
    Sessions,
    /// Till sessions idle past their expiry.
    TillSessions,
    /// Till tickets past their expiry.
    TillTickets,
    /// Idempotency keys created before the instant given.
    IdempotencyKeys,
    /// Attempt counters whose window ended.
    AttemptCounters,
}

impl Ended {
    fn delete(self, engine: Engine) -> &'static str {
        match self {
            Self::Sessions => {
                "DELETE FROM sessions WHERE id IN
                     (SELECT id FROM sessions WHERE idle_expires_at <= $1 LIMIT $2)"
            }
            Self::TillSessions => {
                "DELETE FROM till_sessions WHERE id IN
                     (SELECT id FROM till_sessions WHERE idle_expires_at <= $1 LIMIT $2)"
            }
            Self::TillTickets => {
                "DELETE FROM till_tickets WHERE id IN
                     (SELECT id FROM till_tickets WHERE expires_at <= $1 LIMIT $2)"
            }
            Self::IdempotencyKeys => {
                "DELETE FROM idempotency_keys WHERE (staff_email, key) IN
                     (SELECT staff_email, key FROM idempotency_keys WHERE created_at <= $1 LIMIT $2)"
            }
            Self::AttemptCounters => match engine {
                // Rows a sign-in holds are skipped, not waited for: the sweep and taking slots
                // lock rows in different orders, and waiting could deadlock them.
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
        }
    }
}

/// Deleting up to [`AT_ONCE`] rows of one kind that ended by `before`; returns how many.
struct DeleteEnded {
    delete: &'static str,
    before: i64,
}

impl Write for DeleteEnded {
    type Output = u64;
    type Error = StoreError;

    async fn run(&self, tx: &mut Tx) -> Result<u64, StoreError> {
        Ok(sqlx::query(self.delete)
            .bind(self.before)
            .bind(AT_ONCE)
            .execute(&mut **tx)
            .await?
            .rows_affected())
    }
}

/// Deletes every row of kind `ended` that ended by `before`, [`AT_ONCE`] a write.
pub async fn delete_ended(store: &Store, ended: Ended, before: i64) -> Result<u64, StoreError> {
    let delete = ended.delete(store.engine);
    let mut deleted = 0;
    loop {
        let n = store.write(DeleteEnded { delete, before }).await?;
        deleted += n;
        if n < AT_ONCE as u64 {
            return Ok(deleted);
        }
    }
}
