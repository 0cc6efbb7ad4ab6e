//! The mobile app's JSON API (`/app/v1/…`; the protocol is in `proto/mobile-app.md`):
//! enrolment of a device from the QR code, the login requests waiting for the device's
//! account, and the decisions, signed with the device key and approved with the PIN.
//! Every refusal is an RFC 9457 problem; nothing here sets or needs a cookie.

use crate::app::AppState;
use crate::factors::mobile::{
    self, CLOCK_SKEW_SECS, MAX_WRONG_PINS, PushDecision, assertion_device_id, pin_context,
    verify_assertion,
};
use crate::http::errors::WebError;
use crate::security::rate_limit::{self, Limit, Verdict};
use crate::store::accounts;
use crate::store::audit::AuditEvent;
use crate::store::factors::{self as factor_store, Factor, FactorKind, NewFactor};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use eulogin_mobile_protocol::messages::{DEVICE_SECRET_BYTES, PROBLEM_CONTENT_TYPE, problem_type};
use eulogin_mobile_protocol::{
    AUTH_SCHEME, Decision, DecisionResponse, DeviceClaims, ENROL_PATH, EnrolRequest, EnrolResponse,
    PendingRequest, PendingRequests, Problem, PublicJwk, REQUESTS_PATH, decision_url, endpoint_url,
    is_well_formed_pin,
};
use time::Duration;

/// Largest body the API reads (an enrolment is a few hundred bytes).
const MAX_BODY: usize = 8 * 1024;
/// Enrolment attempts from one address.
const ENROLMENTS_PER_IP: Limit = Limit {
    max: 20,
    window: Duration::minutes(10),
};
/// Calls by one device (the app polls while a login waits).
const CALLS_PER_DEVICE: Limit = Limit {
    max: 120,
    window: Duration::minutes(1),
};

fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = HttpResponseBuilder::new(status);
    response
        .content_type(PROBLEM_CONTENT_TYPE)
        .insert_header(("Cache-Control", "no-store"));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header(("WWW-Authenticate", AUTH_SCHEME));
    }
    response.json(problem)
}

fn refuse(status: u16, kind: &str, title: &str, detail: &str) -> HttpResponse {
    problem_response(&Problem::new(status, kind, title).with_detail(detail))
}

fn invalid_request(detail: &str) -> HttpResponse {
    refuse(
        400,
        problem_type::INVALID_REQUEST,
        "Invalid request",
        detail,
    )
}

fn invalid_assertion() -> HttpResponse {
    refuse(
        401,
        problem_type::INVALID_ASSERTION,
        "Invalid device assertion",
        "The Authorization header does not carry a valid, fresh assertion of an active device.",
    )
}

fn rate_limited(retry_after_secs: i64) -> HttpResponse {
    let mut response = refuse(
        429,
        problem_type::RATE_LIMITED,
        "Too many requests",
        "Too many requests; try again later.",
    );
    if let Ok(value) = retry_after_secs.to_string().parse() {
        response
            .headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, value);
    }
    response
}

/// A failure of the server itself, as a problem without internal detail (logged instead).
fn internal(error: impl Into<WebError>) -> HttpResponse {
    let error = error.into();
    tracing::error!(error = %error, "mobile app API failed");
    problem_response(&Problem::new(
        500,
        "urn:problem:internal",
        "The service failed; try again.",
    ))
}

fn ok_json<T: serde::Serialize>(status: StatusCode, body: &T) -> HttpResponse {
    HttpResponseBuilder::new(status)
        .insert_header(("Cache-Control", "no-store"))
        .json(body)
}

