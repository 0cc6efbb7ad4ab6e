//! The keys that sign tokens: generated here, stored encrypted, rotated, published as a JWKS.
//!
//! Two algorithms are kept: RS256 (the OpenID Connect default for ID tokens) and ES256
//! (on a client's request, and for access tokens: a P-256 signature costs a fraction of an RSA
//! one). Each has a *current* key that signs, a *next* key already published so that relying
//! parties have it before its first token, and *previous* keys published until every token they
//! signed has expired. Rotation promotes next to current; `eulogin keys rotate` does it at once.
//!
//! Every replica keeps the published keys in memory and reloads them from the database every
//! minute, so a rotation made by another replica or by the command line is picked up quickly.

use crate::security::sealing::Sealer;
use crate::store::signing_keys::{self, CURRENT, NEXT, StoredKey};
use infra::db::{Database, DbError, is_unique_violation};
use infra::jwt::{JwsSigner, jwk_thumbprint};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use time::{Duration, OffsetDateTime};

/// The algorithms eulogin signs with.
pub const SIGNING_ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// Size of generated RSA keys.
const RSA_BITS: usize = 2048;

/// How often a replica re-reads the keys from the database.
pub const RELOAD_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

pub fn algorithm_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ES256",
        _ => "RS256",
    }
}

pub fn parse_algorithm(name: &str) -> Option<Algorithm> {
    SIGNING_ALGORITHMS
        .into_iter()
        .find(|a| algorithm_name(*a) == name)
}

/// When keys rotate and how long a retired key stays published.
#[derive(Debug, Clone, Copy)]
pub struct RotationPolicy {
    /// Age of the current key at which the next one takes over.
    pub rotate_after: Duration,
    /// How long a retired key stays published: the longest token lifetime plus a margin.
    pub keep_retired_for: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("signing key {0}: {1}")]
    Broken(String, String),
    #[error("no current {0} signing key")]
    Missing(&'static str),
}

impl From<diesel::result::Error> for KeyError {
    fn from(e: diesel::result::Error) -> KeyError {
        KeyError::Db(DbError::from(e))
    }
}

/// Encrypts private keys at rest (see `security::sealing`); the key id is the associated
/// data, so a ciphertext cannot be moved to another row.
#[derive(Clone, Debug)]
pub struct KeyEncryption(Sealer);

impl KeyEncryption {
    pub fn new(server_key: &[u8]) -> KeyEncryption {
        KeyEncryption(Sealer::new(
            server_key,
            b"eulogin/signing-key-encryption/v1",
        ))
    }

    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> String {
        self.0.seal(kid, plaintext)
    }

    pub fn open(&self, kid: &str, sealed: &str) -> Result<Vec<u8>, KeyError> {
        self.0
            .open(kid, sealed)
            .map_err(|e| KeyError::Broken(kid.to_owned(), e.to_string()))
    }
}

/// A new private key (PKCS#8 DER) for `alg`.
fn generate_private_key(alg: Algorithm) -> Result<Vec<u8>, KeyError> {
    match alg {
        Algorithm::ES256 => Ok(infra::jwt::generate_p256_pkcs8()),
        _ => {
            use rsa::pkcs8::EncodePrivateKey as _;
            let key = rsa::RsaPrivateKey::new(&mut rand_core_06::OsRng, RSA_BITS)
                .map_err(|e| KeyError::Broken("new RSA key".into(), e.to_string()))?;
            let der = key
                .to_pkcs8_der()
                .map_err(|e| KeyError::Broken("new RSA key".into(), e.to_string()))?;
            Ok(der.as_bytes().to_vec())
        }
    }
}

/// Generates a key for `alg` in `status`, named by its RFC 7638 thumbprint.
fn new_stored_key(
    alg: Algorithm,
    status: &str,
    now: OffsetDateTime,
    encryption: &KeyEncryption,
) -> Result<StoredKey, KeyError> {
    let der = generate_private_key(alg)?;
    let signer = JwsSigner::new("pending", alg, &der)
        .map_err(|e| KeyError::Broken("new key".into(), e.to_string()))?;
    let mut jwk = signer.public_jwk();
    let kid = jwk_thumbprint(&jwk);
    jwk["kid"] = serde_json::Value::String(kid.clone());
    Ok(StoredKey {
        private_key: encryption.seal(&kid, &der),
        kid,
        algorithm: algorithm_name(alg).to_owned(),
        status: status.to_owned(),
        public_jwk: jwk.to_string(),
        created_at: now,
        activated_at: (status == CURRENT).then_some(now),
        retired_at: None,
        expires_at: None,
    })
}

