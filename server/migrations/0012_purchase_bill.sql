-- The till's money rule (core::bill): a purchase records its bill, the member's discount, a
-- voucher, and what points paid; `amount_minor` is the money paid, what earned points and counts
-- as spend. Purchases before this had no discount applied: their bill is what was paid. A
-- coalition's purchase also records the partner (brand) whose till recorded it; `place` stays the
-- store's name.
ALTER TABLE purchases ADD COLUMN gross_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE purchases ADD COLUMN discount_bp BIGINT NOT NULL DEFAULT 0;
ALTER TABLE purchases ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE purchases ADD COLUMN voucher_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE purchases ADD COLUMN voucher_lost_minor BIGINT NOT NULL DEFAULT 0;
-- The voucher applied (`vouchers`, migration 0013), if any.
ALTER TABLE purchases ADD COLUMN voucher_id TEXT;
ALTER TABLE purchases ADD COLUMN points_paid_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE purchases ADD COLUMN points_spent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE purchases ADD COLUMN partner TEXT;
UPDATE purchases SET gross_minor = amount_minor;
