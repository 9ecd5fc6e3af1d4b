-- The earliest instant at which a card may have something to settle: a pending lot maturing or a
-- spendable lot expiring. Settling (on every write) and the "as of now" sums (on every read) are
-- skipped before it, so a card with nothing due costs no scan of its lots. It may be early (then
-- settling finds nothing and moves it on), never late. 0: not yet known, settle at the next use.
ALTER TABLE cards ADD COLUMN settle_at BIGINT NOT NULL DEFAULT 0;
