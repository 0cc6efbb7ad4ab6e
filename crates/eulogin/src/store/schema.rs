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

diesel::joinable!(account_links -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(accounts, account_links, audit_events);
