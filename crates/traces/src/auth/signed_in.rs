//! `SignedIn`, the extractor of pages for logged-in people: the session of the request's
//! cookie and the user's row. Without a session, a GET is sent to log in (and comes back to
//! the same path and query); any other method gets a 401 page, since a form cannot be replayed
//! after a login. A deactivated user is sent to `/deactivated`. Neither eulogin nor the
//! network is touched: pages keep working while eulogin is down.

use crate::app::AppState;
use crate::auth::session::{self, Session};
use crate::auth::{DEACTIVATED_PATH, LOGIN_PATH, record_use};
use crate::http::errors::{WebError, message_page};
use crate::http::page::{PageContext, see_other};
use crate::store::users::{self, User};
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use std::future::Future;
use std::pin::Pin;

/// A logged-in person: the handler's proof that someone is.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub session: Session,
}

impl SignedIn {
    /// The page context with the person's name in the header.
    pub fn page_context(&self, req: &HttpRequest, state: &AppState) -> PageContext {
        PageContext::new(req, state).with_user(self.user.display_name())
    }
}

/// The logged-in person of this request, whether deactivated or not (the `/deactivated` page
/// and pages that look different for anonymous visitors use this; other pages take
/// [`SignedIn`] as an argument). A session whose user row is gone is ended.
pub async fn current(req: &HttpRequest, state: &AppState) -> Result<Option<SignedIn>, WebError> {
    let now = state.clock.now();
    let Some(session) = session::current(req, &state.kv, &state.settings, now).await? else {
        return Ok(None);
    };
    let user_id = session.record.user_id.clone();
    let user = state.db.run(move |c| Ok(users::find(c, &user_id)?)).await?;
    match user {
        Some(user) => Ok(Some(SignedIn { user, session })),
        None => {
            session::end(&state.kv, &session).await?;
            Ok(None)
        }
    }
}

/// Where a GET without a session goes: the login, then back here.
pub fn login_redirect(req: &HttpRequest) -> HttpResponse {
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let encoded: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    see_other(&format!("{LOGIN_PATH}?return_to={encoded}"))
}

fn refusal(response: HttpResponse, why: &'static str) -> actix_web::Error {
    actix_web::error::InternalError::from_response(why, response).into()
}

async fn extract(req: HttpRequest) -> Result<SignedIn, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        tracing::error!("SignedIn used without the application state");
        return Err(actix_web::error::ErrorInternalServerError("no state"));
    };
    let Some(signed_in) = current(&req, &state).await? else {
        if req.method() == Method::GET || req.method() == Method::HEAD {
            return Err(refusal(login_redirect(&req), "not logged in"));
        }
        let ctx = PageContext::new(&req, &state);
        let page = message_page(
            &ctx,
            StatusCode::UNAUTHORIZED,
            "auth.signed_out_title",
            ctx.t.t("auth.signed_out"),
        );
        return Err(refusal(page, "not logged in"));
    };
    if signed_in.user.is_deactivated() {
        return Err(refusal(see_other(DEACTIVATED_PATH), "deactivated"));
    }
    record_use(&state, &signed_in.user).await?;
    Ok(signed_in)
}

impl FromRequest for SignedIn {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<SignedIn, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(extract(req.clone()))
    }
}
