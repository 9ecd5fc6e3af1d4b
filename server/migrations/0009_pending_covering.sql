-- A card's pending points by day (listed by every card view and till response) and its matured
-- points are read from this index alone. Without `remaining`, `expires_at` and `pending` in it,
-- each pending lot cost a lookup in the table, and a card that buys often has many lots pending.
DROP INDEX point_lots_maturing;
CREATE INDEX point_lots_maturing ON point_lots (card_id, available_at, remaining, expires_at, pending)
    WHERE pending = 1;
