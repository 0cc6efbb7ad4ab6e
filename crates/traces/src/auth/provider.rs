//! eulogin as traces sees it: its discovery document and its keys, fetched when first needed
//! (traces starts and serves pages while eulogin is down) and kept in memory, and the
//! openidconnect client built from them. The types here name what traces reads beyond the
//! standard: the end-session endpoint and RFC 9207 `iss` support in the metadata, and the
//! session id (`sid`) in ID tokens.

use crate::auth::issuer_http::IssuerHttp;
use crate::auth::keys::{KeyCache, KeySet, VerificationKey};
use crate::config::Settings;
use infra::clock::SharedClock;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClaimName, CoreClaimType, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreSubjectIdentifierType, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, ClientId, ClientSecret, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, ProviderMetadata, RedirectUrl,
    StandardErrorResponse, StandardTokenResponse,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// What eulogin's discovery document says beyond OpenID Connect Discovery itself.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct EuLoginMetadata {
    /// RP-Initiated Logout 1.0.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    /// RFC 9207: every authorization response carries `iss`.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

impl AdditionalProviderMetadata for EuLoginMetadata {}

/// The claims of eulogin's ID tokens beyond the standard ones.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct EuLoginClaims {
    /// The SSO session at eulogin: back-channel logout names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

impl AdditionalClaims for EuLoginClaims {}

pub type Metadata = ProviderMetadata<
    EuLoginMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

pub type IdTokenClaims = openidconnect::IdTokenClaims<EuLoginClaims, CoreGenderClaim>;
pub type IdToken = openidconnect::IdToken<
    EuLoginClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

pub type TokenResponse = StandardTokenResponse<
    IdTokenFields<
        EuLoginClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

/// The openidconnect client of traces at eulogin, as built from the discovery document.
pub type OidcClient = openidconnect::Client<
    EuLoginClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// eulogin did not answer, or answered something traces cannot use. The text is for logs.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error("eulogin cannot be reached: {0}")]
    Unreachable(String),
    #[error("eulogin's answer cannot be used: {0}")]
    Invalid(String),
}

