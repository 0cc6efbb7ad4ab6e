//! The clients table. List fields are JSON arrays of strings in TEXT columns (both backends).

use super::schema::oidc_clients;
use crate::oidc::assurance::Loa;
use crate::oidc::clients::{AuthMethod, Client, GrantType, ManagedBy};
use crate::oidc::keys::{algorithm_name, parse_algorithm};
use diesel::prelude::*;
use infra::db::{AnyConnection, to_db_time};
use jsonwebtoken::Algorithm;
use time::OffsetDateTime;

#[derive(Queryable, Selectable)]
#[diesel(table_name = oidc_clients)]
struct Row {
    client_id: String,
    name: String,
    auth_method: String,
    secret_hash: Option<String>,
    jwks: Option<String>,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    grant_types: String,
    scopes: String,
    audiences: String,
    backchannel_logout_uri: Option<String>,
    minimum_acr: String,
    id_token_alg: String,
    access_token_alg: String,
    managed_by: String,
}

fn list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn json(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".into())
}

impl From<Row> for Client {
    fn from(r: Row) -> Client {
        Client {
            client_id: r.client_id,
            name: r.name,
            auth_method: AuthMethod::parse(&r.auth_method).unwrap_or(AuthMethod::ClientSecretBasic),
            secret_hash: r.secret_hash,
            jwks: r.jwks.and_then(|j| serde_json::from_str(&j).ok()),
            redirect_uris: list(&r.redirect_uris),
            post_logout_redirect_uris: list(&r.post_logout_redirect_uris),
            grant_types: list(&r.grant_types)
                .iter()
                .filter_map(|g| GrantType::parse(g))
                .collect(),
            scopes: list(&r.scopes),
            audiences: list(&r.audiences),
            backchannel_logout_uri: r.backchannel_logout_uri,
            minimum_acr: Loa::from_name(&r.minimum_acr).unwrap_or(Loa::High),
            id_token_alg: parse_algorithm(&r.id_token_alg).unwrap_or(Algorithm::RS256),
            access_token_alg: parse_algorithm(&r.access_token_alg).unwrap_or(Algorithm::ES256),
            managed_by: ManagedBy::parse(&r.managed_by),
        }
    }
}

pub fn find(conn: &mut AnyConnection, client_id: &str) -> QueryResult<Option<Client>> {
    Ok(oidc_clients::table
        .find(client_id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Client::from))
}

pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Client>> {
    let rows: Vec<Row> = oidc_clients::table
        .order(oidc_clients::client_id.asc())
        .select(Row::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Client::from).collect())
}

/// Inserts the client, or replaces every field of an existing one (secret included).
pub fn save(conn: &mut AnyConnection, client: &Client, now: OffsetDateTime) -> QueryResult<()> {
    let jwks = client
        .jwks
        .as_ref()
        .and_then(|j| serde_json::to_string(j).ok());
    let grants: Vec<String> = client
        .grant_types
        .iter()
        .map(|g| g.name().to_owned())
        .collect();
    let values = (
        oidc_clients::name.eq(&client.name),
        oidc_clients::auth_method.eq(client.auth_method.name()),
        oidc_clients::secret_hash.eq(&client.secret_hash),
        oidc_clients::jwks.eq(jwks),
        oidc_clients::redirect_uris.eq(json(&client.redirect_uris)),
        oidc_clients::post_logout_redirect_uris.eq(json(&client.post_logout_redirect_uris)),
        oidc_clients::grant_types.eq(json(&grants)),
        oidc_clients::scopes.eq(json(&client.scopes)),
        oidc_clients::audiences.eq(json(&client.audiences)),
        oidc_clients::backchannel_logout_uri.eq(&client.backchannel_logout_uri),
        oidc_clients::minimum_acr.eq(client.minimum_acr.name()),
        oidc_clients::id_token_alg.eq(algorithm_name(client.id_token_alg)),
        oidc_clients::access_token_alg.eq(algorithm_name(client.access_token_alg)),
        oidc_clients::managed_by.eq(client.managed_by.name()),
        oidc_clients::updated_at.eq(to_db_time(now)),
    );
    let updated = diesel::update(oidc_clients::table.find(&client.client_id))
        .set(values.clone())
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(oidc_clients::table)
            .values((
                oidc_clients::client_id.eq(&client.client_id),
                values,
                oidc_clients::created_at.eq(to_db_time(now)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn remove(conn: &mut AnyConnection, client_id: &str) -> QueryResult<bool> {
    Ok(diesel::delete(oidc_clients::table.find(client_id)).execute(conn)? == 1)
}

/// The ids of clients managed by the clients file.
pub fn file_managed_ids(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    oidc_clients::table
        .filter(oidc_clients::managed_by.eq(ManagedBy::File.name()))
        .select(oidc_clients::client_id)
        .load(conn)
}
