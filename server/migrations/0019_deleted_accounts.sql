-- A deleted account (issue 16) stays as an anonymous tombstone, so its cards, ledger, lots and
-- purchases stay for the programs' books: its personal fields are erased and this is set.
ALTER TABLE customers ADD COLUMN deleted_at BIGINT;
