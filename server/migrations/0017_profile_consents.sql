-- The customer's own account (issue 16): the language they chose, and every change of consent
-- (Tessera's terms, a program's terms, marketing) with its time and the terms version, so the
-- settings can show the history and the books can prove what was agreed and when.
ALTER TABLE customers ADD COLUMN preferred_language TEXT;

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    -- account_terms | program_terms | marketing (core::api::ConsentKind)
    kind TEXT NOT NULL,
    -- program_terms only
    program_id TEXT,
    -- the terms version accepted (terms only)
    version TEXT,
    -- 1 given, 0 withdrawn
    granted BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX consents_customer_at ON consents (customer_id, at);

-- What was agreed before the history was kept: the accounts' terms and marketing choice, and
-- each card's program terms at enrolment.
INSERT INTO consents (id, customer_id, kind, program_id, version, granted, at)
    SELECT 'terms-' || id, id, 'account_terms', NULL, terms_version, 1, terms_accepted_at
    FROM customers;
INSERT INTO consents (id, customer_id, kind, program_id, version, granted, at)
    SELECT 'marketing-' || id, id, 'marketing', NULL, NULL, marketing_opt_in, marketing_updated_at
    FROM customers;
INSERT INTO consents (id, customer_id, kind, program_id, version, granted, at)
    SELECT 'program-' || id, customer_id, 'program_terms', program_id, terms_version, 1, enrolled_at
    FROM cards;
