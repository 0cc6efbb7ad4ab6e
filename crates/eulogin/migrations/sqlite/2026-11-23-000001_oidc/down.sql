DROP TABLE refresh_tokens;
DROP TABLE oidc_clients;
DROP TABLE signing_keys;
