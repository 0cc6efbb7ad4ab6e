DROP INDEX memberships_by_user;
DROP INDEX activities_by_operator;
CREATE INDEX activities_by_operator ON activities (operator_id);
DROP INDEX operator_identifiers_by_operator;
CREATE INDEX operator_identifiers_by_operator ON operator_identifiers (operator_id);
