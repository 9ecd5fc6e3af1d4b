-- The points ledger. Every change of points is an entry; earned points live in lots until they
-- are spent or expire. cards.balance is the spendable total and cards.pending the points not yet
-- spendable, both kept in the same transaction as the entries and lots that change them.
-- Every writer of a card's points first updates its cards row (entry_seq), which serialises
-- them: a row lock on PostgreSQL, the write lock on SQLite.

ALTER TABLE cards ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN entry_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE ledger_entries (
    id TEXT PRIMARY KEY,
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    -- Per card, increasing: the history's order and cursor.
    seq BIGINT NOT NULL,
    -- earned | welcome | spent | expired | adjusted | refunded
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    reason TEXT NOT NULL,
    -- Applying the same reference to a card twice changes nothing.
    reference TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (card_id, seq),
    UNIQUE (card_id, reference)
);

CREATE TABLE point_lots (
    id TEXT PRIMARY KEY,
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    entry_id TEXT NOT NULL REFERENCES ledger_entries (id) ON DELETE CASCADE,
    amount BIGINT NOT NULL,
    remaining BIGINT NOT NULL,
    earned_at BIGINT NOT NULL,
    available_at BIGINT NOT NULL,
    -- NULL: never expires.
    expires_at BIGINT,
    -- 1 until available_at has passed and the points were moved into cards.balance.
    pending BIGINT NOT NULL
);

CREATE INDEX point_lots_spendable ON point_lots (card_id, expires_at) WHERE remaining > 0 AND pending = 0;
CREATE INDEX point_lots_due ON point_lots (expires_at) WHERE remaining > 0 AND pending = 0;
CREATE INDEX point_lots_maturing ON point_lots (card_id, available_at) WHERE pending = 1;
CREATE INDEX point_lots_maturing_due ON point_lots (available_at) WHERE pending = 1;
