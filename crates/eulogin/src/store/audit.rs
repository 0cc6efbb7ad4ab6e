//! The security audit log: every registration, login, lockout, password and e-mail change and
//! ended session, with time, account, IP address and user agent.

use super::schema::audit_events;
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, to_db_time};
use time::{OffsetDateTime, PrimitiveDateTime};

/// The kinds of security event; their names are stable, for support and for log searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEvent {
    Registered,
    RegistrationRepeated,
    LoginSucceeded,
    LoginFailed,
    LoginRefusedLocked,
    AccountLocked,
    PasswordSet,
    PasswordResetRequested,
    PasswordChanged,
    ReauthenticationFailed,
    LinkRefused,
    EmailChangeRequested,
    EmailChanged,
    ProfileChanged,
    LoggedOut,
    SessionEnded,
    ApplicationLogin,
    TokenReuse,
    SecondFactorSucceeded,
    SecondFactorFailed,
    SecondStepAbandoned,
    FactorAdded,
    FactorRemoved,
    AllDevicesDeleted,
    RecoveryCodesCreated,
    AlwaysMfaChanged,
    DeviceDisabled,
    CounterRegression,
}

impl AuditEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditEvent::Registered => "registered",
            AuditEvent::RegistrationRepeated => "registration_repeated",
            AuditEvent::LoginSucceeded => "login_succeeded",
            AuditEvent::LoginFailed => "login_failed",
            AuditEvent::LoginRefusedLocked => "login_refused_locked",
            AuditEvent::AccountLocked => "account_locked",
            AuditEvent::PasswordSet => "password_set",
            AuditEvent::PasswordResetRequested => "password_reset_requested",
            AuditEvent::PasswordChanged => "password_changed",
            AuditEvent::ReauthenticationFailed => "reauthentication_failed",
            AuditEvent::LinkRefused => "link_refused",
            AuditEvent::EmailChangeRequested => "email_change_requested",
            AuditEvent::EmailChanged => "email_changed",
            AuditEvent::ProfileChanged => "profile_changed",
            AuditEvent::LoggedOut => "logged_out",
            AuditEvent::SessionEnded => "session_ended",
            AuditEvent::ApplicationLogin => "application_login",
            AuditEvent::SecondFactorSucceeded => "second_factor_succeeded",
            AuditEvent::SecondFactorFailed => "second_factor_failed",
            AuditEvent::SecondStepAbandoned => "second_step_abandoned",
            AuditEvent::FactorAdded => "factor_added",
            AuditEvent::FactorRemoved => "factor_removed",
            AuditEvent::AllDevicesDeleted => "all_devices_deleted",
            AuditEvent::RecoveryCodesCreated => "recovery_codes_created",
            AuditEvent::AlwaysMfaChanged => "always_mfa_changed",
            AuditEvent::DeviceDisabled => "device_disabled",
            AuditEvent::CounterRegression => "counter_regression",
            AuditEvent::TokenReuse => "token_reuse",
        }
    }
}

/// Who caused an event, from the request.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub ip: String,
    pub user_agent: String,
}

/// One stored event.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub occurred_at: OffsetDateTime,
    pub account_id: Option<String>,
    pub event: String,
    pub ip: String,
    pub user_agent: String,
    pub detail: String,
}

/// A new event's id: time-ordered (UUIDv7), so the newest events of an account come first by id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub fn record(
    conn: &mut AnyConnection,
    event: AuditEvent,
    account_id: Option<&str>,
    actor: &Actor,
    detail: &str,
    now: OffsetDateTime,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(new_id()),
            audit_events::occurred_at.eq(to_db_time(now)),
            audit_events::account_id.eq(account_id),
            audit_events::event.eq(event.as_str()),
            audit_events::ip.eq(&actor.ip),
            audit_events::user_agent.eq(&actor.user_agent),
            audit_events::detail.eq(detail),
        ))
        .execute(conn)?;
    Ok(())
}

type AuditColumns = (
    PrimitiveDateTime,
    Option<String>,
    String,
    String,
    String,
    String,
);

/// The newest events of one account, newest first.
pub fn for_account(
    conn: &mut AnyConnection,
    account_id: &str,
    limit: i64,
) -> QueryResult<Vec<AuditRecord>> {
    let rows: Vec<AuditColumns> = audit_events::table
        .filter(audit_events::account_id.eq(account_id))
        .order(audit_events::id.desc())
        .limit(limit)
        .select((
            audit_events::occurred_at,
            audit_events::account_id,
            audit_events::event,
            audit_events::ip,
            audit_events::user_agent,
            audit_events::detail,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(at, account_id, event, ip, user_agent, detail)| AuditRecord {
                occurred_at: from_db_time(at),
                account_id,
                event,
                ip,
                user_agent,
                detail,
            },
        )
        .collect())
}
