//! Setting a password through an e-mailed link (after registration, or after "Forgot your
//! password"). A link works for 90 minutes, once; the newest link voids the older ones.
//! Setting a password through a link unblocks the account and ends all its sessions.

use crate::app::AppState;
use crate::domain::email::normalise_email;
use crate::domain::links::{LINK_VALIDITY, LinkPurpose};
use crate::domain::password_policy::{check_new_password, normalise_password};
use crate::http::errors::WebError;
use crate::http::forms::{FieldErrors, reject_forgery};
use crate::http::page::PageContext;
use crate::http::register::{NoticePage, email_error};
use crate::i18n::Lang;
use crate::security::rate_limit::{self, Verdict};
use crate::store::accounts;
use crate::store::audit::{self, AuditEvent};
use crate::store::links::{self, LinkRefusal};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const PASSWORD_LINKS: &[LinkPurpose] = &[LinkPurpose::SetPassword, LinkPurpose::ResetPassword];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    pub token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewPasswordForm {
    pub csrf_token: String,
    pub token: String,
    pub password: String,
    pub password_confirm: String,
}

#[derive(Template)]
#[template(path = "password_new.html")]
struct NewPasswordPage<'a> {
    ctx: &'a PageContext,
    token: &'a str,
    email: &'a str,
    greeting: String,
    errors: &'a FieldErrors,
}

/// The page for a link that does not work (unknown, used, superseded or expired): one message
/// for all, and the way to a new link.
pub fn link_invalid(ctx: &PageContext, retry_href: &'static str) -> HttpResponse {
    ctx.render(
        StatusCode::GONE,
        &NoticePage {
            ctx,
            title: ctx.t.t("link.invalid_title"),
            lines: vec![ctx.t.t("link.invalid_body").to_owned()],
            action: Some((retry_href, ctx.t.t("link.request_new"))),
        },
    )
}

fn token_hash(token: &str) -> String {
    infra::crypto::sha256_hex(token.trim().as_bytes())
}

/// The link's account, or the reason it does not work.
async fn resolve(
    state: &AppState,
    token: &str,
) -> Result<Result<accounts::Account, LinkRefusal>, WebError> {
    let (hash, now) = (token_hash(token), state.clock.now());
    Ok(state
        .db
        .run(move |c| {
            Ok(match links::check(c, &hash, PASSWORD_LINKS, now)? {
                Ok(link) => accounts::find_by_id(c, &link.account_id)?.ok_or(LinkRefusal::Unknown),
                Err(refusal) => Err(refusal),
            })
        })
        .await?)
}

async fn refuse_link(
    req: &HttpRequest,
    state: &AppState,
    ctx: &PageContext,
    refusal: LinkRefusal,
) -> Result<HttpResponse, WebError> {
    state
        .audit(
            AuditEvent::LinkRefused,
            None,
            &state.actor(req),
            &format!("{refusal:?}"),
        )
        .await?;
    state.metrics.event("link_refused");
    Ok(link_invalid(ctx, "/password/forgot"))
}

pub async fn link_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, WebError> {
    let ctx = PageContext::new(&req, &state);
    match resolve(&state, &query.token).await? {
        Err(refusal) => refuse_link(&req, &state, &ctx, refusal).await,
        Ok(account) => Ok(ctx.ok(&NewPasswordPage {
            ctx: &ctx,
            token: query.token.trim(),
            email: &account.email,
            greeting: ctx
                .t
                .fill("password_new.greeting", &[("name", &account.first_name)]),
            errors: &FieldErrors::new(),
        })),
    }
}

