//! "My account": name and e-mail language, the e-mail address (changed through a link sent to
//! the new address), the password (needs the current one), the active sessions (each can be
//! ended) and recent security events.

use crate::app::AppState;
use crate::domain::email::normalise_email;
use crate::domain::links::LinkPurpose;
use crate::domain::names::clean_name;
use crate::domain::password_policy::{check_new_password, normalise_password};
use crate::http::errors::WebError;
use crate::http::forms::{FieldErrors, reject_forgery};
use crate::http::page::{PageContext, see_other};
use crate::http::password::{TokenQuery, link_invalid};
use crate::http::password_check::{PasswordCheck, check_password};
use crate::http::register::{NoticePage, email_error};
use crate::http::session_cookie;
use crate::i18n::Lang;
use crate::security::rate_limit::{self, Verdict};
use crate::security::sessions::ActiveSession;
use crate::store::accounts::{self, Account};
use crate::store::audit::{self, AuditEvent};
use crate::store::links;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A row of the sessions table.
struct SessionRow {
    handle: String,
    started: String,
    last_seen: String,
    ip: String,
    user_agent: String,
    current: bool,
}

struct ProfileFields {
    first_name: String,
    last_name: String,
    language: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    ctx: &'a PageContext,
    profile: ProfileFields,
    email: &'a str,
    new_email: &'a str,
    errors: &'a FieldErrors,
    flash: Option<String>,
    sessions: Vec<SessionRow>,
    activity: Vec<(String, String, String)>,
    /// A login recent enough to change the e-mail address (otherwise "Confirm it is me").
    email_fresh: bool,
}

/// The re-authentication that returns to this page.
const REAUTHENTICATE: &str = "/login?next=/account";

pub fn when(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The logged-in person, or a redirect to the login page.
pub async fn signed_in(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Result<(ActiveSession, Account), HttpResponse>, WebError> {
    let Some(session) = session_cookie::current(req, state).await else {
        return Ok(Err(see_other("/login")));
    };
    let id = session.record.account_id.clone();
    match state
        .db
        .run(move |c| Ok(accounts::find_by_id(c, &id)?))
        .await?
    {
        Some(account) => Ok(Ok((session, account))),
        None => Ok(Err(see_other("/login"))),
    }
}

struct Render<'a> {
    profile: Option<ProfileFields>,
    new_email: &'a str,
    errors: FieldErrors,
    flash: Option<String>,
    status: StatusCode,
}

impl Default for Render<'_> {
    fn default() -> Self {
        Render {
            profile: None,
            new_email: "",
            errors: FieldErrors::new(),
            flash: None,
            status: StatusCode::OK,
        }
    }
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    session: &ActiveSession,
    account: &Account,
    view: Render<'_>,
) -> Result<HttpResponse, WebError> {
    let ctx = PageContext::new(req, state)
        .with_user(format!("{} {}", account.first_name, account.last_name));
    let sessions = state
        .sessions
        .list(&account.id)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            current: s.handle == session.handle,
            started: when(s.record.created_at),
            last_seen: when(s.record.last_seen),
            ip: s.record.ip,
            user_agent: s.record.user_agent,
            handle: s.handle,
        })
        .collect();
    let id = account.id.clone();
    let activity = state
        .db
        .run(move |c| Ok(audit::for_account(c, &id, 10)?))
        .await?
        .into_iter()
        .map(|e| {
            let label = ctx.t.t(&format!("audit.{}", e.event)).to_owned();
            (when(e.occurred_at), label, e.ip)
        })
        .collect();
    let profile = view.profile.unwrap_or_else(|| ProfileFields {
        first_name: account.first_name.clone(),
        last_name: account.last_name.clone(),
        language: account.language.clone(),
    });
    Ok(ctx.render(
        view.status,
        &AccountPage {
            ctx: &ctx,
            profile,
            email: &account.email,
            new_email: view.new_email,
            errors: &view.errors,
            flash: view.flash,
            sessions,
            activity,
            email_fresh: crate::http::security::recently_proven(state, session).await?,
        },
    ))
}

