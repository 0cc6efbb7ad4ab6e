//! The person behind a page request, as the pages need them: their user record, their
//! memberships (as an `Actor` for access checks) and the page context with their name.

use crate::app::AppState;
use crate::http::errors::WebError;
use crate::http::forms::{FormFields, reject_forgery};
use crate::http::page::PageContext;
use crate::store::memberships;
use crate::workflows::access::Actor;
use actix_web::{HttpRequest, HttpResponse, web};

/// A logged-in person on a page: who they are, what they may do, and the page's context.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub actor: Actor,
    pub ctx: PageContext,
    /// The membership they act for (chosen with the organisation switcher).
    pub current_membership_id: Option<String>,
}

impl Visitor {
    /// Loads the person's memberships for `user`.
    pub async fn load(
        req: &HttpRequest,
        state: &web::Data<AppState>,
        user: &crate::store::users::User,
    ) -> Result<Visitor, WebError> {
        let user_id = user.id.clone();
        let memberships = state
            .db
            .run(move |c| Ok(memberships::of_user(c, &user_id)?))
            .await?;
        let display_name = format!("{} {}", user.given_name, user.family_name);
        let ctx = PageContext::new(req, state).with_user(display_name.clone());
        Ok(Visitor {
            actor: Actor {
                user_id: user.id.clone(),
                is_system_admin: user.is_system_admin,
                memberships,
                email: user.email.clone(),
                language: user.language.clone(),
                display_name,
            },
            ctx,
            current_membership_id: user.current_membership_id.clone(),
        })
    }

    /// A form posted by the person: its fields and the person, or the 403 page when it fails
    /// the CSRF check (checked before anything is read).
    pub async fn posted(
        req: &HttpRequest,
        state: &web::Data<AppState>,
        user: &crate::store::users::User,
        body: &[u8],
    ) -> Result<Result<(Visitor, FormFields), HttpResponse>, WebError> {
        let form = FormFields::parse(body);
        if let Some(refused) = reject_forgery(req, state, form.get("csrf_token")) {
            return Ok(Err(refused));
        }
        Ok(Ok((Visitor::load(req, state, user).await?, form)))
    }

    /// The organisation the person acts for: the chosen one when still valid, else the first
    /// valid one.
    pub fn current(&self) -> Option<&memberships::Membership> {
        let valid = self.actor.organisations();
        self.current_membership_id
            .as_deref()
            .and_then(|id| valid.iter().copied().find(|m| m.id == id))
            .or_else(|| valid.first().copied())
    }
}