pub async fn link_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let ctx = PageContext::new(&req, &state);
    let account = match resolve(&state, &form.token).await? {
        Err(refusal) => return refuse_link(&req, &state, &ctx, refusal).await,
        Ok(account) => account,
    };
    let password = normalise_password(&form.password);
    let confirmation = normalise_password(&form.password_confirm);
    let personal = [
        account.first_name.as_str(),
        account.last_name.as_str(),
        account.email.as_str(),
    ];
    if let Err(problem) = check_new_password(&password, &confirmation, &personal) {
        let errors = FieldErrors::from([("password", ctx.t.t(problem.message_key()).to_owned())]);
        return Ok(ctx.render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPasswordPage {
                ctx: &ctx,
                token: form.token.trim(),
                email: &account.email,
                greeting: ctx
                    .t
                    .fill("password_new.greeting", &[("name", &account.first_name)]),
                errors: &errors,
            },
        ));
    }
    let hash = state.hasher.hash(&password).await?;
    let (token_hash, now, actor) = (
        token_hash(&form.token),
        state.clock.now(),
        state.actor(&req),
    );
    let consumed = state
        .db
        .transaction(move |c| -> Result<(String, LinkPurpose), WebError> {
            let link = match links::consume(c, &token_hash, PASSWORD_LINKS, now)? {
                Ok(link) => link,
                Err(refusal) => return Err(WebError::LinkRefused(refusal)),
            };
            accounts::set_password(c, &link.account_id, &hash, now)?;
            audit::record(
                c,
                AuditEvent::PasswordSet,
                Some(&link.account_id),
                &actor,
                link.purpose.as_str(),
                now,
            )?;
            Ok((link.account_id, link.purpose))
        })
        .await;
    let (account_id, purpose) = match consumed {
        Ok(done) => done,
        Err(WebError::LinkRefused(refusal)) => {
            return refuse_link(&req, &state, &ctx, refusal).await;
        }
        Err(e) => return Err(e),
    };
    let ended = state.sessions.end_all(&account_id, None).await?;
    crate::oidc::session_end::sessions_ended(&state, &ended).await?;
    state.metrics.event("password_set");
    if purpose == LinkPurpose::ResetPassword {
        let lang = Lang::parse(&account.language).unwrap_or(Lang::En);
        state.send_mail(
            &account.email,
            lang,
            "mail.password_changed",
            &[("name", &account.first_name)],
        );
    }
    tracing::info!(sessions_ended = ended.len(), "password set through a link");
    Ok(ctx.ok(&NoticePage {
        ctx: &ctx,
        title: ctx.t.t("password_new.done_title"),
        lines: vec![ctx.t.t("password_new.done_body").to_owned()],
        action: Some(("/login", ctx.t.t("nav.login"))),
    }))
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage<'a> {
    ctx: &'a PageContext,
    email: &'a str,
    errors: &'a FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    pub csrf_token: String,
    pub email: String,
}

pub async fn forgot_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let ctx = PageContext::new(&req, &state);
    ctx.ok(&ForgotPage {
        ctx: &ctx,
        email: "",
        errors: &FieldErrors::new(),
    })
}

/// Sends a reset link if the address has an account; answers the same either way.
pub async fn forgot_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let ctx = PageContext::new(&req, &state);
    let email = match normalise_email(&form.email) {
        Ok(email) => email,
        Err(problem) => {
            let errors = FieldErrors::from([("email", email_error(&ctx.t, problem))]);
            return Ok(ctx.render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ForgotPage {
                    ctx: &ctx,
                    email: form.email.trim(),
                    errors: &errors,
                },
            ));
        }
    };
    let actor = state.actor(&req);
    let address_bucket = rate_limit::personal_bucket("mail_to", &email);
    if let Verdict::Refused { retry_after_secs } = state
        .mail_rate_limit(&format!("mail_ip:{}", actor.ip), &address_bucket)
        .await?
    {
        return Ok(state.too_many_requests(&ctx, retry_after_secs));
    }
    let token = infra::crypto::random_token();
    let (hash, now, lookup) = (token_hash(&token), state.clock.now(), email.clone());
    let account = state
        .db
        .transaction(move |c| -> Result<Option<accounts::Account>, WebError> {
            let Some(account) = accounts::find_by_email(c, &lookup)? else {
                return Ok(None);
            };
            links::issue(c, &account.id, LinkPurpose::ResetPassword, &hash, None, now)?;
            audit::record(
                c,
                AuditEvent::PasswordResetRequested,
                Some(&account.id),
                &actor,
                "",
                now,
            )?;
            Ok(Some(account))
        })
        .await?;
    if let Some(account) = account {
        let lang = Lang::parse(&account.language).unwrap_or(Lang::En);
        let link = format!(
            "{}/password/new?token={token}",
            state.settings.public_base()
        );
        state.send_link_mail(
            &account.email,
            lang,
            "mail.reset_password",
            &account.first_name,
            &link,
        );
        state.metrics.event("password_reset_requested");
    }
    let minutes = LINK_VALIDITY.whole_minutes().to_string();
    Ok(ctx.ok(&NoticePage {
        ctx: &ctx,
        title: ctx.t.t("forgot.sent_title"),
        lines: vec![
            ctx.t.fill("forgot.sent_body", &[("email", &email)]),
            ctx.t
                .fill("register.sent_validity", &[("minutes", &minutes)]),
        ],
        action: None,
    }))
}
