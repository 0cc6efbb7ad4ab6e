//! Checking a person's password under the lockout rule, the one way both the login page and
//! "My account" (re-authentication for a sensitive change) do it.
//!
//! Each check first reserves one of the five places of the lockout count in the database, so
//! no number of parallel attempts on any number of replicas checks a sixth password. A locked
//! account is still "checked" against the dummy hash, so the answer takes the same time.

use crate::app::AppState;
use crate::domain::lockout::is_locked;
use crate::http::errors::WebError;
use crate::i18n::Lang;
use crate::security::password_hasher::needs_rehash;
use crate::store::accounts::{self, Account};
use crate::store::audit::{Actor, AuditEvent};
use crate::store::login_attempts::{self, SuccessAudit};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Correct,
    Wrong,
    /// Blocked now or before: the password was not (or no longer may be) tried.
    Locked,
}

/// Checks `password` (already normalised) for `account`, reserving its place first (the
/// re-authentication of someone logged in). Failures are audited as `failure_event`; the fifth
/// one blocks the account, is audited and e-mailed to its owner. A correct password resets the
/// count, is audited as `success_event` (in the same transaction) and upgrades an outdated hash.
pub async fn check_password(
    state: &AppState,
    account: &Account,
    password: &str,
    actor: &Actor,
    failure_event: AuditEvent,
    success_event: Option<AuditEvent>,
) -> Result<PasswordCheck, WebError> {
    let id = account.id.clone();
    let reserved = state
        .db
        .write(move |c| Ok(login_attempts::reserve(c, &id)?))
        .await?;
    check_reserved(
        state,
        account,
        reserved,
        password,
        actor,
        failure_event,
        success_event,
    )
    .await
}

/// [`check_password`] for an account whose place was already asked for (the login, which finds
/// the account and reserves in one step): `reserved` says whether it got one.
pub async fn check_reserved(
    state: &AppState,
    account: &Account,
    reserved: bool,
    password: &str,
    actor: &Actor,
    failure_event: AuditEvent,
    success_event: Option<AuditEvent>,
) -> Result<PasswordCheck, WebError> {
    if !reserved {
        state.hasher.verify(password, None).await?;
        state
            .audit(AuditEvent::LoginRefusedLocked, Some(&account.id), actor, "")
            .await?;
        state.metrics.event("login_refused_locked");
        return Ok(PasswordCheck::Locked);
    }
    if state
        .hasher
        .verify(password, account.password_hash.as_deref())
        .await?
    {
        let (id, now, actor) = (account.id.clone(), state.clock.now(), actor.clone());
        state
            .db
            .write(move |c| {
                let audit = success_event.map(|event| SuccessAudit {
                    event,
                    actor: &actor,
                    detail: "password",
                });
                Ok(login_attempts::record_success(c, &id, now, audit)?)
            })
            .await?;
        if account.password_hash.as_deref().is_some_and(needs_rehash) {
            let fresh = state.hasher.hash(password).await?;
            let id = account.id.clone();
            state
                .db
                .write(move |c| Ok(accounts::replace_password_hash(c, &id, &fresh)?))
                .await?;
        }
        return Ok(PasswordCheck::Correct);
    }
    let id = account.id.clone();
    let failures = state
        .db
        .run(move |c| Ok(login_attempts::failed_logins(c, &id)?))
        .await?;
    state
        .audit(
            failure_event,
            Some(&account.id),
            actor,
            &format!("consecutive failures: {failures}"),
        )
        .await?;
    state.metrics.event("login_failed");
    if !is_locked(failures) {
        return Ok(PasswordCheck::Wrong);
    }
    state
        .audit(AuditEvent::AccountLocked, Some(&account.id), actor, "")
        .await?;
    state.metrics.event("account_locked");
    let lang = Lang::parse(&account.language).unwrap_or(Lang::En);
    let forgot = format!("{}/password/forgot", state.settings.public_base());
    state.send_link_mail(
        &account.email,
        lang,
        "mail.locked",
        &account.first_name,
        &forgot,
    );
    Ok(PasswordCheck::Locked)
}