pub async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let (session, account) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let flash =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("done").cloned())
            .filter(|k| ["profile", "email", "password", "session"].contains(&k.as_str()))
            .map(|k| {
                PageContext::new(&req, &state)
                    .t
                    .t(&format!("account.done_{k}"))
                    .to_owned()
            });
    render(
        &req,
        &state,
        &session,
        &account,
        Render {
            flash,
            ..Default::default()
        },
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub csrf_token: String,
    pub first_name: String,
    pub last_name: String,
    pub language: String,
}

pub async fn update_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let (session, account) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let tr = PageContext::new(&req, &state).t;
    let mut errors = FieldErrors::new();
    let first = clean_name(&form.first_name)
        .map_err(|_| errors.insert("first_name", tr.t("register.name_invalid").to_owned()))
        .ok();
    let last = clean_name(&form.last_name)
        .map_err(|_| errors.insert("last_name", tr.t("register.name_invalid").to_owned()))
        .ok();
    let lang = Lang::parse(&form.language).unwrap_or(Lang::En);
    let (Some(first), Some(last)) = (first, last) else {
        let profile = ProfileFields {
            first_name: form.first_name.clone(),
            last_name: form.last_name.clone(),
            language: lang.code().to_owned(),
        };
        let view = Render {
            profile: Some(profile),
            errors,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Default::default()
        };
        return render(&req, &state, &session, &account, view).await;
    };
    let (id, now, actor) = (account.id.clone(), state.clock.now(), state.actor(&req));
    let detail = format!(
        "{} {} → {first} {last} ({})",
        account.first_name,
        account.last_name,
        lang.code()
    );
    state
        .db
        .transaction(move |c| -> Result<(), WebError> {
            accounts::update_profile(c, &id, &first, &last, lang.code(), now)?;
            audit::record(
                c,
                AuditEvent::ProfileChanged,
                Some(&id),
                &actor,
                &detail,
                now,
            )?;
            Ok(())
        })
        .await?;
    Ok(see_other("/account?done=profile"))
}

