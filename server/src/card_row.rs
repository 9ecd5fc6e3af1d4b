//! The stored card row: the columns every reader and writer of a card selects, and the struct
//! read from them. The ledger locks a card by updating its row and gets this back; writers change
//! it in memory and save it once ([`crate::ledger::save`]); `card_status` shows it.

use crate::purchases::CardTotals;
use sqlx::any::AnyRow;
use sqlx::Row;

/// The columns [`StoredCard::from_row`] reads.
pub const COLUMNS: &str = "id, program_id, balance, pending, terms_version, enrolled_at, \
     tier_level, tier_held_until, total_spend, discount_step, last_purchase_at, purchase_count, \
     settle_at, entry_seq";

/// A card as stored.
#[derive(Clone, Debug)]
pub struct StoredCard {
    pub id: String,
    pub program_id: String,
    /// Spendable points as of the last settlement.
    pub balance: i64,
    /// Points earned but not yet spendable.
    pub pending: i64,
    pub terms_version: String,
    pub enrolled_at: i64,
    /// What purchases drive: tier, total spend, discount inputs, purchase count.
    pub totals: CardTotals,
    /// The earliest instant something may need settling (a lot maturing or expiring); never
    /// later than that, possibly earlier.
    pub settle_at: i64,
    /// The sequence number of the card's last ledger entry.
    pub entry_seq: i64,
}

impl StoredCard {
    /// Reads a row that selected (or returned) [`COLUMNS`].
    pub fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            program_id: row.try_get("program_id")?,
            balance: row.try_get("balance")?,
            pending: row.try_get("pending")?,
            terms_version: row.try_get("terms_version")?,
            enrolled_at: row.try_get("enrolled_at")?,
            totals: CardTotals::from_row(row)?,
            settle_at: row.try_get("settle_at")?,
            entry_seq: row.try_get("entry_seq")?,
        })
    }

    /// Moves [`StoredCard::settle_at`] no later than `at`, when a lot starts waiting for it.
    pub fn settle_by(&mut self, at: i64) {
        self.settle_at = self.settle_at.min(at);
    }
}
