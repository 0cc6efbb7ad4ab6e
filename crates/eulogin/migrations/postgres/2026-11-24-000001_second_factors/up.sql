-- Second factors (postgres): every method a person has enrolled, one row each, and the
-- "always require multi-factor authentication" choice.
--
-- kind: 'sms' (lookup = the E.164 number), 'totp' (an authenticator app; secret = its seed),
-- 'app' (the EU Login mobile app; public_key = the device's P-256 JWK, secret = the device
-- secret for QR one-time passwords, verifier = the keyed hash of its PIN, failures = wrong
-- PINs in a row), 'webauthn' (a security key or passkey; lookup = the credential id,
-- public_key = the serialised credential, counter = its signature counter) and 'recovery'
-- (one single-use recovery code; lookup = its keyed hash).
-- Secrets are encrypted (AES-256-GCM under a key derived from EULOGIN_SECRET_KEY, the row id as
-- associated data); nothing here lets anyone log in without EULOGIN_SECRET_KEY.
CREATE TABLE second_factors (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    lookup TEXT NOT NULL,
    public_key TEXT NOT NULL DEFAULT '',
    secret TEXT,
    verifier TEXT,
    counter BIGINT NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    disabled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX second_factors_lookup ON second_factors (account_id, kind, lookup);

ALTER TABLE accounts ADD COLUMN always_mfa BOOLEAN NOT NULL DEFAULT FALSE;
