//! The stored card row: the columns every reader and writer of a card selects, and the struct
//! read from them. The ledger locks a card by updating its row and gets this back; writers change
//! it in memory and save it once ([`super::ledger::save`]); `card_status` shows it.

use tessera_core::discount::DiscountInputs;
use tessera_core::tier::{Month, TierState};

/// The columns [`StoredCard`] is read from.
pub(crate) const COLUMNS: &str = "id, program_id, balance, pending, terms_version, enrolled_at, \
     tier_level, tier_held_until, total_spend, discount_step, last_purchase_at, purchase_count, \
     settle_at, entry_seq, last_code_step, closed_at";

/// A card as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
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
    #[sqlx(flatten)]
    pub totals: CardTotals,
    /// The earliest instant something may need settling (a lot maturing or expiring); never
    /// later than that, possibly earlier.
    pub settle_at: i64,
    /// The sequence number of the card's last ledger entry.
    pub entry_seq: i64,
    /// The step of the last checkout code a till accepted (0: none); only `till::identify`
    /// moves it, so [`super::ledger::save`] leaves it alone.
    pub last_code_step: i64,
    /// When the card was closed (its member deleted their account): nothing is written to it
    /// after, which every writer checks on the card as locked.
    pub closed_at: Option<i64>,
}

impl StoredCard {
    /// Moves [`StoredCard::settle_at`] no later than `at`, when a lot starts waiting for it.
    pub fn settle_by(&mut self, at: i64) {
        self.settle_at = self.settle_at.min(at);
    }
}

/// The purchase-driven state kept on a card row.
#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct CardTotals {
    pub tier_level: i64,
    pub tier_held_until: i64,
    pub total_spend: i64,
    pub discount_step: i64,
    pub last_purchase_at: Option<i64>,
    pub purchase_count: i64,
}

impl CardTotals {
    /// The stored tier.
    pub fn tier_state(&self) -> TierState {
        TierState {
            level: usize::try_from(self.tier_level).unwrap_or(0),
            held_until: Month::try_from(self.tier_held_until).unwrap_or(0),
        }
    }

    /// The discount's inputs, with the tier's rate.
    pub fn discount_inputs(&self, tier_rate_bp: u32) -> DiscountInputs {
        DiscountInputs {
            tier_rate_bp,
            total_spend_minor: self.total_spend,
            decaying_step: u32::try_from(self.discount_step).unwrap_or(0),
            last_purchase_at: self.last_purchase_at,
        }
    }
}
