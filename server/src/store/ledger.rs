//! The points ledger on storage: adding and taking points on a card, settling what has matured or
//! expired, and the periodic expiry pass. The rules are `tessera_core::points`; this module keeps
//! the stored card (balance, pending, entries, lots) in step with them.
//!
//! Concurrency: every writer of a card's points starts its transaction by updating the card's row
//! ([`lock`]), so writers of one card run one after another on both engines (a row lock on
//! PostgreSQL, the single write lock on SQLite) and read lots no one else is changing. Taking
//! points is then one conditional update (`balance >= n`), so no race can spend twice, and the
//! expiry pass and spending cannot take the same points.

use super::card_row::{self, StoredCard};
use super::{new_id, Store, StoreError, Tx, Write};
use sqlx::{AnyConnection, Row};
use tessera_core::points::{spend_plan, EntryKind, Lot};

/// Why a ledger write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("no such card")]
    CardNotFound,
    /// The card was closed (its member deleted their account): nothing more is written to it.
    #[error("the card is closed")]
    CardClosed,
    #[error("more points than are spendable ({spendable} are)")]
    Insufficient {
        /// Spendable now.
        spendable: i64,
    },
    #[error("zero or negative points")]
    InvalidAmount,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for LedgerError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// The result of a write: a new entry, or the one written earlier with the same reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Written now, with this sequence number.
    New(i64),
    /// The reference was applied before (sequence number of that entry); nothing changed.
    Already(i64),
}

/// Points to add to a card (earned, welcome, refunded, a positive adjustment).
#[derive(Clone, Debug)]
pub struct Addition<'a> {
    pub kind: EntryKind,
    pub points: i64,
    pub reason: &'a str,
    pub reference: &'a str,
    /// When the points become spendable (pending before).
    pub available_at: i64,
    /// When they expire, if ever.
    pub expires_at: Option<i64>,
    /// Where (a store), for the history.
    pub place: Option<&'a str>,
    /// The purchase amount (minor units) that earned them, for the history.
    pub spend_minor: Option<i64>,
}

/// Points to take from a card (spent, or a negative adjustment).
#[derive(Clone, Debug)]
pub struct Deduction<'a> {
    pub kind: EntryKind,
    pub points: i64,
    pub reason: &'a str,
    pub reference: &'a str,
    /// Where (a store), for the history.
    pub place: Option<&'a str>,
}

/// An entry to write: what [`insert_entry`] stores besides the card and sequence number.
struct NewEntry<'a> {
    kind: EntryKind,
    amount: i64,
    reason: &'a str,
    reference: &'a str,
    place: Option<&'a str>,
    spend_minor: Option<i64>,
    at: i64,
}

