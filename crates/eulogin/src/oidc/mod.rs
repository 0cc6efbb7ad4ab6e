//! eulogin as an OpenID Connect provider: the protocol's rules, independent of HTTP. The
//! endpoints that speak it are in `http::oidc`; docs/oidc.md describes the whole.

pub mod assurance;
pub mod authorization;
pub mod backchannel;
pub mod client_file;
pub mod client_registry;
pub mod clients;
pub mod grants;
pub mod keys;
pub mod profiles;
pub mod session_end;
pub mod tokens;

use crate::oidc::backchannel::BackChannel;
use crate::oidc::client_registry::ClientRegistry;
use crate::oidc::clients::SecretHasher;
use crate::oidc::keys::Keys;
use crate::oidc::profiles::ProfileCache;
use crate::oidc::tokens::{TokenIssuer, VerifiedTokens};
use std::sync::Arc;

/// The provider's parts, shared by every worker.
#[derive(Debug, Clone)]
pub struct Oidc {
    pub keys: Keys,
    pub tokens: TokenIssuer,
    pub clients: ClientRegistry,
    pub secrets: SecretHasher,
    pub backchannel: BackChannel,
    /// The discovery document, rendered once.
    pub discovery: Arc<str>,
    pub verified_tokens: VerifiedTokens,
    pub profiles: ProfileCache,
}
