-- OpenID Connect: signing keys, registered applications (clients) and refresh tokens (sqlite).

-- Keys that sign ID tokens, access tokens and logout tokens. The private part is encrypted
-- (AES-256-GCM under a key derived from EULOGIN_SECRET_KEY). A key is 'next' (published, not yet
-- signing), 'current' (signing) or 'previous' (published until the tokens it signed expire).
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    algorithm TEXT NOT NULL,
    status TEXT NOT NULL,
    private_key TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    activated_at TIMESTAMP,
    retired_at TIMESTAMP,
    expires_at TIMESTAMP
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (algorithm) WHERE status = 'current';
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (algorithm) WHERE status = 'next';

-- Applications allowed to log their users in. Lists are JSON arrays of strings.
CREATE TABLE oidc_clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    auth_method TEXT NOT NULL,
    secret_hash TEXT,
    jwks TEXT,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    scopes TEXT NOT NULL,
    audiences TEXT NOT NULL,
    backchannel_logout_uri TEXT,
    minimum_acr TEXT NOT NULL,
    id_token_alg TEXT NOT NULL,
    access_token_alg TEXT NOT NULL,
    managed_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Refresh tokens, stored as SHA-256 of the token. Each use rotates the token; the tokens of one
-- authorization share a family, revoked as a whole when a rotated token comes back.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    family_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES oidc_clients(client_id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    scope TEXT NOT NULL,
    audience TEXT NOT NULL,
    session_id TEXT NOT NULL,
    acr TEXT NOT NULL,
    amr TEXT NOT NULL,
    auth_time TIMESTAMP NOT NULL,
    offline BOOLEAN NOT NULL DEFAULT FALSE,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    family_expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
