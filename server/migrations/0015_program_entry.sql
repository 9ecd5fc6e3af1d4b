-- Joining a closed program (issue 15): a customer without its card applies with the answers to
-- the program's questionnaire and an invitation code, and staff approve the application (the
-- card is enrolled then) or reject it with a reason. The program's cardholders' invitation codes
-- are `club_invitations` rows with `club_id` '' (the program itself).

-- One pending application per customer and program (the unique index below); decided ones stay.
CREATE TABLE program_applications (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    program_id TEXT NOT NULL,
    -- pending | approved | rejected
    status TEXT NOT NULL,
    answers TEXT NOT NULL,
    invitation_code TEXT,
    applied_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    reason TEXT
);
CREATE INDEX program_applications_customer ON program_applications (customer_id, program_id, applied_at);
CREATE UNIQUE INDEX program_applications_one_pending ON program_applications (customer_id, program_id)
    WHERE status = 'pending';
CREATE INDEX program_applications_pending ON program_applications (program_id, applied_at)
    WHERE status = 'pending';
