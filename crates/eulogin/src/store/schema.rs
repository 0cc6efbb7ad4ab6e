//! The diesel schema, the same on both backends (see `migrations/sqlite` and
//! `migrations/postgres`).

diesel::table! {
    accounts (id) {
        id -> Text,
        subject -> Text,
        email -> Text,
        first_name -> Text,
        last_name -> Text,
        language -> Text,
        password_hash -> Nullable<Text>,
        failed_logins -> Integer,
        email_verified -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        password_changed_at -> Nullable<Timestamp>,
        last_login_at -> Nullable<Timestamp>,
        always_mfa -> Bool,
    }
}

diesel::table! {
    account_links (token_hash) {
        token_hash -> Text,
        account_id -> Text,
        purpose -> Text,
        new_email -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        account_id -> Nullable<Text>,
        event -> Text,
        ip -> Text,
        user_agent -> Text,
        detail -> Text,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        algorithm -> Text,
        status -> Text,
        private_key -> Text,
        public_jwk -> Text,
        created_at -> Timestamp,
        activated_at -> Nullable<Timestamp>,
        retired_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    oidc_clients (client_id) {
        client_id -> Text,
        name -> Text,
        auth_method -> Text,
        secret_hash -> Nullable<Text>,
        jwks -> Nullable<Text>,
        redirect_uris -> Text,
        post_logout_redirect_uris -> Text,
        grant_types -> Text,
        scopes -> Text,
        audiences -> Text,
        backchannel_logout_uri -> Nullable<Text>,
        minimum_acr -> Text,
        id_token_alg -> Text,
        access_token_alg -> Text,
        managed_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        family_id -> Text,
        client_id -> Text,
        account_id -> Text,
        subject -> Text,
        scope -> Text,
        audience -> Text,
        session_id -> Text,
        acr -> Text,
        amr -> Text,
        auth_time -> Timestamp,
        offline -> Bool,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        family_expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    second_factors (id) {
        id -> Text,
        account_id -> Text,
        kind -> Text,
        name -> Text,
        lookup -> Text,
        public_key -> Text,
        secret -> Nullable<Text>,
        verifier -> Nullable<Text>,
        counter -> BigInt,
        failures -> Integer,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(account_links -> accounts (account_id));
diesel::joinable!(refresh_tokens -> accounts (account_id));
diesel::joinable!(second_factors -> accounts (account_id));
diesel::joinable!(refresh_tokens -> oidc_clients (client_id));
diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    account_links,
    audit_events,
    signing_keys,
    oidc_clients,
    refresh_tokens,
    second_factors
);
