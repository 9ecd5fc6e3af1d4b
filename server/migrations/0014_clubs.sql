-- Clubs (issue 15): a card's membership of each club it joined, applications to closed clubs,
-- members' invitation codes, and club fees taken in money at the till. The rules are
-- core::club's and the clubs service's; the clubs themselves are in the configuration.

-- One row per card and club, kept when the member leaves or a paid period lapses (joining again
-- reuses it: the entrance fee is paid once per card).
CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    program_id TEXT NOT NULL,
    club_id TEXT NOT NULL,
    -- active | left | lapsed
    status TEXT NOT NULL,
    joined_at BIGINT NOT NULL,
    -- The end of the paid period (benefits stop then unless renewed); NULL: no end.
    ends_at BIGINT,
    -- Counts joins and renewals: every change by the periodic job is a conditional update on
    -- (id, period), so two servers running the pass at once change nothing twice.
    period BIGINT NOT NULL,
    -- 0 or 1: renew with points on the end date.
    auto_renew BIGINT NOT NULL DEFAULT 0,
    -- 0 or 1: the entrance fee was paid (once per card).
    entrance_paid BIGINT NOT NULL DEFAULT 0,
    ended_at BIGINT,
    UNIQUE (card_id, club_id)
);
-- The periodic job's work: active paid memberships by end date.
CREATE INDEX memberships_due ON memberships (ends_at) WHERE status = 'active';

-- Applications to closed clubs that staff approve: the answers as given (JSON), the decision
-- and its reason. One pending application per card and club.
CREATE TABLE club_applications (
    id TEXT PRIMARY KEY,
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    program_id TEXT NOT NULL,
    club_id TEXT NOT NULL,
    -- pending | approved | rejected
    status TEXT NOT NULL,
    answers TEXT NOT NULL,
    invitation_code TEXT,
    applied_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    reason TEXT
);
CREATE INDEX club_applications_card ON club_applications (card_id, club_id, applied_at);
CREATE INDEX club_applications_pending ON club_applications (program_id, applied_at)
    WHERE status = 'pending';

-- Invitation codes members make: used once, until `expires_at`, and dead when their member
-- leaves (`status`: active | used | dead).
CREATE TABLE club_invitations (
    code TEXT PRIMARY KEY,
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    program_id TEXT NOT NULL,
    club_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_by TEXT,
    used_at BIGINT
);
CREATE INDEX club_invitations_card ON club_invitations (card_id, club_id, created_at);

-- Fees taken in money at the till: a fee, not a purchase (it earns no points and counts towards
-- no spend). `reference` is the membership and period it paid for.
CREATE TABLE club_fees (
    id TEXT PRIMARY KEY,
    card_id TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    club_id TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    staff TEXT NOT NULL,
    place TEXT,
    created_at BIGINT NOT NULL
);
