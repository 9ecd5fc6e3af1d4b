-- The customer's export (issue 16) reads each of their tables in short pages, each page after
-- the last row of the one before (keyset): these indexes make every page a range read, however
-- long the history. (ledger_entries has UNIQUE (card_id, seq), vouchers (card_id, issued_at),
-- consents (customer_id, at) already.)
CREATE INDEX purchases_card_created ON purchases (card_id, created_at, id);
CREATE INDEX club_fees_card_created ON club_fees (card_id, created_at, id);
