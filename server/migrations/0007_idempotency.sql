-- Till writes carry an Idempotency-Key, scoped to the staff account. The key is claimed in the
-- transaction that applies the request and stores its response, so a retry (even a concurrent
-- one) gets the first response and nothing is applied twice; a failed request claims nothing.
CREATE TABLE idempotency_keys (
    staff_email TEXT NOT NULL,
    key TEXT NOT NULL,
    -- SHA-256 of the endpoint and body: the same key with another request is refused.
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (staff_email, key)
);
