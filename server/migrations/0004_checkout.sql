-- Checkout codes. A card gets its number (ten digits, Luhn-checked, unique in its program) when a
-- code is first asked for; each signed-in device holds its own secret for the card, which ends
-- with the session (logging out deletes the session and, by cascade, its secrets).

ALTER TABLE cards ADD COLUMN number TEXT;
CREATE UNIQUE INDEX cards_program_number ON cards (program_id, number);
-- The last code step a till accepted for the card: a code is accepted only for a later step.
ALTER TABLE cards ADD COLUMN last_code_step BIGINT NOT NULL DEFAULT 0;

CREATE TABLE card_secrets (
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    -- 32 bytes, hex. The server verifies codes with it, so it is kept, not hashed.
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (card_id, session_id)
);
CREATE INDEX card_secrets_session ON card_secrets (session_id);
