-- Resetting a forgotten password by e-mail (issue 16): a link with a random token, of which only
-- the SHA-256 hash is kept, valid for an hour and used once (the conditional update that sets
-- used_at decides).
CREATE TABLE password_resets (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_customer ON password_resets (customer_id);
CREATE INDEX password_resets_expires ON password_resets (expires_at);