/// `a***@example.eu`: enough for the person to recognise their account on the phone.
fn account_hint(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// `POST /app/v1/devices`: the app answers an enrolment QR code with its public key and the
/// PIN the person chose in the browser.
pub async fn enrol(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    match enrol_device(&req, &state, &body).await {
        Ok(response) => response,
        Err(error) => internal(error),
    }
}

async fn enrol_device(
    req: &HttpRequest,
    state: &AppState,
    body: &[u8],
) -> Result<HttpResponse, WebError> {
    let ip = state.actor(req).ip;
    if let Verdict::Refused { retry_after_secs } =
        rate_limit::check(&state.kv, &format!("app_enrol_ip:{ip}"), ENROLMENTS_PER_IP).await?
    {
        return Ok(rate_limited(retry_after_secs));
    }
    if body.len() > MAX_BODY {
        return Ok(invalid_request("The body is too large."));
    }
    let Ok(request) = serde_json::from_slice::<EnrolRequest>(body) else {
        return Ok(invalid_request(
            "The body must be a JSON enrolment request (enrolment_token, public_key, pin).",
        ));
    };
    let Ok(public_key) = PublicJwk::from_value(&request.public_key) else {
        return Ok(invalid_request("public_key must be a P-256 public JWK."));
    };
    if !is_well_formed_pin(&request.pin) {
        return Ok(invalid_request("pin must be four digits."));
    }
    let token = request.enrolment_token.as_str();
    let Some(enrolment) = state.mobile.enrolment(token).await? else {
        return Ok(invalid_enrolment_token());
    };
    let token_context = pin_context(&mobile::token_hash(token));
    if !state
        .factors
        .codes
        .matches(&token_context, &request.pin, &enrolment.pin_hash)
    {
        let left = state.mobile.wrong_enrolment_pin(token).await?;
        if left == 0 {
            return Ok(refuse(
                400,
                problem_type::INVALID_ENROLMENT_TOKEN,
                "Enrolment code no longer valid",
                "Too many wrong PINs: add the device again in the browser.",
            ));
        }
        return Ok(problem_response(
            &Problem::new(403, problem_type::WRONG_PIN, "Wrong PIN")
                .with_detail("The PIN is not the one chosen in the browser.")
                .with_remaining_attempts(u32::try_from(left).unwrap_or(0)),
        ));
    }
    if !state.mobile.take_enrolment(token).await? {
        return Ok(invalid_enrolment_token());
    }
    let account_id = enrolment.account_id.clone();
    let account = state
        .db
        .run(move |c| Ok(accounts::find_by_id(c, &account_id)?))
        .await?;
    let Some(account) = account else {
        return Ok(invalid_enrolment_token());
    };
    let device_id = factor_store::new_id();
    let secret = infra::crypto::random_bytes::<DEVICE_SECRET_BYTES>();
    let new = NewFactor {
        id: device_id.clone(),
        account_id: enrolment.account_id.clone(),
        kind: FactorKind::App,
        name: enrolment.name.clone(),
        lookup: device_id.clone(),
        public_key: public_key.to_value().to_string(),
        secret: Some(state.factors.sealer.seal(&device_id, &secret)),
        verifier: Some(
            state
                .factors
                .codes
                .hash(&pin_context(&device_id), &request.pin),
        ),
        counter: 0,
    };
    let now = state.clock.now();
    state
        .db
        .write(move |c| Ok(factor_store::insert(c, &new, now)?))
        .await?;
    state.mobile.enrolment_done(token, &enrolment.name).await?;
    crate::http::security::announce(
        req,
        state,
        &account,
        AuditEvent::FactorAdded,
        "mobile.change_added",
        &enrolment.name,
    )
    .await?;
    // The app has just proven the new device with its PIN: the browser that showed the QR
    // code counts as logged in with it (as a confirmed authenticator app does).
    state
        .sessions
        .raise(
            &enrolment.session_handle,
            crate::factors::Method::AppPin.proof(false),
        )
        .await?;
    state.metrics.event("app_device_enrolled");
    Ok(ok_json(
        StatusCode::CREATED,
        &EnrolResponse {
            device_id,
            device_secret: URL_SAFE_NO_PAD.encode(secret),
            name: enrolment.name,
            account_hint: account_hint(&account.email),
        },
    ))
}

fn invalid_enrolment_token() -> HttpResponse {
    refuse(
        400,
        problem_type::INVALID_ENROLMENT_TOKEN,
        "Enrolment code not valid",
        "This QR code is unknown, used or expired: add the device again in the browser.",
    )
}

/// The device that signed the request's assertion for `audience`, with the claims; or the
/// refusal. Checks, in order: the `Device` scheme, the header, an active device, the
/// signature and claims, a `jti` not seen before, and the device's rate.
async fn signed_by_device(
    req: &HttpRequest,
    state: &AppState,
    audience: &str,
) -> Result<Result<(Factor, DeviceClaims), HttpResponse>, WebError> {
    let assertion = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix(AUTH_SCHEME))
        .and_then(|v| v.strip_prefix(' '))
        .unwrap_or_default();
    let Some(device_id) = assertion_device_id(assertion) else {
        return Ok(Err(invalid_assertion()));
    };
    let id = device_id.clone();
    let device = state
        .db
        .run(move |c| Ok(factor_store::find_device(c, &id)?))
        .await?;
    let Some(device) = device.filter(Factor::is_usable) else {
        return Ok(Err(invalid_assertion()));
    };
    let now = state.clock.now().unix_timestamp();
    let Some(claims) = verify_assertion(assertion, &device, audience, now) else {
        return Ok(Err(invalid_assertion()));
    };
    let replay_key = format!(
        "app_jti:{}:{}",
        device.id,
        infra::crypto::sha256_hex(claims.jti.as_bytes())
    );
    let ttl = Duration::seconds((claims.exp - now).max(0) + CLOCK_SKEW_SECS);
    if !state.kv.set_if_absent(&replay_key, "1", ttl).await? {
        return Ok(Err(invalid_assertion()));
    }
    if let Verdict::Refused { retry_after_secs } = rate_limit::check(
        &state.kv,
        &format!("app_device:{}", device.id),
        CALLS_PER_DEVICE,
    )
    .await?
    {
        return Ok(Err(rate_limited(retry_after_secs)));
    }
    Ok(Ok((device, claims)))
}

