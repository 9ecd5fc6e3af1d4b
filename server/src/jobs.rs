//! The server's periodic jobs. Each logs its errors and tries again at the next tick; several
//! servers sharing a database may run them at once (each card is settled under its lock, expiry
//! entries are idempotent, and deletions are bounded).

use crate::clubs::{next_period_end, take_fee_in_points};
use crate::config::ProgramConfig;
use crate::housekeeping::{sweep, Swept};
use crate::store::clubs::{self as memberships, MembershipRow};
use crate::store::ledger::{self, LedgerError, SettleCard};
use crate::store::{now_ms, Store, Tx, Write};
use std::sync::Arc;
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

/// Memberships renewed or lapsed per pass of the clubs job.
const CLUBS_BATCH: i64 = 500;

/// Every `interval`, renews or lapses the paid memberships whose period has ended.
pub async fn clubs(store: Store, config: Arc<ProgramConfig>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = now_ms();
        loop {
            match renew_or_lapse_due(&store, &config, now, CLUBS_BATCH).await {
                Ok(done) if done.len() < CLUBS_BATCH as usize => break,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "clubs job failed; retrying at the next tick");
                    break;
                }
            }
        }
    }
}

/// One pass of the clubs job: each active membership whose period ended by `now` (up to
/// `batch`) is renewed for one more period with points when its member chose so and the
/// balance allows, else it lapses. Each change is a conditional update on the membership and
/// its period, so two passes at once (two servers) change nothing twice. Returns what became
/// of each membership it looked at.
pub async fn renew_or_lapse_due(
    store: &Store,
    config: &Arc<ProgramConfig>,
    now: i64,
    batch: i64,
) -> Result<Vec<PeriodEnd>, LedgerError> {
    let due = memberships::due(store, now, batch).await?;
    let mut ends = Vec::with_capacity(due.len());
    for membership in due {
        let end = store
            .write(RenewOrLapse {
                config: config.clone(),
                membership,
                now,
            })
            .await?;
        ends.push(end);
    }
    Ok(ends)
}

/// What happens to one membership at the end of its period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodEnd {
    Renewed,
    Lapsed,
    /// Another pass (or the member) changed it first.
    Unchanged,
}

/// Renewing or lapsing one membership, as its transaction needs it.
struct RenewOrLapse {
    config: Arc<ProgramConfig>,
    membership: MembershipRow,
    now: i64,
}

impl Write for RenewOrLapse {
    type Output = PeriodEnd;
    type Error = LedgerError;

    async fn run(&self, tx: &mut Tx) -> Result<PeriodEnd, LedgerError> {
        let m = &self.membership;
        let Some(ends_at) = m.ends_at else {
            return Ok(PeriodEnd::Unchanged);
        };
        let mut card = ledger::lock(tx, &m.card_id).await?;
        ledger::settle(tx, &mut card, self.now).await?;
        let program = self.config.program(&m.program_id);
        let club = program.and_then(|p| p.clubs.iter().find(|c| c.id == m.club_id));
        let renewal = match (program, club) {
            (Some(program), Some(club)) if m.auto_renew == 1 => club
                .fees
                .as_ref()
                .and_then(|f| f.to_renew())
                .and_then(|price| price.points)
                .zip(next_period_end(program, club, ends_at))
                .map(|(points, next)| (program, club, points, next)),
            _ => None,
        };
        if let Some((program, club, points, next)) = renewal {
            if card.balance >= points {
                if !memberships::extend(tx, &m.id, m.period, next).await? {
                    return Ok(PeriodEnd::Unchanged);
                }
                take_fee_in_points(
                    tx,
                    &mut card,
                    program,
                    club,
                    &m.id,
                    m.period + 1,
                    points,
                    self.now,
                )
                .await?;
                ledger::save(tx, &card).await?;
                return Ok(PeriodEnd::Renewed);
            }
        }
        // Ended when its period did (its benefits stopped then).
        if memberships::end(tx, &m.id, m.period, "lapsed", ends_at).await? {
            Ok(PeriodEnd::Lapsed)
        } else {
            Ok(PeriodEnd::Unchanged)
        }
    }
}
