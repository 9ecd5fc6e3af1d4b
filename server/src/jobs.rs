//! The server's periodic jobs. Each logs its errors and tries again at the next tick; several
//! servers sharing a database may run them at once (each card is settled under its lock, expiry
//! entries are idempotent, and deletions are bounded).

use crate::housekeeping::{sweep, Swept};
use crate::store::ledger::{self, SettleCard};
use crate::store::{now_ms, Store};
use std::time::Duration;

/// Cards settled per pass of the expiry job.
const EXPIRY_BATCH: i64 = 500;

/// Every `interval`, settles every card with something due (matured or expired points).
pub async fn expiry(store: Store, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = now_ms();
        loop {
            match settle_due(&store, now, EXPIRY_BATCH).await {
                Ok(settled) if settled < EXPIRY_BATCH as usize => break,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "expiry job failed; retrying at the next tick");
                    break;
                }
            }
        }
    }
}

/// One pass of the expiry job: settles (matures and expires) up to `batch` cards that have
/// something due at `now`, one write each. Returns how many cards it settled; running it again
/// at the same `now` settles none.
pub async fn settle_due(store: &Store, now: i64, batch: i64) -> Result<usize, ledger::LedgerError> {
    // Cards settled at once: on SQLite their writes share the writer's commits; on PostgreSQL
    // they leave the rest of the pool to requests.
    const AT_ONCE: usize = 16;
    let cards = ledger::cards_due(store, now, batch).await?;
    for chunk in cards.chunks(AT_ONCE) {
        let mut settling = tokio::task::JoinSet::new();
        for card_id in chunk {
            let (store, card_id) = (store.clone(), card_id.clone());
            settling.spawn(async move { store.write(SettleCard { card_id, now }).await });
        }
        for settled in settling.join_all().await {
            settled?;
        }
    }
    Ok(cards.len())
}

/// Every `interval`, deletes what has ended (see [`crate::housekeeping`]).
pub async fn housekeeping(store: Store, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match sweep(&store, now_ms()).await {
            Ok(swept) if swept != Swept::default() => tracing::info!(?swept, "housekeeping"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; retrying at the next tick"),
        }
    }
}
