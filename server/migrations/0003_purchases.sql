-- Purchases and what they drive: tiers (spend or points per program month), discounts (total
-- spend, the decaying step) and the welcome bonus (the first purchase). Kept on the card row and
-- updated in the same transaction as the purchase's ledger entries.

ALTER TABLE cards ADD COLUMN tier_level BIGINT NOT NULL DEFAULT 0;
-- The level is held before the start of this program month (year * 12 + month - 1).
ALTER TABLE cards ADD COLUMN tier_held_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN total_spend BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN discount_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN last_purchase_at BIGINT;
ALTER TABLE cards ADD COLUMN purchase_count BIGINT NOT NULL DEFAULT 0;

-- Shown in the history: where points were earned or spent, and the purchase amount.
ALTER TABLE ledger_entries ADD COLUMN place TEXT;
ALTER TABLE ledger_entries ADD COLUMN spend_minor BIGINT;

-- Qualifying activity per program month, for the rolling tier window.
CREATE TABLE card_months (
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    month BIGINT NOT NULL,
    spend BIGINT NOT NULL,
    points BIGINT NOT NULL,
    PRIMARY KEY (card_id, month)
);

-- One row per purchase; the till's reference makes a retried request change nothing.
CREATE TABLE purchases (
    id TEXT PRIMARY KEY,
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    reference TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    place TEXT,
    points BIGINT NOT NULL,
    welcome_points BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (card_id, reference)
);

-- Spending walks a card's spendable lots in the order it consumes them (soonest expiry first,
-- then oldest), so each page is read straight off this index however long the history.
DROP INDEX point_lots_spendable;
CREATE INDEX point_lots_spend_order ON point_lots (card_id, expires_at, earned_at, id)
    WHERE remaining > 0 AND pending = 0;

-- Spendable points per card and expiry instant, kept with the lots they sum: "expiring in the next
-- 30 days" reads a few of these rows however many purchases the card has.
CREATE TABLE expiry_buckets (
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    points BIGINT NOT NULL,
    PRIMARY KEY (card_id, expires_at)
);
INSERT INTO expiry_buckets (card_id, expires_at, points)
    SELECT card_id, expires_at, SUM(remaining) FROM point_lots
    WHERE remaining > 0 AND pending = 0 AND expires_at IS NOT NULL
    GROUP BY card_id, expires_at;
