-- The housekeeping sweep deletes what is kept only for a while (`src/housekeeping.rs`): ended
-- sessions (and with them their checkout secrets and till tickets), expired tickets and
-- idempotency keys past their retention. These indexes find them without a scan.
CREATE INDEX sessions_idle_expires ON sessions (idle_expires_at);
CREATE INDEX till_sessions_idle_expires ON till_sessions (idle_expires_at);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