/// Takes the card's write lock for this transaction and returns its row as it stands. Every
/// writer of a card's points or purchase totals calls this first, changes the returned card in
/// memory as it writes entries and lots, and writes it back with [`save`] before committing.
pub(crate) async fn lock(tx: &mut Tx, card_id: &str) -> Result<StoredCard, LedgerError> {
    sqlx::query_as::<_, StoredCard>(&format!(
        "UPDATE cards SET entry_seq = entry_seq WHERE id = $1 RETURNING {}",
        card_row::COLUMNS
    ))
    .bind(card_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(LedgerError::CardNotFound)
    .and_then(|card| match card.closed_at {
        // Read under the lock: a writer that waited for the account's deletion sees it here.
        Some(_) => Err(LedgerError::CardClosed),
        None => Ok(card),
    })
}

/// Writes a locked card's points, sequence number, settle time and purchase totals back.
pub(crate) async fn save(tx: &mut Tx, card: &StoredCard) -> Result<(), LedgerError> {
    let totals = &card.totals;
    sqlx::query(
        "UPDATE cards SET balance = $1, pending = $2, entry_seq = $3, settle_at = $4,
             tier_level = $5, tier_held_until = $6, total_spend = $7, discount_step = $8,
             last_purchase_at = $9, purchase_count = $10
         WHERE id = $11",
    )
    .bind(card.balance)
    .bind(card.pending)
    .bind(card.entry_seq)
    .bind(card.settle_at)
    .bind(totals.tier_level)
    .bind(totals.tier_held_until)
    .bind(totals.total_spend)
    .bind(totals.discount_step)
    .bind(totals.last_purchase_at)
    .bind(totals.purchase_count)
    .bind(&card.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The sequence number of the entry with `reference` on the card, if any.
pub(crate) async fn existing(
    tx: &mut Tx,
    card_id: &str,
    reference: &str,
) -> Result<Option<i64>, LedgerError> {
    let row = sqlx::query("SELECT seq FROM ledger_entries WHERE card_id = $1 AND reference = $2")
        .bind(card_id)
        .bind(reference)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Writes one entry with the next sequence number and returns its id.
async fn insert_entry(
    tx: &mut Tx,
    card_id: &str,
    seq: &mut i64,
    entry: NewEntry<'_>,
) -> Result<String, LedgerError> {
    *seq += 1;
    let id = new_id();
    sqlx::query(
        "INSERT INTO ledger_entries (id, card_id, seq, kind, amount, reason, reference, place, spend_minor, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(card_id)
    .bind(*seq)
    .bind(entry.kind.as_str())
    .bind(entry.amount)
    .bind(entry.reason)
    .bind(entry.reference)
    .bind(entry.place)
    .bind(entry.spend_minor)
    .bind(entry.at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Moves matured pending points into the balance and expires what is due, on a locked card:
/// one `expired` entry per expiry time, referenced by that time, so settling twice changes nothing.
/// Nothing is read before the card's `settle_at`; after settling, the card (saved here) gets the
/// next instant anything falls due.
pub(crate) async fn settle(
    tx: &mut Tx,
    card: &mut StoredCard,
    now: i64,
) -> Result<(), LedgerError> {
    if now < card.settle_at {
        return Ok(());
    }
    let card_id = card.id.clone();
    let card_id = card_id.as_str();
    let matured: i64 = sqlx::query(
        "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM point_lots
         WHERE card_id = $1 AND pending = 1 AND available_at <= $2",
    )
    .bind(card_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    if matured > 0 {
        sqlx::query(
            "INSERT INTO expiry_buckets (card_id, expires_at, points)
             SELECT card_id, expires_at, SUM(remaining) FROM point_lots
             WHERE card_id = $1 AND pending = 1 AND available_at <= $2 AND expires_at IS NOT NULL
             GROUP BY card_id, expires_at
             ON CONFLICT (card_id, expires_at) DO UPDATE SET points = expiry_buckets.points + excluded.points",
        )
        .bind(card_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE point_lots SET pending = 0 WHERE card_id = $1 AND pending = 1 AND available_at <= $2",
        )
        .bind(card_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        card.balance += matured;
        card.pending -= matured;
    }

    let due: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT expires_at, CAST(SUM(remaining) AS BIGINT) FROM point_lots
         WHERE card_id = $1 AND remaining > 0 AND pending = 0 AND expires_at <= $2
         GROUP BY expires_at ORDER BY expires_at",
    )
    .bind(card_id)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let mut expired = 0;
    for &(at, points) in &due {
        // Only lots with points left expire, so a lot never expires twice; the sequence number
        // keeps the reference unique should a later-recorded lot share this expiry time.
        let reference = format!("expiry:{at}:{}", card.entry_seq + 1);
        let entry = NewEntry {
            kind: EntryKind::Expired,
            amount: -points,
            reason: "expired",
            reference: &reference,
            place: None,
            spend_minor: None,
            at,
        };
        insert_entry(tx, card_id, &mut card.entry_seq, entry).await?;
        expired += points;
    }
    if expired > 0 {
        sqlx::query(
            "UPDATE point_lots SET remaining = 0
             WHERE card_id = $1 AND remaining > 0 AND pending = 0 AND expires_at <= $2",
        )
        .bind(card_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM expiry_buckets WHERE card_id = $1 AND expires_at <= $2")
            .bind(card_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        card.balance -= expired;
    }
    card.settle_at = next_settle_at(tx, card_id).await?;
    save(tx, card).await
}

/// When the card's lots next need settling: the first pending lot's maturity or the first
/// spendable lot's expiry (`i64::MAX` when neither exists).
async fn next_settle_at(tx: &mut Tx, card_id: &str) -> Result<i64, LedgerError> {
    let at: Option<i64> = sqlx::query(
        "SELECT MIN(at) FROM (
             SELECT MIN(available_at) AS at FROM point_lots WHERE card_id = $1 AND pending = 1
             UNION ALL
             SELECT MIN(expires_at) AS at FROM point_lots
             WHERE card_id = $1 AND remaining > 0 AND pending = 0 AND expires_at IS NOT NULL
         ) AS soon",
    )
    .bind(card_id)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    Ok(at.unwrap_or(i64::MAX))
}

/// Changes the spendable points recorded for a card at one expiry instant.
async fn bucket_add(
    tx: &mut Tx,
    card_id: &str,
    expires_at: i64,
    points: i64,
) -> Result<(), LedgerError> {
    sqlx::query(
        "INSERT INTO expiry_buckets (card_id, expires_at, points) VALUES ($1, $2, $3)
         ON CONFLICT (card_id, expires_at) DO UPDATE SET points = expiry_buckets.points + excluded.points",
    )
    .bind(card_id)
    .bind(expires_at)
    .bind(points)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds points to a card in `tx`: an entry and a lot, pending until `available_at`.
pub async fn add(
    tx: &mut Tx,
    card_id: &str,
    addition: &Addition<'_>,
    now: i64,
) -> Result<Applied, LedgerError> {
    let mut card = lock(tx, card_id).await?;
    if let Some(seq) = existing(tx, card_id, addition.reference).await? {
        return Ok(Applied::Already(seq));
    }
    settle(tx, &mut card, now).await?;
    let seq = add_settled(tx, &mut card, addition, now).await?;
    save(tx, &card).await?;
    Ok(Applied::New(seq))
}

/// [`add`] on a card this transaction locked and settled, for a writer that adds several entries
/// at once (a purchase: its points and the welcome bonus). The caller has checked that the
/// reference is new (the ledger's unique index refuses it otherwise) and writes `card`, changed
/// here, with [`save`]. Returns the entry's sequence number.
pub(crate) async fn add_settled(
    tx: &mut Tx,
    card: &mut StoredCard,
    addition: &Addition<'_>,
    now: i64,
) -> Result<i64, LedgerError> {
    if addition.points <= 0
        || addition.kind == EntryKind::Spent
        || addition.kind == EntryKind::Expired
    {
        return Err(LedgerError::InvalidAmount);
    }
    let entry = NewEntry {
        kind: addition.kind,
        amount: addition.points,
        reason: addition.reason,
        reference: addition.reference,
        place: addition.place,
        spend_minor: addition.spend_minor,
        at: now,
    };
    let entry_id = insert_entry(tx, &card.id, &mut card.entry_seq, entry).await?;
    let pending = addition.available_at > now;
    sqlx::query(
        "INSERT INTO point_lots (id, card_id, entry_id, amount, remaining, earned_at, available_at, expires_at, pending)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(&card.id)
    .bind(&entry_id)
    .bind(addition.points)
    .bind(now)
    .bind(addition.available_at.max(now))
    .bind(addition.expires_at)
    .bind(i64::from(pending))
    .execute(&mut **tx)
    .await?;
    if pending {
        // Its expiry is looked at when it matures.
        card.pending += addition.points;
        card.settle_by(addition.available_at);
    } else {
        card.balance += addition.points;
        if let Some(expires_at) = addition.expires_at {
            bucket_add(tx, &card.id, expires_at, addition.points).await?;
            card.settle_by(expires_at);
        }
    }
    Ok(card.entry_seq)
}

/// A page of a card's spendable lots that expire, in spending order.
const EXPIRING_LOTS: &str = "SELECT id, remaining, available_at, expires_at FROM point_lots
     WHERE card_id = $1 AND remaining > 0 AND pending = 0 AND expires_at IS NOT NULL
     ORDER BY expires_at, earned_at, id LIMIT 50";
/// A page of a card's spendable lots that never expire, oldest first.
const LASTING_LOTS: &str = "SELECT id, remaining, available_at, expires_at FROM point_lots
     WHERE card_id = $1 AND remaining > 0 AND pending = 0 AND expires_at IS NULL
     ORDER BY earned_at, id LIMIT 50";

/// Takes `points` from a card in `tx` (spent, or a negative adjustment): the card locked and
/// settled, then [`take_settled`].
pub async fn take(
    tx: &mut Tx,
    card_id: &str,
    deduction: &Deduction<'_>,
    now: i64,
) -> Result<Applied, LedgerError> {
    if deduction.points <= 0 || !matches!(deduction.kind, EntryKind::Spent | EntryKind::Adjusted) {
        return Err(LedgerError::InvalidAmount);
    }
    let mut card = lock(tx, card_id).await?;
    if let Some(seq) = existing(tx, card_id, deduction.reference).await? {
        return Ok(Applied::Already(seq));
    }
    settle(tx, &mut card, now).await?;
    let seq = take_settled(tx, &mut card, deduction, now).await?;
    save(tx, &card).await?;
    Ok(Applied::New(seq))
}

/// [`take`] on a card this transaction locked and settled, for a writer that does more on the
/// card at once (a purchase: the points that pay part of it, then those it earns). The balance
/// is checked under the card's lock; then the lots that expire soonest go first. The caller has
/// checked that the reference is new and writes `card`, changed here, with [`save`]. Returns
/// the entry's sequence number.
pub(crate) async fn take_settled(
    tx: &mut Tx,
    card: &mut StoredCard,
    deduction: &Deduction<'_>,
    now: i64,
) -> Result<i64, LedgerError> {
    let Deduction {
        kind,
        points,
        reason,
        reference,
        place,
    } = *deduction;
    if points <= 0 || !matches!(kind, EntryKind::Spent | EntryKind::Adjusted) {
        return Err(LedgerError::InvalidAmount);
    }
    if card.balance < points {
        return Err(LedgerError::Insufficient {
            spendable: card.balance,
        });
    }
    card.balance -= points;
    let card_id = card.id.clone();
    let card_id = card_id.as_str();
    // The spendable lots, soonest expiry first and those that never expire last, read in pages
    // along the `point_lots_spend_order` index so a long history costs only the lots taken.
    let mut left = points;
    while left > 0 {
        let page = |sql: &'static str| sqlx::query(sql).bind(card_id);
        let mut rows = page(EXPIRING_LOTS).fetch_all(&mut **tx).await?;
        if rows.is_empty() {
            rows = page(LASTING_LOTS).fetch_all(&mut **tx).await?;
        }
        if rows.is_empty() {
            // The balance said yes but no lot holds the points: the books disagree.
            return Err(
                StoreError::Invariant(format!("card {card_id}: balance exceeds its lots")).into(),
            );
        }
        let mut ids = Vec::with_capacity(rows.len());
        let mut lots = Vec::with_capacity(rows.len());
        for row in &rows {
            ids.push(row.try_get::<String, _>(0)?);
            let remaining: i64 = row.try_get(1)?;
            lots.push(Lot {
                amount: remaining,
                remaining,
                available_at: row.try_get(2)?,
                expires_at: row.try_get(3)?,
            });
        }
        let page_total: i64 = lots.iter().map(|l| l.remaining).sum();
        let plan = spend_plan(&lots, left.min(page_total), now).map_err(|e| {
            LedgerError::Insufficient {
                spendable: e.spendable,
            }
        })?;
        for (i, points) in plan {
            sqlx::query("UPDATE point_lots SET remaining = remaining - $1 WHERE id = $2")
                .bind(points)
                .bind(&ids[i])
                .execute(&mut **tx)
                .await?;
            // What this spend took from the lot, so a cancelled redemption can give it back.
            sqlx::query(
                "INSERT INTO spent_lots (card_id, reference, lot_id, points) VALUES ($1, $2, $3, $4)",
            )
            .bind(card_id)
            .bind(reference)
            .bind(&ids[i])
            .bind(points)
            .execute(&mut **tx)
            .await?;
            if let Some(expires_at) = lots[i].expires_at {
                bucket_add(tx, card_id, expires_at, -points).await?;
            }
            left -= points;
        }
    }
    let entry = NewEntry {
        kind,
        amount: -points,
        reason,
        reference,
        place,
        spend_minor: None,
        at: now,
    };
    insert_entry(tx, card_id, &mut card.entry_seq, entry).await?;
    Ok(card.entry_seq)
}

/// Gives back, on a card this transaction locked and settled, the points the spend with the
/// entry reference `spent` took: to the lots they came from, with their expiry dates, as one
/// `adjusted` entry (`reason`, `reference`). Points whose lot has expired since stay expired, as
/// they would have. Returns the points given back (no entry when none). The caller saves `card`.
pub(crate) async fn give_back_settled(
    tx: &mut Tx,
    card: &mut StoredCard,
    spent: &str,
    reason: &str,
    reference: &str,
    now: i64,
) -> Result<i64, LedgerError> {
    let card_id = card.id.clone();
    let lots: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT s.lot_id, s.points, l.expires_at FROM spent_lots s
         JOIN point_lots l ON l.id = s.lot_id
         WHERE s.card_id = $1 AND s.reference = $2",
    )
    .bind(&card_id)
    .bind(spent)
    .fetch_all(&mut **tx)
    .await?;
    let mut returned = 0;
    for (lot, points, expires_at) in lots {
        if expires_at.is_some_and(|at| at <= now) {
            continue;
        }
        sqlx::query("UPDATE point_lots SET remaining = remaining + $1 WHERE id = $2")
            .bind(points)
            .bind(&lot)
            .execute(&mut **tx)
            .await?;
        if let Some(expires_at) = expires_at {
            bucket_add(tx, &card_id, expires_at, points).await?;
            card.settle_by(expires_at);
        }
        returned += points;
    }
    if returned > 0 {
        let entry = NewEntry {
            kind: EntryKind::Adjusted,
            amount: returned,
            reason,
            reference,
            place: None,
            spend_minor: None,
            at: now,
        };
        insert_entry(tx, &card_id, &mut card.entry_seq, entry).await?;
        card.balance += returned;
    }
    Ok(returned)
}

/// Matures and expires what is due on one card at `now`, in `tx`.
pub async fn settle_card(tx: &mut Tx, card_id: &str, now: i64) -> Result<(), LedgerError> {
    let mut card = lock(tx, card_id).await?;
    settle(tx, &mut card, now).await
}

/// Settling one card at `now`: what the expiry pass writes for each card with something due.
pub struct SettleCard {
    pub card_id: String,
    pub now: i64,
}

impl Write for SettleCard {
    type Output = ();
    type Error = LedgerError;

    async fn run(&self, tx: &mut Tx) -> Result<(), LedgerError> {
        settle_card(tx, &self.card_id, self.now).await
    }
}

/// Up to `limit` cards with something to settle at `now` (a lot matured or expired).
pub async fn cards_due(store: &Store, now: i64, limit: i64) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT card_id FROM point_lots WHERE remaining > 0 AND pending = 0 AND expires_at <= $1
             AND card_id IN (SELECT id FROM cards WHERE closed_at IS NULL)
         UNION SELECT card_id FROM point_lots WHERE pending = 1 AND available_at <= $1
             AND card_id IN (SELECT id FROM cards WHERE closed_at IS NULL)
         LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?)
}

/// One row of what a card has coming up: pending points becoming spendable at `at`
/// ([`ComingUp::Pending`]), or spendable points expiring at `at` ([`ComingUp::Expiring`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComingUp {
    Pending { at: i64, points: i64 },
    Expiring { at: i64, points: i64 },
}

/// The card's pending points by the instant they become spendable, then its spendable points
/// (settled, or lots matured since) that expire after `now` and by `until`, by expiry instant,
/// each in time order: one query.
pub async fn coming_up(
    conn: &mut AnyConnection,
    card_id: &str,
    now: i64,
    until: i64,
) -> Result<Vec<ComingUp>, StoreError> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT CAST(0 AS BIGINT) AS part, available_at AS at, CAST(SUM(remaining) AS BIGINT) AS points
         FROM point_lots
         WHERE card_id = $1 AND pending = 1 AND available_at > $2
         GROUP BY available_at
         UNION ALL
         SELECT CAST(1 AS BIGINT), expires_at, CAST(SUM(points) AS BIGINT) FROM (
             SELECT expires_at, points FROM expiry_buckets
             WHERE card_id = $1 AND points > 0 AND expires_at > $2 AND expires_at <= $3
             UNION ALL
             SELECT expires_at, remaining FROM point_lots
             WHERE card_id = $1 AND pending = 1 AND available_at <= $2 AND expires_at > $2 AND expires_at <= $3
         ) soon GROUP BY expires_at
         ORDER BY 1, 2",
    )
    .bind(card_id)
    .bind(now)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(part, at, points)| match part {
            0 => ComingUp::Pending { at, points },
            _ => ComingUp::Expiring { at, points },
        })
        .collect())
}

/// What the stored balance of card `id` lacks at `now`: points matured minus points expired since
/// the last settlement (the expiry job may not have run since).
pub async fn unsettled(conn: &mut AnyConnection, id: &str, now: i64) -> Result<i64, StoreError> {
    let matured = sum(
        conn,
        "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM point_lots
         WHERE card_id = $1 AND pending = 1 AND available_at <= $2",
        id,
        now,
    )
    .await?;
    let due = sum(
        conn,
        "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM point_lots
         WHERE card_id = $1 AND remaining > 0 AND pending = 0 AND expires_at <= $2",
        id,
        now,
    )
    .await?
        // Matured and expired since the last settlement (pending days longer than the expiry).
        + sum(
            conn,
            "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM point_lots
             WHERE card_id = $1 AND pending = 1 AND available_at <= $2 AND expires_at <= $2",
            id,
            now,
        )
        .await?;
    Ok(matured - due)
}

async fn sum(
    conn: &mut AnyConnection,
    sql: &'static str,
    card_id: &str,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(sql)
        .bind(card_id)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?)
}

/// One entry of a card's history.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EntryRow {
    pub seq: i64,
    pub kind: String,
    pub amount: i64,
    pub reason: String,
    pub place: Option<String>,
    pub spend_minor: Option<i64>,
    pub created_at: i64,
}

/// Up to `limit` entries of the card with sequence numbers below `before`, newest first.
pub async fn entries_before(
    store: &Store,
    card_id: &str,
    before: i64,
    limit: i64,
) -> Result<Vec<EntryRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT seq, kind, amount, reason, place, spend_minor, created_at FROM ledger_entries
         WHERE card_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
    )
    .bind(card_id)
    .bind(before)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?)
}
