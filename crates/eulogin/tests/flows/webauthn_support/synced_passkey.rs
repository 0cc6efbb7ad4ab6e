//! A passkey as a platform keychain holds it: it always verifies the user, is backed up, keeps
//! its signature counter at zero, and (like some keychains) ignores the exclusion list.
//! webauthn-authenticator-rs' soft authenticators always count, so this one is built by hand:
//! real P-256 keys and signatures (ring), "none" attestation, CBOR written out byte by byte.
//! (The same as `crates/webauthn-factor/tests/support/synced_passkey.rs`: test crates cannot
//! share a support module.)

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest::{SHA256, digest};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use webauthn_authenticator_rs::AuthenticatorBackendHashedClientData;
use webauthn_authenticator_rs::prelude::WebauthnCError;
use webauthn_rs_proto::{
    AuthenticationExtensionsClientOutputs, AuthenticatorAssertionResponseRaw,
    AuthenticatorAttestationResponseRaw, AuthenticatorTransport, PublicKeyCredential,
    PublicKeyCredentialCreationOptions, PublicKeyCredentialRequestOptions,
    RegisterPublicKeyCredential, RegistrationExtensionsClientOutputs,
};

/// User present, user verified, backup eligible, backed up.
const FLAGS: u8 = 0x01 | 0x04 | 0x08 | 0x10;
/// Attested credential data included (registration only).
const ATTESTED: u8 = 0x40;

/// A synced passkey holding one credential.
pub struct SyncedPasskey {
    key: EcdsaKeyPair,
    credential_id: Vec<u8>,
    rng: SystemRandom,
}

impl SyncedPasskey {
    /// A passkey with a fresh key pair and a random 16-byte credential id.
    pub fn new() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .expect("a P-256 key");
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .expect("the key just made");
        let mut credential_id = vec![0u8; 16];
        ring::rand::SecureRandom::fill(&rng, &mut credential_id).expect("random bytes");
        SyncedPasskey {
            key,
            credential_id,
            rng,
        }
    }

    fn sign(&self, authenticator_data: &[u8], client_data_hash: &[u8]) -> Vec<u8> {
        let message = [authenticator_data, client_data_hash].concat();
        self.key
            .sign(&self.rng, &message)
            .expect("a signature")
            .as_ref()
            .to_vec()
    }

    /// The public key as a COSE EC2 map: kty 2, alg -7 (ES256), crv 1 (P-256), x, y.
    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.public_key().as_ref(); // 0x04 || x || y
        let mut cose = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20];
        cose.extend_from_slice(&point[1..33]);
        cose.extend_from_slice(&[0x22, 0x58, 0x20]);
        cose.extend_from_slice(&point[33..65]);
        cose
    }
}

fn rp_id_hash(rp_id: &str) -> Vec<u8> {
    digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec()
}

/// A CBOR major-type header (byte string 0x40, text 0x60) for a length below 65536.
fn cbor_header(major: u8, len: usize) -> Vec<u8> {
    match len {
        0..=23 => vec![major | len as u8],
        24..=255 => vec![major | 24, len as u8],
        _ => {
            let len = u16::try_from(len).expect("short enough");
            let [hi, lo] = len.to_be_bytes();
            vec![major | 25, hi, lo]
        }
    }
}

fn cbor_text(text: &str) -> Vec<u8> {
    [cbor_header(0x60, text.len()), text.as_bytes().to_vec()].concat()
}

impl AuthenticatorBackendHashedClientData for SyncedPasskey {
    fn perform_register(
        &mut self,
        client_data_hash: Vec<u8>,
        options: PublicKeyCredentialCreationOptions,
        _timeout_ms: u32,
    ) -> Result<RegisterPublicKeyCredential, WebauthnCError> {
        let _ = client_data_hash; // "none" attestation signs nothing
        let id_len = u16::try_from(self.credential_id.len()).expect("a short id");
        let auth_data = [
            rp_id_hash(&options.rp.id),
            vec![FLAGS | ATTESTED],
            0u32.to_be_bytes().to_vec(),
            vec![0u8; 16], // AAGUID
            id_len.to_be_bytes().to_vec(),
            self.credential_id.clone(),
            self.cose_key(),
        ]
        .concat();
        // {"fmt": "none", "attStmt": {}, "authData": bytes}
        let attestation_object = [
            vec![0xa3],
            cbor_text("fmt"),
            cbor_text("none"),
            cbor_text("attStmt"),
            vec![0xa0],
            cbor_text("authData"),
            cbor_header(0x40, auth_data.len()),
            auth_data,
        ]
        .concat();
        Ok(RegisterPublicKeyCredential {
            id: URL_SAFE_NO_PAD.encode(&self.credential_id),
            raw_id: self.credential_id.clone(),
            response: AuthenticatorAttestationResponseRaw {
                attestation_object,
                client_data_json: Vec::new(),
                transports: Some(vec![AuthenticatorTransport::Internal]),
            },
            type_: "public-key".to_owned(),
            extensions: RegistrationExtensionsClientOutputs::default(),
        })
    }

    fn perform_auth(
        &mut self,
        client_data_hash: Vec<u8>,
        options: PublicKeyCredentialRequestOptions,
        _timeout_ms: u32,
    ) -> Result<PublicKeyCredential, WebauthnCError> {
        if !options
            .allow_credentials
            .iter()
            .any(|c| c.id == self.credential_id)
        {
            return Err(WebauthnCError::Internal);
        }
        let auth_data = [
            rp_id_hash(&options.rp_id),
            vec![FLAGS],
            0u32.to_be_bytes().to_vec(),
        ]
        .concat();
        let signature = self.sign(&auth_data, &client_data_hash);
        Ok(PublicKeyCredential {
            id: URL_SAFE_NO_PAD.encode(&self.credential_id),
            raw_id: self.credential_id.clone(),
            response: AuthenticatorAssertionResponseRaw {
                authenticator_data: auth_data,
                client_data_json: Vec::new(),
                signature,
                user_handle: None,
            },
            type_: "public-key".to_owned(),
            extensions: AuthenticationExtensionsClientOutputs::default(),
        })
    }
}
