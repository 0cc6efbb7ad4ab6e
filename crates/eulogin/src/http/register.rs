//! "Create an account": first name, last name, e-mail twice, e-mail language, the captcha and
//! the privacy statement. On success an e-mail with a link to set the password. Registering
//! an address that already has an account shows the very same page and e-mails the owner.

use crate::app::AppState;
use crate::domain::email::{EmailProblem, normalise_email};
use crate::domain::links::{LINK_VALIDITY, LinkPurpose};
use crate::domain::names::{NameProblem, clean_name, looks_generic};
use crate::http::errors::WebError;
use crate::http::forms::{FieldErrors, reject_forgery};
use crate::http::page::PageContext;
use crate::i18n::{Lang, Tr};
use crate::security::captcha;
use crate::security::rate_limit::{self, Verdict};
use crate::store::audit::{self, AuditEvent};
use crate::store::{accounts, links};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub csrf_token: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub email_confirm: String,
    pub language: String,
    pub captcha_id: String,
    pub captcha_answer: String,
    pub privacy: String,
    pub confirm_real_person: String,
    pub refresh_captcha: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    ctx: &'a PageContext,
    form: &'a RegisterForm,
    errors: &'a FieldErrors,
    captcha_id: Option<String>,
    generic_warning: bool,
}

#[derive(Template)]
#[template(path = "notice.html")]
pub struct NoticePage<'a> {
    pub ctx: &'a PageContext,
    pub title: &'a str,
    pub lines: Vec<String>,
    pub action: Option<(&'a str, &'a str)>,
}

async fn render_form(
    ctx: &PageContext,
    state: &AppState,
    form: &RegisterForm,
    errors: &FieldErrors,
    generic_warning: bool,
) -> Result<HttpResponse, WebError> {
    let captcha_id = if state.settings.captcha {
        Some(captcha::create(&state.kv).await?)
    } else {
        None
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(ctx.render(
        status,
        &RegisterPage {
            ctx,
            form,
            errors,
            captcha_id,
            generic_warning,
        },
    ))
}

pub async fn form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let ctx = PageContext::new(&req, &state);
    let form = RegisterForm {
        language: ctx.lang().code().to_owned(),
        ..Default::default()
    };
    render_form(&ctx, &state, &form, &FieldErrors::new(), false).await
}

fn name_error(tr: &Tr, problem: NameProblem) -> String {
    tr.t(match problem {
        NameProblem::Missing => "form.required",
        NameProblem::TooLong => "register.name_too_long",
        NameProblem::InvalidCharacters => "register.name_invalid",
    })
    .to_owned()
}

pub fn email_error(tr: &Tr, problem: EmailProblem) -> String {
    tr.t(match problem {
        EmailProblem::Missing => "form.required",
        EmailProblem::Invalid => "register.email_invalid",
        EmailProblem::TooLong => "register.email_too_long",
    })
    .to_owned()
}

/// What a valid form yields.
struct Registration {
    first_name: String,
    last_name: String,
    email: String,
    language: Lang,
}

