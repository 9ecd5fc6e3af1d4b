-- Till sessions: staff accounts live in the configuration file; their sessions are kept apart
-- from customers' so a token of one kind is never accepted as the other.
CREATE TABLE till_sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    -- The staff account's e-mail (normalised), as configured.
    staff_email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    idle_expires_at BIGINT NOT NULL
);
CREATE INDEX till_sessions_staff ON till_sessions (staff_email);
