-- The inactivity rule's job and reactivation requests (docs/traces.md, "Inactivity").
--
-- The reason given when a reactivation request is refused (the person reads it).
ALTER TABLE reactivation_requests ADD COLUMN reason TEXT;
-- Open requests, oldest first, for the people who decide them.
CREATE INDEX reactivation_requests_by_status ON reactivation_requests (status, requested_at);
-- The job walks the active users by (last_seen_at, id), a batch at a time, from the longest
-- unseen: only users not yet deactivated are in this index.
CREATE INDEX users_active_by_last_seen ON users (last_seen_at, id) WHERE deactivated_at IS NULL;
