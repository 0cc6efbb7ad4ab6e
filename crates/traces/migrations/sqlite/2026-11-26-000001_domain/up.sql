-- The traces domain: reference data (countries, competences, the activity taxonomy,
-- authorities and Border Control Posts), users known by (issuer, subject), operators with
-- their addresses, identifiers and activities, memberships (a user's role in an organisation),
-- reactivation requests and the audit log. Reference rows are loaded from the versioned data
-- files in `reference/` (see docs/traces.md); this migration only creates the tables.

CREATE TABLE reference_datasets (
    name TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE countries (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    eu_member BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE competences (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE activity_chapters (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE activity_sections (
    code TEXT PRIMARY KEY NOT NULL,
    chapter_code TEXT NOT NULL REFERENCES activity_chapters(code),
    name TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE activity_types (
    code TEXT PRIMARY KEY NOT NULL,
    section_code TEXT NOT NULL REFERENCES activity_sections(code),
    name TEXT NOT NULL,
    competence_code TEXT NOT NULL REFERENCES competences(code),
    position INTEGER NOT NULL
);

CREATE TABLE authorities (
    code TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    country_code TEXT NOT NULL REFERENCES countries(code),
    city TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT ''
);
CREATE INDEX authorities_by_country ON authorities (country_code, kind);

CREATE TABLE authority_competences (
    authority_code TEXT NOT NULL REFERENCES authorities(code) ON DELETE CASCADE,
    competence_code TEXT NOT NULL REFERENCES competences(code),
    PRIMARY KEY (authority_code, competence_code)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    email TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    language TEXT NOT NULL,
    is_system_admin BOOLEAN NOT NULL DEFAULT FALSE,
    current_membership_id TEXT,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    inactivity_warned_at TIMESTAMP,
    deactivated_at TIMESTAMP,
    UNIQUE (issuer, subject)
);
CREATE INDEX users_by_last_seen ON users (last_seen_at);

CREATE TABLE operators (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_type TEXT NOT NULL,
    name TEXT NOT NULL,
    country_code TEXT NOT NULL REFERENCES countries(code),
    phone TEXT,
    email TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    search_text TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX operators_by_country ON operators (country_code, name);
CREATE INDEX operators_by_name ON operators (name);

CREATE TABLE operator_addresses (
    id TEXT PRIMARY KEY NOT NULL,
    operator_id TEXT NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    region TEXT,
    city TEXT NOT NULL,
    address TEXT NOT NULL,
    postal_code TEXT,
    latitude REAL,
    longitude REAL
);
CREATE INDEX operator_addresses_by_operator ON operator_addresses (operator_id, position);

CREATE TABLE operator_identifiers (
    id TEXT PRIMARY KEY NOT NULL,
    operator_id TEXT NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    country_code TEXT NOT NULL,
    value TEXT NOT NULL,
    normalized TEXT NOT NULL,
    UNIQUE (kind, country_code, normalized)
);
CREATE INDEX operator_identifiers_by_operator ON operator_identifiers (operator_id);

CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    operator_id TEXT NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
    activity_code TEXT NOT NULL REFERENCES activity_types(code),
    identifier TEXT,
    valid_from TIMESTAMP,
    valid_to TIMESTAMP,
    time_zone TEXT NOT NULL,
    publication_date DATE,
    application_date DATE,
    address_id TEXT REFERENCES operator_addresses(id),
    status TEXT NOT NULL,
    status_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by TEXT REFERENCES users(id)
);
CREATE INDEX activities_by_operator ON activities (operator_id);
CREATE INDEX activities_by_code ON activities (activity_code, status);

CREATE TABLE activity_authorities (
    activity_id TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    authority_code TEXT NOT NULL REFERENCES authorities(code),
    PRIMARY KEY (activity_id, authority_code)
);
CREATE INDEX activity_authorities_by_authority ON activity_authorities (authority_code);

-- A user's place in an organisation: an operator (member or administrator) or an authority
-- (officer). At most one open (pending or valid) membership per user and organisation: a
-- second request while one is pending finds this one instead of making a duplicate.
CREATE TABLE memberships (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    operator_id TEXT REFERENCES operators(id),
    authority_code TEXT REFERENCES authorities(code),
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    requested_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by TEXT REFERENCES users(id),
    CHECK ((operator_id IS NULL) <> (authority_code IS NULL))
);
CREATE UNIQUE INDEX memberships_one_open_per_operator ON memberships (user_id, operator_id)
    WHERE operator_id IS NOT NULL AND status IN ('pending', 'valid');
CREATE UNIQUE INDEX memberships_one_open_per_authority ON memberships (user_id, authority_code)
    WHERE authority_code IS NOT NULL AND status IN ('pending', 'valid');
CREATE INDEX memberships_by_operator ON memberships (operator_id, status);
CREATE INDEX memberships_by_authority ON memberships (authority_code, status);

-- A deactivated user's request to be let in again; one open request per user.
CREATE TABLE reactivation_requests (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    message TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by TEXT REFERENCES users(id)
);
CREATE UNIQUE INDEX reactivation_requests_one_open ON reactivation_requests (user_id)
    WHERE status = 'pending';

-- Every decision: who, when, what, the object's state before and after (JSON).
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_user_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT,
    reason TEXT
);
CREATE INDEX audit_log_by_object ON audit_log (object_type, object_id, occurred_at);
CREATE INDEX audit_log_by_actor ON audit_log (actor_user_id, occurred_at);