/// `GET /app/v1/requests`: the logins of the device's account waiting for a decision.
pub async fn pending(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    match pending_requests(&req, &state).await {
        Ok(response) => response,
        Err(error) => internal(error),
    }
}

async fn pending_requests(req: &HttpRequest, state: &AppState) -> Result<HttpResponse, WebError> {
    let Ok(audience) = endpoint_url(&state.settings.public_url, REQUESTS_PATH) else {
        return Ok(invalid_assertion());
    };
    let (device, _) = match signed_by_device(req, state, audience.as_str()).await? {
        Ok(found) => found,
        Err(refusal) => return Ok(refusal),
    };
    let requests = state
        .mobile
        .pending_pushes(&device.account_id)
        .await?
        .into_iter()
        .map(|r| PendingRequest {
            id: r.id,
            number: r.number,
            application: r.application,
            created_at: r.created_at,
            expires_at: r.expires_at,
            browser: r.browser,
        })
        .collect();
    Ok(ok_json(StatusCode::OK, &PendingRequests { requests }))
}

/// `POST /app/v1/requests/{id}`: approve (with the PIN) or deny one waiting login.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    match decide_request(&req, &state, &id).await {
        Ok(response) => response,
        Err(error) => internal(error),
    }
}

async fn decide_request(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
) -> Result<HttpResponse, WebError> {
    let Ok(audience) = decision_url(&state.settings.public_url, id) else {
        return Ok(invalid_assertion());
    };
    let (device, claims) = match signed_by_device(req, state, audience.as_str()).await? {
        Ok(found) => found,
        Err(refusal) => return Ok(refusal),
    };
    let (Some(decision), true) = (claims.decision, claims.request_id.as_deref() == Some(id)) else {
        return Ok(invalid_assertion());
    };
    let request = state
        .mobile
        .find_push(id)
        .await?
        .filter(|r| r.account_id == device.account_id);
    let Some(request) = request else {
        return Ok(refuse(
            404,
            problem_type::REQUEST_NOT_FOUND,
            "No such request",
            "There is no such login waiting for this device.",
        ));
    };
    if state.mobile.decision(id).await?.is_some() {
        return Ok(already_decided());
    }
    if state.clock.now().unix_timestamp() >= request.expires_at {
        return Ok(refuse(
            410,
            problem_type::REQUEST_EXPIRED,
            "Request expired",
            "This login waited too long; start it again in the browser.",
        ));
    }
    let device_id = device.id.clone();
    let outcome = match decision {
        Decision::Deny => PushDecision::Denied { device_id },
        Decision::Approve => {
            let Some(pin) = claims.pin.as_deref().filter(|p| is_well_formed_pin(p)) else {
                return Ok(invalid_request("An approval carries the four-digit PIN."));
            };
            let right = device.verifier.as_deref().is_some_and(|verifier| {
                state
                    .factors
                    .codes
                    .matches(&pin_context(&device.id), pin, verifier)
            });
            if !right {
                return wrong_pin(req, state, &device).await;
            }
            let (id, now) = (device.id.clone(), state.clock.now());
            state
                .db
                .write(move |c| Ok(factor_store::record_use(c, &id, now)?))
                .await?;
            PushDecision::Approved { device_id }
        }
    };
    if !state.mobile.decide(&request, &outcome).await? {
        return Ok(already_decided());
    }
    let status = match outcome {
        PushDecision::Approved { .. } => "approved",
        PushDecision::Denied { .. } => {
            state
                .audit(
                    AuditEvent::SecondFactorFailed,
                    Some(&device.account_id),
                    &state.actor(req),
                    "app_pin: denied on the device",
                )
                .await?;
            "denied"
        }
    };
    state.metrics.event("app_decision");
    Ok(ok_json(
        StatusCode::OK,
        &DecisionResponse {
            status: status.to_owned(),
        },
    ))
}

