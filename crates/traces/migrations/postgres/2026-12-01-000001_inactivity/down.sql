DROP INDEX users_active_by_last_seen;
DROP INDEX reactivation_requests_by_status;
ALTER TABLE reactivation_requests DROP COLUMN reason;
