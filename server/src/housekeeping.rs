//! The housekeeping sweep: deletes what is kept only for a while, so these tables hold the last
//! day's worth and not everything the server ever did. Ended customer sessions go with their
//! checkout secrets (a code from them could no longer be verified anyway), ended till sessions
//! with their tickets, expired tickets, idempotency keys past [`KEEP_IDEMPOTENCY_KEYS_MS`], and
//! attempt counters whose window has ended (the next attempt would start them over anyway).
//!
//! Each statement deletes a bounded number of rows in its own write, so the sweep never holds
//! the SQLite writer for long; several servers may sweep at once.

use crate::store::housekeeping::{delete_ended, Ended};
use crate::store::{Store, StoreError};

/// How long a till write's idempotency key and response are kept: a till retries within
/// seconds, and a retry a day later is a new request.
pub const KEEP_IDEMPOTENCY_KEYS_MS: i64 = 24 * 3_600_000;

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
pub async fn sweep(store: &Store, now: i64) -> Result<Swept, StoreError> {
    Ok(Swept {
        sessions: delete_ended(store, Ended::Sessions, now).await?,
        till_sessions: delete_ended(store, Ended::TillSessions, now).await?,
        till_tickets: delete_ended(store, Ended::TillTickets, now).await?,
        idempotency_keys: delete_ended(
            store,
            Ended::IdempotencyKeys,
            now - KEEP_IDEMPOTENCY_KEYS_MS,
        )
        .await?,
        attempt_counters: delete_ended(store, Ended::AttemptCounters, now).await?,
    })
}