fn validate(tr: &Tr, form: &RegisterForm, errors: &mut FieldErrors) -> Option<Registration> {
    let first_name = clean_name(&form.first_name)
        .map_err(|p| errors.insert("first_name", name_error(tr, p)))
        .ok();
    let last_name = clean_name(&form.last_name)
        .map_err(|p| errors.insert("last_name", name_error(tr, p)))
        .ok();
    let email = normalise_email(&form.email)
        .map_err(|p| errors.insert("email", email_error(tr, p)))
        .ok();
    if let Some(email) = &email {
        match normalise_email(&form.email_confirm) {
            Ok(confirm) if &confirm == email => {}
            Err(EmailProblem::Missing) => {
                errors.insert("email_confirm", tr.t("form.required").to_owned());
            }
            _ => {
                errors.insert("email_confirm", tr.t("register.email_mismatch").to_owned());
            }
        }
    }
    let language = Lang::parse(&form.language);
    if language.is_none() {
        errors.insert("language", tr.t("register.language_invalid").to_owned());
    }
    if form.privacy != "yes" {
        errors.insert("privacy", tr.t("register.privacy_required").to_owned());
    }
    Some(Registration {
        first_name: first_name?,
        last_name: last_name?,
        email: email?,
        language: language?,
    })
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let ctx = PageContext::new(&req, &state);
    let tr = ctx.t;
    let mut form = form.into_inner();
    if form.refresh_captcha == "yes" {
        form.captcha_answer.clear();
        return render_form(&ctx, &state, &form, &FieldErrors::new(), false).await;
    }
    let mut errors = FieldErrors::new();
    let valid = validate(&tr, &form, &mut errors);
    if state.settings.captcha
        && !captcha::check(&state.kv, &form.captcha_id, &form.captcha_answer).await?
    {
        errors.insert(
            "captcha_answer",
            tr.t(if form.captcha_answer.trim().is_empty() {
                "form.required"
            } else {
                "register.captcha_wrong"
            })
            .to_owned(),
        );
    }
    form.captcha_answer.clear();
    let generic = valid
        .as_ref()
        .is_some_and(|r| looks_generic(&r.first_name, &r.last_name));
    let Some(registration) = valid.filter(|_| errors.is_empty()) else {
        return render_form(&ctx, &state, &form, &errors, generic).await;
    };
    if generic && form.confirm_real_person != "yes" {
        errors.insert(
            "first_name",
            tr.t("register.generic_confirm_needed").to_owned(),
        );
        return render_form(&ctx, &state, &form, &errors, true).await;
    }

    let actor = state.actor(&req);
    let ip_bucket = format!("mail_ip:{}", actor.ip);
    let address_bucket = rate_limit::personal_bucket("mail_to", &registration.email);
    if let Verdict::Refused { retry_after_secs } =
        state.mail_rate_limit(&ip_bucket, &address_bucket).await?
    {
        return Ok(state.too_many_requests(&ctx, retry_after_secs));
    }

    let now = state.clock.now();
    let token = infra::crypto::random_token();
    let token_hash = infra::crypto::sha256_hex(token.as_bytes());
    let email = registration.email.clone();
    let new = accounts::NewAccount {
        email: registration.email.clone(),
        first_name: registration.first_name.clone(),
        last_name: registration.last_name.clone(),
        language: registration.language.code().to_owned(),
    };
    let audit_actor = actor.clone();
    // One transaction: the account (if new), its link and the audit record, or nothing.
    let outcome = state
        .db
        .transaction(move |conn| -> Result<Outcome, WebError> {
            match accounts::find_by_email(conn, &email)? {
                Some(existing) if existing.password_hash.is_some() => {
                    audit::record(
                        conn,
                        AuditEvent::RegistrationRepeated,
                        Some(&existing.id),
                        &audit_actor,
                        "",
                        now,
                    )?;
                    Ok(Outcome::AlreadyRegistered(existing))
                }
                Some(pending) => {
                    // Registered before but never set a password: a fresh link, the old one void.
                    links::issue(
                        conn,
                        &pending.id,
                        LinkPurpose::SetPassword,
                        &token_hash,
                        None,
                        now,
                    )?;
                    audit::record(
                        conn,
                        AuditEvent::RegistrationRepeated,
                        Some(&pending.id),
                        &audit_actor,
                        "pending",
                        now,
                    )?;
                    Ok(Outcome::LinkIssued(
                        pending.first_name,
                        Lang::parse(&pending.language).unwrap_or(Lang::En),
                    ))
                }
                None => {
                    let id = accounts::insert(conn, &new, now)?;
                    links::issue(conn, &id, LinkPurpose::SetPassword, &token_hash, None, now)?;
                    audit::record(
                        conn,
                        AuditEvent::Registered,
                        Some(&id),
                        &audit_actor,
                        "",
                        now,
                    )?;
                    Ok(Outcome::LinkIssued(
                        new.first_name.clone(),
                        registration.language,
                    ))
                }
            }
        })
        .await?;

    match outcome {
        Outcome::LinkIssued(first_name, lang) => {
            state.metrics.event("registration");
            let link = format!(
                "{}/password/new?token={token}",
                state.settings.public_base()
            );
            state.send_link_mail(
                &registration.email,
                lang,
                "mail.set_password",
                &first_name,
                &link,
            );
        }
        Outcome::AlreadyRegistered(existing) => {
            let lang = Lang::parse(&existing.language).unwrap_or(Lang::En);
            let forgot = format!("{}/password/forgot", state.settings.public_base());
            state.send_link_mail(
                &existing.email,
                lang,
                "mail.already_registered",
                &existing.first_name,
                &forgot,
            );
        }
    }
    Ok(check_your_mail(&ctx, &registration.email))
}

enum Outcome {
    LinkIssued(String, Lang),
    AlreadyRegistered(accounts::Account),
}

/// The page after registration: the same whether the address was new or known.
fn check_your_mail(ctx: &PageContext, email: &str) -> HttpResponse {
    let minutes = LINK_VALIDITY.whole_minutes().to_string();
    ctx.ok(&NoticePage {
        ctx,
        title: ctx.t.t("register.sent_title"),
        lines: vec![
            ctx.t.fill("register.sent_body", &[("email", email)]),
            ctx.t
                .fill("register.sent_validity", &[("minutes", &minutes)]),
            ctx.t.t("register.sent_spam").to_owned(),
        ],
        action: None,
    })
}