/// eulogin, trusted: one per application, cheap to clone.
#[derive(Clone, Debug)]
pub struct EuLogin {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: String,
    client_id: String,
    client_secret: SecretString,
    redirect_uri: String,
    http: IssuerHttp,
    metadata: Mutex<Option<Arc<Metadata>>>,
    keys: KeyCache,
    /// Fetches of the key set wait for each other: one fetch serves every waiting request.
    key_fetch: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EuLogin")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl EuLogin {
    /// Nothing is fetched yet: the first login or bearer call does it.
    pub fn new(settings: &Settings, clock: SharedClock) -> anyhow::Result<EuLogin> {
        Ok(EuLogin {
            inner: Arc::new(Inner {
                issuer: settings.issuer(),
                client_id: settings.client_id.clone(),
                client_secret: settings.client_secret.clone(),
                redirect_uri: settings.url(crate::auth::CALLBACK_PATH),
                http: IssuerHttp::new()?,
                metadata: Mutex::new(None),
                keys: KeyCache::new(clock),
                key_fetch: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// eulogin's issuer, exactly as in its tokens.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    pub fn http(&self) -> &IssuerHttp {
        &self.inner.http
    }

    /// How many times the key set was fetched since start.
    pub fn key_fetch_count(&self) -> u64 {
        self.inner.keys.fetch_count()
    }

    fn held_metadata(&self) -> Option<Arc<Metadata>> {
        self.inner
            .metadata
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The discovery document: the one held, or fetched now.
    pub async fn metadata(&self) -> Result<Arc<Metadata>, IssuerError> {
        match self.held_metadata() {
            Some(metadata) => Ok(metadata),
            None => self.fetch_metadata().await,
        }
    }

    /// Fetches the discovery document again (a login starts with this: it also tells whether
    /// eulogin answers at all, before the browser is sent there).
    pub async fn fetch_metadata(&self) -> Result<Arc<Metadata>, IssuerError> {
        let url = format!("{}/.well-known/openid-configuration", self.inner.issuer);
        let document = self
            .inner
            .http
            .get_document(&url)
            .await
            .map_err(|e| IssuerError::Unreachable(e.to_string()))?;
        let metadata: Metadata = serde_json::from_slice(&document)
            .map_err(|e| IssuerError::Invalid(format!("discovery document: {e}")))?;
        // OpenID Connect Discovery, 4.3: the issuer must be exactly the one configured.
        if metadata.issuer().as_str() != self.inner.issuer {
            return Err(IssuerError::Invalid(format!(
                "the discovery document names the issuer {}",
                metadata.issuer().as_str()
            )));
        }
        let metadata = Arc::new(metadata);
        *self
            .inner
            .metadata
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(metadata.clone());
        Ok(metadata)
    }

    /// Fetches the key set (the caller holds `key_fetch` and checked `may_fetch`).
    async fn fetch_keys(&self) -> Result<Arc<KeySet>, IssuerError> {
        self.inner.keys.fetch_started();
        let metadata = self.metadata().await?;
        let document = self
            .inner
            .http
            .get_document(metadata.jwks_uri().as_str())
            .await
            .map_err(|e| IssuerError::Unreachable(e.to_string()))?;
        let set = KeySet::parse(&document).map_err(IssuerError::Invalid)?;
        Ok(self.inner.keys.store(set))
    }

    /// The key set: the one held, or fetched now.
    pub async fn key_set(&self) -> Result<Arc<KeySet>, IssuerError> {
        if let Some(set) = self.inner.keys.current() {
            return Ok(set);
        }
        let _turn = self.inner.key_fetch.lock().await;
        if let Some(set) = self.inner.keys.current() {
            return Ok(set);
        }
        if !self.inner.keys.may_fetch() {
            return Err(IssuerError::Unreachable(
                "the last attempt failed moments ago".into(),
            ));
        }
        self.fetch_keys().await
    }

    /// A newer key set than `used` (whose keys did not verify a signature): one another request
    /// fetched meanwhile, or one fetched now if the interval allows it. `None` when there is
    /// none, or when eulogin does not answer.
    pub async fn newer_key_set(&self, used: &Arc<KeySet>) -> Option<Arc<KeySet>> {
        let _turn = self.inner.key_fetch.lock().await;
        if let Some(current) = self.inner.keys.current()
            && !Arc::ptr_eq(&current, used)
        {
            return Some(current);
        }
        if !self.inner.keys.may_fetch() {
            return None;
        }
        match self.fetch_keys().await {
            Ok(set) => Some(set),
            Err(e) => {
                tracing::warn!(error = %e, "eulogin's keys not refreshed");
                None
            }
        }
    }

    /// The key `kid`, fetching the set again (at most once a minute) when it is not held.
    /// `Ok(None)`: no such key. `Err`: no key set could be fetched at all.
    pub async fn key(&self, kid: &str) -> Result<Option<Arc<VerificationKey>>, IssuerError> {
        let held = self.key_set().await?;
        if let Some(key) = held.get(kid) {
            return Ok(Some(key));
        }
        Ok(self.newer_key_set(&held).await.and_then(|set| set.get(kid)))
    }

    /// The openidconnect client for `metadata`, verifying with `keys`.
    pub fn client(&self, metadata: &Metadata, keys: &KeySet) -> Result<OidcClient, IssuerError> {
        let redirect = RedirectUrl::new(self.inner.redirect_uri.clone())
            .map_err(|e| IssuerError::Invalid(format!("redirect URI: {e}")))?;
        Ok(OidcClient::from_provider_metadata(
            metadata.clone().set_jwks(keys.for_openidconnect.clone()),
            ClientId::new(self.inner.client_id.clone()),
            Some(ClientSecret::new(
                self.inner.client_secret.expose_secret().to_owned(),
            )),
        )
        .set_redirect_uri(redirect))
    }
}
