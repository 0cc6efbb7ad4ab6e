-- The rotation of a refresh token as a server-side function. PL/pgSQL keeps the plan of its
-- statement for the life of the connection, where the same statement sent as text (diesel's
-- sql_query is never a cached prepared statement) was parsed and planned at every refresh.
-- Same statement as before: mark the token used and insert its successor, atomically; a row
-- only when the token was live for this client, `rotated` = 0 when it had expired.
CREATE FUNCTION rotate_refresh_token(
    p_now TIMESTAMP,
    p_token_hash TEXT,
    p_client_id TEXT,
    p_successor_hash TEXT,
    p_idle_expiry TIMESTAMP
)
RETURNS TABLE (
    family_id TEXT,
    client_id TEXT,
    account_id TEXT,
    subject TEXT,
    scope TEXT,
    audience TEXT,
    session_id TEXT,
    acr TEXT,
    amr TEXT,
    auth_time TIMESTAMP,
    expires_at TIMESTAMP,
    family_expires_at TIMESTAMP,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    rotated BIGINT
)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH used AS (
        UPDATE refresh_tokens SET used_at = p_now
        WHERE token_hash = p_token_hash AND client_id = p_client_id
          AND used_at IS NULL AND revoked_at IS NULL
        RETURNING *
    ), successor AS (
        INSERT INTO refresh_tokens (token_hash, family_id, client_id, account_id, subject, scope,
            audience, session_id, acr, amr, auth_time, offline, issued_at, expires_at,
            family_expires_at)
        SELECT p_successor_hash, u.family_id, u.client_id, u.account_id, u.subject, u.scope,
            u.audience, u.session_id, u.acr, u.amr, u.auth_time, u.offline, p_now,
            LEAST(p_idle_expiry, u.family_expires_at), u.family_expires_at
        FROM used u WHERE p_now < u.expires_at AND p_now < u.family_expires_at
        RETURNING token_hash
    )
    SELECT u.family_id, u.client_id, u.account_id, u.subject, u.scope, u.audience,
        u.session_id, u.acr, u.amr, u.auth_time, u.expires_at, u.family_expires_at,
        u.used_at, u.revoked_at, (SELECT count(*) FROM successor) AS rotated
    FROM used u;
END
$$;
