-- The customer's sessions, listed for them (issue 16): the `User-Agent` each signed in with, so
-- the list can say "Chrome on Android" (core::device). Till sessions get the column too: one
-- insert serves both kinds.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE till_sessions ADD COLUMN user_agent TEXT;
