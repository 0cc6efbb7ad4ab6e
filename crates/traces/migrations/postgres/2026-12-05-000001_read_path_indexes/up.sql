-- Indexes that serve the reads of every API call and operator page in the order they are
-- read, so that no query sorts: a user's memberships (newest first; the only indexes on
-- user_id were partial, which a plain `user_id = ?` cannot use, so each call scanned the
-- table), an operator's activities (by creation) and identifiers (by kind and value).
CREATE INDEX memberships_by_user ON memberships (user_id, requested_at);
DROP INDEX activities_by_operator;
CREATE INDEX activities_by_operator ON activities (operator_id, created_at, id);
DROP INDEX operator_identifiers_by_operator;
CREATE INDEX operator_identifiers_by_operator ON operator_identifiers (operator_id, kind, value);