/// Re-authentication for a sensitive change: `None` when the current password is right,
/// otherwise the message to show. Wrong guesses count toward the lockout exactly as at login,
/// so a stolen session cannot be used to guess the password.
async fn reauthenticate(
    state: &AppState,
    account: &Account,
    typed: &str,
    actor: &audit::Actor,
) -> Result<Option<&'static str>, WebError> {
    let password = normalise_password(typed);
    let check = check_password(
        state,
        account,
        &password,
        actor,
        AuditEvent::ReauthenticationFailed,
        None,
    )
    .await?;
    Ok(match check {
        PasswordCheck::Correct => None,
        PasswordCheck::Wrong => Some("account.wrong_password"),
        PasswordCheck::Locked => Some("login.locked"),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordChangeForm {
    pub csrf_token: String,
    pub current_password: String,
    pub password: String,
    pub password_confirm: String,
}

pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<PasswordChangeForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let (session, account) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let tr = PageContext::new(&req, &state).t;
    let actor = state.actor(&req);
    let mut errors = FieldErrors::new();
    if let Some(refusal) = reauthenticate(&state, &account, &form.current_password, &actor).await? {
        errors.insert("current_password", tr.t(refusal).to_owned());
    } else {
        let password = normalise_password(&form.password);
        let personal = [
            account.first_name.as_str(),
            account.last_name.as_str(),
            account.email.as_str(),
        ];
        if let Err(problem) = check_new_password(
            &password,
            &normalise_password(&form.password_confirm),
            &personal,
        ) {
            errors.insert("password", tr.t(problem.message_key()).to_owned());
        } else {
            let hash = state.hasher.hash(&password).await?;
            let (id, now, audit_actor) = (account.id.clone(), state.clock.now(), actor.clone());
            state
                .db
                .transaction(move |c| -> Result<(), WebError> {
                    accounts::set_password(c, &id, &hash, now)?;
                    audit::record(
                        c,
                        AuditEvent::PasswordChanged,
                        Some(&id),
                        &audit_actor,
                        "",
                        now,
                    )?;
                    Ok(())
                })
                .await?;
            // Every other session ends: whoever else knew the old password is out.
            let ended = state
                .sessions
                .end_all(&account.id, Some(&session.handle))
                .await?;
            crate::oidc::session_end::sessions_ended(&state, &ended).await?;
            let lang = Lang::parse(&account.language).unwrap_or(Lang::En);
            state.send_mail(
                &account.email,
                lang,
                "mail.password_changed",
                &[("name", &account.first_name)],
            );
            return Ok(see_other("/account?done=password"));
        }
    }
    let view = Render {
        errors,
        status: StatusCode::UNPROCESSABLE_ENTITY,
        ..Default::default()
    };
    render(&req, &state, &session, &account, view).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailChangeForm {
    pub csrf_token: String,
    pub new_email: String,
    pub current_password: String,
}

/// Sends a confirmation link to the new address. If another account already uses it, that
/// address gets a notice instead, and this page says the same as always.
pub async fn request_email_change(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<EmailChangeForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let (session, account) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    // Like a change of second factor: a recent login, with the second factor if there is one.
    if !crate::http::security::recently_proven(&state, &session).await? {
        state.metrics.event("reauthentication_required");
        return Ok(see_other(REAUTHENTICATE));
    }
    let ctx = PageContext::new(&req, &state);
    let tr = ctx.t;
    let mut errors = FieldErrors::new();
    let new_email = match normalise_email(&form.new_email) {
        Ok(e) if e == account.email => {
            errors.insert("new_email", tr.t("account.email_same").to_owned());
            None
        }
        Ok(e) => Some(e),
        Err(p) => {
            errors.insert("new_email", email_error(&tr, p));
            None
        }
    };
    let Some(new_email) = new_email else {
        let view = Render {
            new_email: form.new_email.trim(),
            errors,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Default::default()
        };
        return render(&req, &state, &session, &account, view).await;
    };
    let actor = state.actor(&req);
    if let Some(refusal) = reauthenticate(&state, &account, &form.current_password, &actor).await? {
        errors.insert("email_password", tr.t(refusal).to_owned());
        let view = Render {
            new_email: form.new_email.trim(),
            errors,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Default::default()
        };
        return render(&req, &state, &session, &account, view).await;
    }
    if let Verdict::Refused { retry_after_secs } = state
        .mail_rate_limit(
            &format!("mail_ip:{}", actor.ip),
            &rate_limit::personal_bucket("mail_to", &new_email),
        )
        .await?
    {
        return Ok(state.too_many_requests(&ctx, retry_after_secs));
    }
    let token = infra::crypto::random_token();
    let (hash, now, id, target) = (
        infra::crypto::sha256_hex(token.as_bytes()),
        state.clock.now(),
        account.id.clone(),
        new_email.clone(),
    );
    let taken = state
        .db
        .transaction(move |c| -> Result<bool, WebError> {
            if accounts::find_by_email(c, &target)?.is_some() {
                audit::record(
                    c,
                    AuditEvent::EmailChangeRequested,
                    Some(&id),
                    &actor,
                    "address in use",
                    now,
                )?;
                return Ok(true);
            }
            links::issue(c, &id, LinkPurpose::ChangeEmail, &hash, Some(&target), now)?;
            audit::record(
                c,
                AuditEvent::EmailChangeRequested,
                Some(&id),
                &actor,
                &target,
                now,
            )?;
            Ok(false)
        })
        .await?;
    let lang = Lang::parse(&account.language).unwrap_or(Lang::En);
    if taken {
        state.send_mail(
            &new_email,
            lang,
            "mail.email_in_use",
            &[("email", &new_email)],
        );
    } else {
        let link = format!(
            "{}/email/confirm?token={token}",
            state.settings.public_base()
        );
        state.send_link_mail(
            &new_email,
            lang,
            "mail.confirm_email",
            &account.first_name,
            &link,
        );
    }
    Ok(see_other("/account?done=email"))
}

#[derive(Template)]
#[template(path = "email_confirm.html")]
struct ConfirmEmailPage<'a> {
    ctx: &'a PageContext,
    token: &'a str,
    message: String,
}

/// The link from the confirmation e-mail shows a button; the change happens on POST, so a
/// mail scanner that follows links cannot confirm it.
pub async fn confirm_email_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, WebError> {
    let ctx = PageContext::new(&req, &state);
    let (hash, now) = (
        infra::crypto::sha256_hex(query.token.trim().as_bytes()),
        state.clock.now(),
    );
    let link = state
        .db
        .run(move |c| Ok(links::check(c, &hash, &[LinkPurpose::ChangeEmail], now)?))
        .await?;
    match link {
        Ok(link) => {
            let new_email = link.new_email.unwrap_or_default();
            let message = ctx.t.fill("email_confirm.body", &[("email", &new_email)]);
            Ok(ctx.ok(&ConfirmEmailPage {
                ctx: &ctx,
                token: query.token.trim(),
                message,
            }))
        }
        Err(_) => Ok(link_invalid(&ctx, "/account")),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmEmailForm {
    pub csrf_token: String,
    pub token: String,
}

pub async fn confirm_email_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ConfirmEmailForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let ctx = PageContext::new(&req, &state);
    let (hash, now, actor) = (
        infra::crypto::sha256_hex(form.token.trim().as_bytes()),
        state.clock.now(),
        state.actor(&req),
    );
    let outcome = state
        .db
        .transaction(move |c| -> Result<(Account, String), WebError> {
            let link = match links::consume(c, &hash, &[LinkPurpose::ChangeEmail], now)? {
                Ok(link) => link,
                Err(refusal) => return Err(WebError::LinkRefused(refusal)),
            };
            let new_email = link.new_email.clone().unwrap_or_default();
            let account = accounts::find_by_id(c, &link.account_id)?
                .ok_or(WebError::LinkRefused(links::LinkRefusal::Unknown))?;
            match accounts::update_email(c, &account.id, &new_email, now) {
                Err(e) if infra::db::is_unique_violation(&e) => {
                    return Err(WebError::LinkRefused(links::LinkRefusal::Unknown));
                }
                other => other?,
            }
            audit::record(
                c,
                AuditEvent::EmailChanged,
                Some(&account.id),
                &actor,
                &format!("{} → {new_email}", account.email),
                now,
            )?;
            Ok((account, new_email))
        })
        .await;
    let (account, new_email) = match outcome {
        Ok(done) => done,
        Err(WebError::LinkRefused(_)) => return Ok(link_invalid(&ctx, "/account")),
        Err(e) => return Err(e),
    };
    let lang = Lang::parse(&account.language).unwrap_or(Lang::En);
    // The old address learns of the change, in case it was not its owner's doing.
    state.send_mail(
        &account.email,
        lang,
        "mail.email_changed",
        &[("name", &account.first_name), ("email", &new_email)],
    );
    Ok(ctx.ok(&NoticePage {
        ctx: &ctx,
        title: ctx.t.t("email_confirm.done_title"),
        lines: vec![
            ctx.t
                .fill("email_confirm.done_body", &[("email", &new_email)]),
        ],
        action: Some(("/account", ctx.t.t("account.title"))),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndSessionForm {
    pub csrf_token: String,
    pub session: String,
}

/// Ends one of the account's own sessions (never another account's).
pub async fn end_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<EndSessionForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let (_session, account) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let own = state
        .sessions
        .list(&account.id)
        .await?
        .into_iter()
        .find(|s| s.handle == form.session);
    if let Some(ended) = own {
        state.sessions.end(&form.session, &account.id).await?;
        crate::oidc::session_end::session_ended(&state, &ended.record).await?;
        state
            .audit(
                AuditEvent::SessionEnded,
                Some(&account.id),
                &state.actor(&req),
                "",
            )
            .await?;
    }
    Ok(see_other("/account?done=session"))
}
