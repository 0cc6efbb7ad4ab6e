//! "Manage my mobile devices": adding the EU Login mobile app on a phone. The person names the
//! device and chooses a PIN in the browser; the page shows a QR code with a one-time enrolment
//! token; the app scans it and registers its key (see `http::app_api`), sending the same PIN.
//! The page follows the enrolment: a small script polls and moves on when the app has
//! registered; without JavaScript, a button does the same.

use crate::app::AppState;
use crate::factors::mobile::{
    ENROLMENT_LIFETIME, EnrolmentStatus, PendingEnrolment, pin_context, pin_problem, token_hash,
};
use crate::factors::qr;
use crate::http::account::signed_in;
use crate::http::errors::WebError;
use crate::http::page::{PageContext, see_other};
use crate::http::security::{View, device_name, may_change, render};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use eulogin_mobile_protocol::EnrolmentPayload;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeviceForm {
    pub csrf_token: String,
    pub name: String,
    pub pin: String,
    pub pin_again: String,
}

#[derive(Template)]
#[template(path = "security_device.html")]
struct EnrolPage<'a> {
    ctx: &'a PageContext,
    qr_svg: String,
    payload: String,
    minutes: i64,
    notice: Option<String>,
}

const ENROL_PAGE: &str = "/account/security/devices/enrol";
const DONE_PAGE: &str = "/account/security/devices/done";

/// `POST /account/security/devices`: checks the name and PIN, then shows the QR code.
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<DeviceForm>,
) -> Result<HttpResponse, WebError> {
    let (session, account, _) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let ctx = PageContext::new(&req, &state);
    let name = device_name(&form.name);
    let problem = match (&name, pin_problem(&form.pin)) {
        (None, _) => Some("mobile.name_required"),
        (_, Some(problem)) => Some(problem),
        _ if form.pin != form.pin_again => Some("mobile.pin_mismatch"),
        _ => None,
    };
    let (Some(name), None) = (name, problem) else {
        let view = View {
            error: problem.map(|key| ctx.t.t(key).to_owned()),
            status: StatusCode::BAD_REQUEST,
            ..Default::default()
        };
        return render(&req, &state, &session, &account, view).await;
    };
    let payload = EnrolmentPayload::generate(state.settings.public_url.clone())
        .map_err(|e| WebError::KeyValue(infra::kv::KvError::other(e.to_string())))?;
    let enrolment = PendingEnrolment {
        account_id: account.id.clone(),
        session_handle: session.handle.clone(),
        name,
        pin_hash: state
            .factors
            .codes
            .hash(&pin_context(&token_hash(&payload.token)), &form.pin),
    };
    let sealed = state
        .factors
        .sealer
        .seal(&session.handle, payload.to_uri().as_bytes());
    state
        .mobile
        .begin_enrolment(&payload.token, &enrolment, &sealed)
        .await?;
    Ok(see_other(ENROL_PAGE))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EnrolQuery {
    pub waiting: String,
}

/// `GET /account/security/devices/enrol`: the QR code to scan, while the enrolment waits.
pub async fn enrol_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<EnrolQuery>,
) -> Result<HttpResponse, WebError> {
    let (session, _) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let waiting = state.mobile.enrolment_status(&session.handle).await? == EnrolmentStatus::Waiting;
    let payload = match state.mobile.enrolment_payload(&session.handle).await? {
        Some(sealed) if waiting => state.factors.sealer.open(&session.handle, &sealed).ok(),
        _ => None,
    };
    let Some(uri) = payload.and_then(|bytes| String::from_utf8(bytes).ok()) else {
        return Ok(see_other(DONE_PAGE));
    };
    let ctx = PageContext::new(&req, &state);
    let notice = (!query.waiting.is_empty()).then(|| ctx.t.t("mobile.not_scanned_yet").to_owned());
    let mut response = ctx.render(
        StatusCode::OK,
        &EnrolPage {
            ctx: &ctx,
            qr_svg: qr::svg(&uri).unwrap_or_default(),
            payload: uri,
            minutes: ENROLMENT_LIFETIME.whole_minutes(),
            notice,
        },
    );
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// `GET /account/security/devices/status`: how the enrolment this session started stands
/// (`waiting`, `done`, `expired`), for the page's script.
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let session = match signed_in(&req, &state).await? {
        Ok((session, _)) => session,
        Err(_) => {
            return Ok(HttpResponse::Unauthorized()
                .insert_header(("Cache-Control", "no-store"))
                .json(EnrolmentStatus::Expired));
        }
    };
    let status = state.mobile.enrolment_status(&session.handle).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(status))
}

/// `GET /account/security/devices/done`: where the page goes once the app has scanned (or the
/// person presses "I have scanned it"): the security page with what happened.
pub async fn done(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let (session, account) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let ctx = PageContext::new(&req, &state);
    let view = match state.mobile.enrolment_status(&session.handle).await? {
        EnrolmentStatus::Done { name } => View {
            flash: Some(ctx.t.fill("mobile.added", &[("name", &name)])),
            ..Default::default()
        },
        EnrolmentStatus::Waiting => return Ok(see_other(&format!("{ENROL_PAGE}?waiting=1"))),
        EnrolmentStatus::Expired => View {
            error: Some(ctx.t.t("mobile.enrolment_expired").to_owned()),
            ..Default::default()
        },
    };
    render(&req, &state, &session, &account, view).await
}
