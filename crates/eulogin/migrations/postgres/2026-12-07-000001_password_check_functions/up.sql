-- The lockout count's two writes around a password check, as server-side functions: one round
-- trip each, and plans PostgreSQL keeps for the life of the connection (diesel never caches an
-- UPDATE as a prepared statement, so the same statements sent from the application were parsed
-- and planned at every login).

-- Before the hash: the account at this address and, when it has a password and fewer than
-- `p_max_failures` consecutive failures, one place of its lockout count taken (`reserved`).
-- No row: no account at this address.
CREATE FUNCTION reserve_password_check(p_email TEXT, p_max_failures INTEGER)
RETURNS TABLE (
    id TEXT,
    subject TEXT,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    language TEXT,
    password_hash TEXT,
    failed_logins INTEGER,
    email_verified BOOLEAN,
    created_at TIMESTAMP,
    password_changed_at TIMESTAMP,
    last_login_at TIMESTAMP,
    always_mfa BOOLEAN,
    reserved BOOLEAN
)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    UPDATE accounts a SET failed_logins = a.failed_logins + 1
    WHERE a.email = p_email AND a.password_hash IS NOT NULL AND a.failed_logins < p_max_failures
    RETURNING a.id, a.subject, a.email, a.first_name, a.last_name, a.language, a.password_hash,
        a.failed_logins, a.email_verified, a.created_at, a.password_changed_at, a.last_login_at,
        a.always_mfa, TRUE;
    IF NOT FOUND THEN
        RETURN QUERY
        SELECT a.id, a.subject, a.email, a.first_name, a.last_name, a.language, a.password_hash,
            a.failed_logins, a.email_verified, a.created_at, a.password_changed_at,
            a.last_login_at, a.always_mfa, FALSE
        FROM accounts a WHERE a.email = p_email;
    END IF;
END
$$;

-- After a correct password: the count starts again and, when `p_event` is given, the success
-- goes into the audit log, atomically (one statement is one transaction).
CREATE FUNCTION record_password_success(
    p_account_id TEXT,
    p_now TIMESTAMP,
    p_audit_id TEXT,
    p_event TEXT,
    p_ip TEXT,
    p_user_agent TEXT,
    p_detail TEXT
)
RETURNS VOID
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE accounts SET failed_logins = 0, last_login_at = p_now WHERE id = p_account_id;
    IF p_event IS NOT NULL THEN
        INSERT INTO audit_events (id, occurred_at, account_id, event, ip, user_agent, detail)
        VALUES (p_audit_id, p_now, p_account_id, p_event, p_ip, p_user_agent, p_detail);
    END IF;
END
$$;
