//! What ending an SSO session means for the applications: the grants made in it (except
//! `offline_access` ones) are revoked, with the access and refresh tokens they gave, and every
//! application with a back-channel logout URI is told, in the background.
//!
//! The session remembers its grants in the key-value store (`session_grants:{sid}`, one member
//! per grant: `client_id grant_id offline`), written when a code is issued.

use crate::app::AppState;
use crate::oidc::backchannel::LogoutNotice;
use crate::oidc::grants::mark_grant_revoked;
use crate::security::sessions::SessionRecord;
use crate::store::{accounts, refresh_tokens};
use infra::db::DbError;
use infra::kv::{KvError, Writes};
use time::Duration;

fn grants_key(sid: &str) -> String {
    format!("session_grants:{sid}")
}

/// `writes` with the note that `grant_id` was given to `client_id` in session `sid`.
pub fn remembering_grant(
    writes: Writes,
    sid: &str,
    client_id: &str,
    grant_id: &str,
    offline: bool,
    session_max: Duration,
) -> Writes {
    let member = format!("{client_id} {grant_id} {}", u8::from(offline));
    writes.set_add(&grants_key(sid), &member, session_max)
}

#[derive(Debug, thiserror::Error)]
pub enum SessionEndError {
    #[error(transparent)]
    Kv(#[from] KvError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Revokes what the ended sessions gave and queues the back-channel logouts.
pub async fn sessions_ended(
    state: &AppState,
    sessions: &[SessionRecord],
) -> Result<(), SessionEndError> {
    for session in sessions {
        session_ended(state, session).await?;
    }
    Ok(())
}

pub async fn session_ended(
    state: &AppState,
    session: &SessionRecord,
) -> Result<(), SessionEndError> {
    if session.sid.is_empty() {
        return Ok(());
    }
    let key = grants_key(&session.sid);
    let members = state.kv.set_members(&key).await?;
    let mut clients: Vec<String> = Vec::new();
    for member in &members {
        let mut parts = member.split(' ');
        let (Some(client_id), Some(grant_id), Some(offline)) =
            (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if offline != "1" {
            mark_grant_revoked(
                &state.kv,
                grant_id,
                state.settings.oidc.access_token_ttl,
                "session ended",
            )
            .await?;
        }
        if !clients.iter().any(|c| c == client_id) {
            clients.push(client_id.to_owned());
        }
    }
    let (sid, account_id, now) = (
        session.sid.clone(),
        session.account_id.clone(),
        state.clock.now(),
    );
    let subject = state
        .db
        .transaction(move |c| {
            refresh_tokens::revoke_session(c, &sid, now)?;
            Ok::<_, DbError>(accounts::find_by_id(c, &account_id)?.map(|a| a.subject))
        })
        .await?;
    state.kv.delete(&key).await?;
    let Some(subject) = subject else {
        return Ok(());
    };
    for client_id in clients {
        let Some(client) = state.oidc.clients.get(&client_id).await? else {
            continue;
        };
        let Some(uri) = client.backchannel_logout_uri.clone() else {
            continue;
        };
        match state.oidc.tokens.logout_token(
            &client.client_id,
            &subject,
            &session.sid,
            client.id_token_alg,
            now,
        ) {
            Ok(logout_token) => state.oidc.backchannel.send(LogoutNotice {
                client_id: client.client_id.clone(),
                uri,
                logout_token,
            }),
            Err(e) => tracing::error!(error = %e, "cannot sign a logout token"),
        }
    }
    Ok(())
}
