//! The accounts behind `sub`, as userinfo reads them: kept in memory for two seconds, so an
//! application calling userinfo in a loop costs one database read per person every two
//! seconds. A change of name or e-mail shows in userinfo within that delay.

use crate::store::accounts::{self, Account};
use infra::db::{Database, DbError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEEP_FOR: Duration = Duration::from_secs(2);
const MAX_CACHED: usize = 50_000;

/// Each account with the moment it was read, by subject.
type Entries = Arc<Mutex<HashMap<String, (Arc<Account>, Instant)>>>;

/// Recently read accounts by subject.
#[derive(Debug, Clone, Default)]
pub struct ProfileCache {
    inner: Entries,
}

impl ProfileCache {
    /// The account with this subject, from memory if read less than two seconds ago.
    pub async fn by_subject(
        &self,
        db: &Database,
        subject: &str,
    ) -> Result<Option<Arc<Account>>, DbError> {
        if let Ok(map) = self.inner.lock()
            && let Some((account, read_at)) = map.get(subject)
            && read_at.elapsed() < KEEP_FOR
        {
            return Ok(Some(account.clone()));
        }
        let wanted = subject.to_owned();
        let found = db
            .run(move |c| Ok(accounts::find_by_subject(c, &wanted)?))
            .await?
            .map(Arc::new);
        if let (Some(account), Ok(mut map)) = (&found, self.inner.lock()) {
            if map.len() >= MAX_CACHED {
                map.retain(|_, (_, read_at)| read_at.elapsed() < KEEP_FOR);
            }
            if map.len() < MAX_CACHED {
                map.insert(subject.to_owned(), (account.clone(), Instant::now()));
            }
        }
        Ok(found)
    }
}
