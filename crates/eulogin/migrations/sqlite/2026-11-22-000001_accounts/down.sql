DROP TABLE audit_events;
DROP TABLE account_links;
DROP TABLE accounts;
