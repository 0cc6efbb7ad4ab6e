//! The registered clients as the endpoints see them: read from the database and kept in memory
//! for a few seconds, so a token request costs no database round trip for its client. A change
//! made by the command line or another replica is seen within that delay
//! (`EULOGIN_CLIENT_CACHE_SECONDS`, 5 by default).

use crate::oidc::clients::Client;
use crate::store::clients;
use infra::db::{Database, DbError};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Unknown client ids are not cached, so a flood of random ids cannot fill the memory; the cache
/// itself is bounded too.
const MAX_CACHED: usize = 10_000;

/// Each cached client with the moment it was read.
type Cache = Arc<RwLock<HashMap<String, (Arc<Client>, Instant)>>>;

#[derive(Clone)]
pub struct ClientRegistry {
    db: Database,
    ttl: Duration,
    cache: Cache,
}

impl std::fmt::Debug for ClientRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRegistry")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl ClientRegistry {
    pub fn new(db: Database, ttl: Duration) -> ClientRegistry {
        ClientRegistry {
            db,
            ttl,
            cache: Arc::new(RwLock::new(HashMap::new())),
        }
    }

    /// The client with this id, if it is registered.
    pub async fn get(&self, client_id: &str) -> Result<Option<Arc<Client>>, DbError> {
        if client_id.is_empty() || client_id.len() > 64 {
            return Ok(None);
        }
        if let Ok(cache) = self.cache.read()
            && let Some((client, fetched)) = cache.get(client_id)
            && fetched.elapsed() < self.ttl
        {
            return Ok(Some(client.clone()));
        }
        let id = client_id.to_owned();
        let found = self.db.run(move |c| Ok(clients::find(c, &id)?)).await?;
        let Some(client) = found.map(Arc::new) else {
            self.forget(client_id);
            return Ok(None);
        };
        if !self.ttl.is_zero()
            && let Ok(mut cache) = self.cache.write()
        {
            if cache.len() >= MAX_CACHED {
                cache.retain(|_, (_, fetched)| fetched.elapsed() < self.ttl);
            }
            if cache.len() < MAX_CACHED {
                cache.insert(client_id.to_owned(), (client.clone(), Instant::now()));
            }
        }
        Ok(Some(client))
    }

    /// Drops one client from this replica's cache (after this replica changed it).
    pub fn forget(&self, client_id: &str) {
        if let Ok(mut cache) = self.cache.write() {
            cache.remove(client_id);
        }
    }

    /// Drops every cached client.
    pub fn forget_all(&self) {
        if let Ok(mut cache) = self.cache.write() {
            cache.clear();
        }
    }
}
