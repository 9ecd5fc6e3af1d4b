-- Attempt limits (auth/attempts.rs): one row per counter, taken atomically before the password
-- or code it guards is checked, so parallel attempts cannot all pass a check made before any
-- was counted. Replaces the failure log of 0001, which was counted after the check.
DROP TABLE login_failures;

CREATE TABLE attempt_counters (
    key TEXT PRIMARY KEY,
    -- The end of the counter's current window; a later attempt starts a new one.
    window_ends_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    -- For a counter that slows rather than refuses: the earliest time of the next attempt.
    next_at BIGINT NOT NULL
);
CREATE INDEX attempt_counters_window ON attempt_counters (window_ends_at);