fn already_decided() -> HttpResponse {
    refuse(
        409,
        problem_type::REQUEST_ALREADY_DECIDED,
        "Already decided",
        "This login was already approved or denied.",
    )
}

/// A wrong PIN: counted on the device; the tenth in a row disables it (audited and e-mailed).
async fn wrong_pin(
    req: &HttpRequest,
    state: &AppState,
    device: &Factor,
) -> Result<HttpResponse, WebError> {
    let (id, now) = (device.id.clone(), state.clock.now());
    let wrong = state
        .db
        .write(move |c| Ok(factor_store::record_wrong_pin(c, &id, MAX_WRONG_PINS, now)?))
        .await?;
    state
        .audit(
            AuditEvent::SecondFactorFailed,
            Some(&device.account_id),
            &state.actor(req),
            "app_pin: wrong PIN",
        )
        .await?;
    state.metrics.event("second_factor_failed");
    if wrong < MAX_WRONG_PINS {
        let left = u32::try_from(MAX_WRONG_PINS - wrong).unwrap_or(0);
        return Ok(problem_response(
            &Problem::new(403, problem_type::WRONG_PIN, "Wrong PIN")
                .with_detail("The PIN is not correct.")
                .with_remaining_attempts(left),
        ));
    }
    let account_id = device.account_id.clone();
    let account = state
        .db
        .run(move |c| Ok(accounts::find_by_id(c, &account_id)?))
        .await?;
    if let Some(account) = account {
        crate::http::security::announce(
            req,
            state,
            &account,
            AuditEvent::DeviceDisabled,
            "mobile.change_disabled",
            &device.name,
        )
        .await?;
    }
    Ok(problem_response(
        &Problem::new(403, problem_type::DEVICE_LOCKED, "Device locked")
            .with_detail(
                "Too many wrong PINs: this device is disabled. Add it again in the browser.",
            )
            .with_remaining_attempts(0),
    ))
}

/// The paths of the API, for the CSRF middleware (no browser cookies there).
pub const APP_API_PREFIX: &str = "/app/v1/";

/// Routes of the API.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(ENROL_PATH, web::post().to(enrol))
        .route(REQUESTS_PATH, web::get().to(pending))
        .route(&format!("{REQUESTS_PATH}/{{id}}"), web::post().to(decide));
}
