//! The diesel schema, the same on both backends (see `migrations/sqlite` and
//! `migrations/postgres`).

diesel::table! {
    service_environment (id) {
        id -> Integer,
        environment -> Text,
    }
}

diesel::table! {
    reference_datasets (name) {
        name -> Text,
        version -> Integer,
        checksum -> Text,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    countries (code) {
        code -> Text,
        name -> Text,
        eu_member -> Bool,
    }
}

diesel::table! {
    competences (code) {
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    activity_chapters (code) {
        code -> Text,
        name -> Text,
        position -> Integer,
    }
}

diesel::table! {
    activity_sections (code) {
        code -> Text,
        chapter_code -> Text,
        name -> Text,
        position -> Integer,
    }
}

diesel::table! {
    activity_types (code) {
        code -> Text,
        section_code -> Text,
        name -> Text,
        competence_code -> Text,
        position -> Integer,
    }
}

diesel::table! {
    authorities (code) {
        code -> Text,
        kind -> Text,
        name -> Text,
        country_code -> Text,
        city -> Text,
        email -> Text,
    }
}

diesel::table! {
    authority_competences (authority_code, competence_code) {
        authority_code -> Text,
        competence_code -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        issuer -> Text,
        subject -> Text,
        email -> Text,
        given_name -> Text,
        family_name -> Text,
        language -> Text,
        is_system_admin -> Bool,
        current_membership_id -> Nullable<Text>,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        inactivity_warned_at -> Nullable<Timestamp>,
        deactivated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    operators (id) {
        id -> Text,
        organisation_type -> Text,
        name -> Text,
        country_code -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        search_text -> Text,
        facets -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    operator_documents (operator_id) {
        operator_id -> Text,
        document -> Text,
    }
}

diesel::table! {
    operator_addresses (id) {
        id -> Text,
        operator_id -> Text,
        position -> Integer,
        region -> Nullable<Text>,
        city -> Text,
        address -> Text,
        postal_code -> Nullable<Text>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
    }
}

diesel::table! {
    operator_identifiers (id) {
        id -> Text,
        operator_id -> Text,
        kind -> Text,
        country_code -> Text,
        value -> Text,
        normalized -> Text,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        operator_id -> Text,
        activity_code -> Text,
        identifier -> Nullable<Text>,
        valid_from -> Nullable<Timestamp>,
        valid_to -> Nullable<Timestamp>,
        time_zone -> Text,
        publication_date -> Nullable<Date>,
        application_date -> Nullable<Date>,
        address_id -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
    }
}

diesel::table! {
    activity_authorities (activity_id, authority_code) {
        activity_id -> Text,
        authority_code -> Text,
    }
}

diesel::table! {
    memberships (id) {
        id -> Text,
        user_id -> Text,
        operator_id -> Nullable<Text>,
        authority_code -> Nullable<Text>,
        role -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        requested_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
    }
}

diesel::table! {
    reactivation_requests (id) {
        id -> Text,
        user_id -> Text,
        message -> Text,
        status -> Text,
        requested_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_user_id -> Nullable<Text>,
        action -> Text,
        object_type -> Text,
        object_id -> Text,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::joinable!(activity_sections -> activity_chapters (chapter_code));
diesel::joinable!(activity_types -> activity_sections (section_code));
diesel::joinable!(activity_types -> competences (competence_code));
diesel::joinable!(authorities -> countries (country_code));
diesel::joinable!(authority_competences -> authorities (authority_code));
diesel::joinable!(authority_competences -> competences (competence_code));
diesel::joinable!(operators -> countries (country_code));
diesel::joinable!(operator_documents -> operators (operator_id));
diesel::joinable!(operator_addresses -> operators (operator_id));
diesel::joinable!(operator_identifiers -> operators (operator_id));
diesel::joinable!(activities -> operators (operator_id));
diesel::joinable!(activities -> activity_types (activity_code));
diesel::joinable!(activity_authorities -> activities (activity_id));
diesel::joinable!(activity_authorities -> authorities (authority_code));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> operators (operator_id));
diesel::joinable!(memberships -> authorities (authority_code));
diesel::joinable!(reactivation_requests -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    countries,
    competences,
    activity_chapters,
    activity_sections,
    activity_types,
    authorities,
    authority_competences,
    users,
    operators,
    operator_documents,
    operator_addresses,
    operator_identifiers,
    activities,
    activity_authorities,
    memberships,
    reactivation_requests,
    audit_log,
);
