-- A till's identification of a member: bound to the till session and the card, short-lived.
-- Tickets made from a phone number may only earn (can_spend = 0).
CREATE TABLE till_tickets (
    id TEXT PRIMARY KEY,
    till_session_id TEXT NOT NULL REFERENCES till_sessions (id) ON DELETE CASCADE,
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    can_spend BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX till_tickets_expires ON till_tickets (expires_at);

-- A closed card keeps its history but cannot be used at a till.
ALTER TABLE cards ADD COLUMN closed_at BIGINT;
CREATE INDEX customers_phone ON customers (phone);
