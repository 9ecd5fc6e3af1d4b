-- The rewards catalog (issue 14): one voucher per redemption, the stock issued per reward, and
-- what each spend took from each lot, so a cancelled voucher gives its points back to the lots
-- they came from, with their expiry dates.
CREATE TABLE vouchers (
    id TEXT PRIMARY KEY,
    -- What the member shows at the till: 10 base32 characters (50 bits).
    code TEXT NOT NULL UNIQUE,
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    program_id TEXT NOT NULL,
    reward_id TEXT NOT NULL,
    -- The reward as it was redeemed: its title (the program's language) and the voucher's value
    -- (core::catalog::RewardKind as JSON), so a later change to the catalog changes no voucher.
    title TEXT NOT NULL,
    voucher TEXT NOT NULL,
    cost BIGINT NOT NULL,
    -- active | used | cancelled; an active voucher past `expires_at` is expired.
    status TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    -- The program month it was issued in (core::tier::Month), for per-month limits.
    month BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT,
    -- The ledger entry that paid for it.
    spend_reference TEXT NOT NULL
);
CREATE INDEX vouchers_card_reward ON vouchers (card_id, reward_id, month);
CREATE INDEX vouchers_card_issued ON vouchers (card_id, issued_at);

-- Vouchers issued and not cancelled, per reward: claimed with one conditional update, so the
-- last one in stock goes to exactly one of many concurrent redeemers.
CREATE TABLE reward_stock (
    program_id TEXT NOT NULL,
    reward_id TEXT NOT NULL,
    issued BIGINT NOT NULL,
    PRIMARY KEY (program_id, reward_id)
);

-- The lots a spend (by its entry's reference) took points from.
CREATE TABLE spent_lots (
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    reference TEXT NOT NULL,
    lot_id TEXT NOT NULL,
    points BIGINT NOT NULL,
    PRIMARY KEY (card_id, reference, lot_id)
);