/// What one replica knows of the keys at a moment: the signers and the published set.
struct KeyRing {
    signers: HashMap<Algorithm, Arc<JwsSigner>>,
    verification: HashMap<String, (Algorithm, Arc<DecodingKey>)>,
    jwks: Arc<str>,
}

impl KeyRing {
    fn empty() -> KeyRing {
        KeyRing {
            signers: HashMap::new(),
            verification: HashMap::new(),
            jwks: Arc::from(r#"{"keys":[]}"#),
        }
    }

    fn build(stored: &[StoredKey], encryption: &KeyEncryption) -> Result<KeyRing, KeyError> {
        let mut ring = KeyRing::empty();
        let mut published = Vec::new();
        for key in stored {
            let alg = parse_algorithm(&key.algorithm).ok_or_else(|| {
                KeyError::Broken(key.kid.clone(), format!("algorithm {}", key.algorithm))
            })?;
            let jwk: serde_json::Value = serde_json::from_str(&key.public_jwk)
                .map_err(|e| KeyError::Broken(key.kid.clone(), e.to_string()))?;
            let parsed: Jwk = serde_json::from_value(jwk.clone())
                .map_err(|e| KeyError::Broken(key.kid.clone(), e.to_string()))?;
            let decoding = DecodingKey::from_jwk(&parsed)
                .map_err(|e| KeyError::Broken(key.kid.clone(), e.to_string()))?;
            ring.verification
                .insert(key.kid.clone(), (alg, Arc::new(decoding)));
            published.push(jwk);
            if key.status == CURRENT {
                let der = encryption.open(&key.kid, &key.private_key)?;
                let signer = JwsSigner::new(&key.kid, alg, &der)
                    .map_err(|e| KeyError::Broken(key.kid.clone(), e.to_string()))?;
                ring.signers.insert(alg, Arc::new(signer));
            }
        }
        ring.jwks = Arc::from(serde_json::json!({ "keys": published }).to_string());
        Ok(ring)
    }
}

/// The signing keys of this replica: shared by every worker, swapped whole at each reload.
#[derive(Clone)]
pub struct Keys {
    ring: Arc<RwLock<Arc<KeyRing>>>,
    encryption: KeyEncryption,
    policy: RotationPolicy,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Keys {
    pub fn new(server_key: &[u8], policy: RotationPolicy) -> Keys {
        Keys {
            ring: Arc::new(RwLock::new(Arc::new(KeyRing::empty()))),
            encryption: KeyEncryption::new(server_key),
            policy,
        }
    }

    fn snapshot(&self) -> Arc<KeyRing> {
        match self.ring.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The key that signs new tokens with `alg`.
    pub fn signer(&self, alg: Algorithm) -> Result<Arc<JwsSigner>, KeyError> {
        self.snapshot()
            .signers
            .get(&alg)
            .cloned()
            .ok_or(KeyError::Missing(algorithm_name(alg)))
    }

    /// The published key set, as served at the `jwks_uri`.
    pub fn jwks(&self) -> Arc<str> {
        self.snapshot().jwks.clone()
    }

    /// The public key and algorithm of a published key.
    pub fn verification_key(&self, kid: &str) -> Option<(Algorithm, Arc<DecodingKey>)> {
        self.snapshot().verification.get(kid).cloned()
    }

    /// Re-reads the published keys from the database.
    pub async fn reload(&self, db: &Database, now: OffsetDateTime) -> Result<(), KeyError> {
        let stored = db
            .run(move |c| Ok(signing_keys::published(c, now)?))
            .await?;
        let ring = KeyRing::build(&stored, &self.encryption)?;
        match self.ring.write() {
            Ok(mut guard) => *guard = Arc::new(ring),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(ring),
        }
        Ok(())
    }

    /// Makes sure each algorithm has a current and a next key, rotates a current key that has
    /// served its time, forgets expired keys, then reloads. Run at start and periodically;
    /// replicas racing each other are stopped by the database's one-current-one-next indexes.
    pub async fn maintain(&self, db: &Database, now: OffsetDateTime) -> Result<(), KeyError> {
        let (encryption, policy) = (self.encryption.clone(), self.policy);
        let outcome = db
            .transaction(move |c| {
                signing_keys::delete_expired(c, now)?;
                let stored = signing_keys::published(c, now)?;
                for alg in SIGNING_ALGORITHMS {
                    let name = algorithm_name(alg);
                    let of = |status: &str| {
                        stored
                            .iter()
                            .find(|k| k.algorithm == name && k.status == status)
                    };
                    let current = of(CURRENT);
                    let due = current
                        .and_then(|k| k.activated_at)
                        .is_some_and(|since| now - since >= policy.rotate_after);
                    if current.is_none() {
                        signing_keys::insert(c, &new_stored_key(alg, CURRENT, now, &encryption)?)?;
                    } else if due && of(NEXT).is_some() {
                        signing_keys::promote_next(c, name, now, now + policy.keep_retired_for)?;
                        signing_keys::insert(c, &new_stored_key(alg, NEXT, now, &encryption)?)?;
                        tracing::info!(algorithm = name, "signing key rotated");
                        continue;
                    }
                    if of(NEXT).is_none() {
                        signing_keys::insert(c, &new_stored_key(alg, NEXT, now, &encryption)?)?;
                    }
                }
                Ok::<(), KeyError>(())
            })
            .await;
        match outcome {
            Err(KeyError::Db(DbError::Query(e))) if is_unique_violation(&e) => {
                // Another replica did the same work at the same moment: use its keys.
                tracing::debug!("signing keys maintained by another replica");
            }
            other => other?,
        }
        self.reload(db, now).await
    }

    /// Rotates every algorithm now: next becomes current, current is retired (still published)
    /// and a new next key is made. Returns the new current key ids.
    pub async fn rotate_now(
        &self,
        db: &Database,
        now: OffsetDateTime,
    ) -> Result<Vec<String>, KeyError> {
        self.maintain(db, now).await?;
        let (encryption, policy) = (self.encryption.clone(), self.policy);
        db.transaction(move |c| {
            for alg in SIGNING_ALGORITHMS {
                signing_keys::promote_next(
                    c,
                    algorithm_name(alg),
                    now,
                    now + policy.keep_retired_for,
                )?;
                signing_keys::insert(c, &new_stored_key(alg, NEXT, now, &encryption)?)?;
            }
            Ok::<(), KeyError>(())
        })
        .await?;
        self.reload(db, now).await?;
        Ok(SIGNING_ALGORITHMS
            .iter()
            .filter_map(|alg| self.signer(*alg).ok().map(|s| s.kid().to_owned()))
            .collect())
    }

    /// Every key as stored (for `eulogin keys list`), without private parts.
    pub async fn describe(db: &Database, now: OffsetDateTime) -> Result<Vec<StoredKey>, KeyError> {
        let mut keys = db
            .run(move |c| Ok(signing_keys::published(c, now)?))
            .await?;
        for key in &mut keys {
            key.private_key.clear();
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_only_under_its_own_kid_and_server_key() {
        let encryption = KeyEncryption::new(b"0123456789abcdef0123456789abcdef");
        let sealed = encryption.seal("kid-1", b"private key bytes");
        assert!(!sealed.contains("private"));
        assert_eq!(
            encryption.open("kid-1", &sealed).unwrap(),
            b"private key bytes"
        );
        assert!(encryption.open("kid-2", &sealed).is_err());
        let other = KeyEncryption::new(b"another server key, also 32 bytes long");
        assert!(other.open("kid-1", &sealed).is_err());
    }

    #[test]
    fn generated_keys_are_named_by_their_thumbprint_and_sign() {
        infra::jwt::install_crypto_provider();
        let encryption = KeyEncryption::new(b"0123456789abcdef0123456789abcdef");
        let now = OffsetDateTime::now_utc();
        for alg in SIGNING_ALGORITHMS {
            let stored = new_stored_key(alg, CURRENT, now, &encryption).unwrap();
            let ring = KeyRing::build(std::slice::from_ref(&stored), &encryption).unwrap();
            let signer = ring.signers.get(&alg).unwrap();
            assert_eq!(signer.kid(), stored.kid);
            let jwk: serde_json::Value = serde_json::from_str(&stored.public_jwk).unwrap();
            assert_eq!(jwk_thumbprint(&jwk), stored.kid);
            assert!(ring.jwks.contains(&stored.kid));
        }
    }
}
