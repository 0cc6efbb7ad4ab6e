//! Whole ceremonies against software authenticators: registration and authentication of both
//! kinds, and each refusal the policy promises (origin, counter, user verification, state,
//! unknown credential, malformed input).

mod support;

use eulogin_webauthn::{KeyKind, StoredCredential, WebAuthnError};
use support::synced_passkey::SyncedPasskey;
use support::{
    ACCOUNT, answer, answer_unchecked, authenticate, creation_options, record, register,
    request_options, site,
};
use url::Url;
use webauthn_authenticator_rs::prelude::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_rs_proto::{
    CredentialProtectionPolicy, PublicKeyCredentialHints, UserVerificationPolicy,
};

const LOCAL: &str = "http://localhost:8080";
const PUBLIC: &str = "https://login.example.eu";

// SoftPasskey verifies the user exactly when the options require it (`new(true)` lets it claim
// so); `new(false)` can never verify: a plain key without PIN.
fn key_with_pin() -> SoftPasskey {
    SoftPasskey::new(true)
}

fn key_without_pin() -> SoftPasskey {
    SoftPasskey::new(false)
}

#[test]
fn a_passkey_registers_and_authenticates_with_user_verification() {
    let (policy, origin) = site(LOCAL);
    let mut passkey = key_with_pin();

    let start = policy
        .start_registration(KeyKind::Passkey, ACCOUNT, "claire", "Claire", &[])
        .unwrap();
    let options = creation_options(&start.options_json);
    assert_eq!(options.public_key.rp.id, "localhost");
    assert_eq!(
        options
            .public_key
            .authenticator_selection
            .as_ref()
            .unwrap()
            .user_verification,
        UserVerificationPolicy::Required
    );
    assert_eq!(
        options
            .public_key
            .extensions
            .as_ref()
            .and_then(|e| e.cred_protect.as_ref())
            .map(|c| c.credential_protection_policy),
        Some(CredentialProtectionPolicy::UserVerificationRequired),
        "consistent with the verification the request requires"
    );
    let response = passkey.do_registration(origin.clone(), options).unwrap();
    let stored = policy
        .finish_registration(&start.state, &serde_json::to_string(&response).unwrap())
        .unwrap();
    assert_eq!(stored.kind, KeyKind::Passkey);
    assert_eq!(stored.counter, 0);
    assert_eq!(stored.id, response.id);

    let mut credentials = vec![stored];
    let start = policy.start_authentication(&credentials).unwrap();
    assert_eq!(
        request_options(&start.options_json)
            .public_key
            .user_verification,
        UserVerificationPolicy::Required
    );
    let response = answer(&mut passkey, &origin, &start.options_json);
    let outcome = policy
        .finish_authentication(&start.state, &response, &credentials)
        .unwrap();
    assert_eq!(outcome.credential_id, credentials[0].id);
    assert_eq!(outcome.kind, KeyKind::Passkey);
    assert!(outcome.user_verified);
    assert_eq!(outcome.new_counter, 1);
    assert!(outcome.updated_data.is_some(), "the counter moved");

    record(&mut credentials, &outcome);
    let again = authenticate(&policy, &origin, &mut passkey, &credentials).unwrap();
    assert_eq!(again.new_counter, 2);
}

#[test]
fn a_security_key_without_pin_registers_and_authenticates_unverified() {
    let (policy, origin) = site(LOCAL);
    let mut key = key_without_pin();

    let start = policy
        .start_registration(KeyKind::SecurityKey, ACCOUNT, "claire", "Claire", &[])
        .unwrap();
    let options = creation_options(&start.options_json);
    assert_eq!(
        options
            .public_key
            .authenticator_selection
            .as_ref()
            .unwrap()
            .user_verification,
        UserVerificationPolicy::Preferred
    );
    // Chromium refuses a request whose credProtect level demands a verification that the
    // request itself only prefers.
    let cred_protect = options
        .public_key
        .extensions
        .as_ref()
        .and_then(|e| e.cred_protect.as_ref())
        .map(|c| c.credential_protection_policy);
    assert_eq!(
        cred_protect,
        Some(CredentialProtectionPolicy::UserVerificationOptionalWithCredentialIDList)
    );
    let response = key.do_registration(origin.clone(), options).unwrap();
    let stored = policy
        .finish_registration(&start.state, &serde_json::to_string(&response).unwrap())
        .unwrap();
    assert_eq!(stored.kind, KeyKind::SecurityKey);

    let mut credentials = vec![stored];
    let start = policy.start_authentication(&credentials).unwrap();
    let options = request_options(&start.options_json);
    assert_eq!(
        options.public_key.user_verification,
        UserVerificationPolicy::Preferred
    );
    assert_eq!(
        options.public_key.hints,
        Some(vec![PublicKeyCredentialHints::SecurityKey])
    );
    let response = answer(&mut key, &origin, &start.options_json);
    let outcome = policy
        .finish_authentication(&start.state, &response, &credentials)
        .unwrap();
    assert_eq!(outcome.kind, KeyKind::SecurityKey);
    assert!(!outcome.user_verified, "not enough for the high level");
    assert_eq!(outcome.new_counter, 1);

    record(&mut credentials, &outcome);
    let again = authenticate(&policy, &origin, &mut key, &credentials).unwrap();
    assert_eq!(again.new_counter, 2);
}

#[test]
fn a_passkey_that_does_not_verify_the_user_is_refused() {
    let (policy, origin) = site(LOCAL);
    let mut passkey = key_with_pin();

    // A client that weakens the options to "preferred": the authenticator skips verification.
    let start = policy
        .start_registration(KeyKind::Passkey, ACCOUNT, "claire", "Claire", &[])
        .unwrap();
    let mut options = creation_options(&start.options_json);
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.user_verification = UserVerificationPolicy::Preferred;
    }
    let response = passkey.do_registration(origin.clone(), options).unwrap();
    let refused =
        policy.finish_registration(&start.state, &serde_json::to_string(&response).unwrap());
    assert_eq!(refused, Err(WebAuthnError::UserVerificationMissing));

    let credentials =
        vec![register(&policy, &origin, &mut passkey, KeyKind::Passkey, &[]).unwrap()];
    let start = policy.start_authentication(&credentials).unwrap();
    let mut options = request_options(&start.options_json);
    options.public_key.user_verification = UserVerificationPolicy::Preferred;
    let response = passkey.do_authentication(origin.clone(), options).unwrap();
    let refused = policy.finish_authentication(
        &start.state,
        &serde_json::to_string(&response).unwrap(),
        &credentials,
    );
    assert_eq!(refused, Err(WebAuthnError::UserVerificationMissing));
}

#[test]
fn a_security_key_that_verified_at_registration_must_keep_verifying() {
    let (policy, origin) = site(LOCAL);
    let mut key = key_with_pin();
    // The person's browser asked for the PIN at registration (here: options raised to
    // "required", which makes SoftPasskey verify).
    let start = policy
        .start_registration(KeyKind::SecurityKey, ACCOUNT, "claire", "Claire", &[])
        .unwrap();
    let mut options = creation_options(&start.options_json);
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.user_verification = UserVerificationPolicy::Required;
    }
    let response = key.do_registration(origin.clone(), options).unwrap();
    let stored = policy
        .finish_registration(&start.state, &serde_json::to_string(&response).unwrap())
        .unwrap();

    // Under "preferred" this key does not verify: refused, by webauthn-rs' rule.
    assert_eq!(
        authenticate(&policy, &origin, &mut key, &[stored]),
        Err(WebAuthnError::UserVerificationMissing)
    );
}

#[test]
fn a_credential_stored_as_a_passkey_never_passes_unverified() {
    // The kind stored is what counts: a security key's data relabelled as a passkey is held to
    // the passkey rule, even in a ceremony where webauthn-rs itself would let it through.
    let (policy, origin) = site(LOCAL);
    let mut key = key_without_pin();
    let mut relabelled = key_with_pin();
    let mut passkey_row =
        register(&policy, &origin, &mut relabelled, KeyKind::SecurityKey, &[]).unwrap();
    passkey_row.kind = KeyKind::Passkey;
    let credentials = vec![
        register(&policy, &origin, &mut key, KeyKind::SecurityKey, &[]).unwrap(),
        passkey_row,
    ];
    let start = policy.start_authentication(&credentials).unwrap();
    let response = answer(&mut relabelled, &origin, &start.options_json);
    assert_eq!(
        policy.finish_authentication(&start.state, &response, &credentials),
        Err(WebAuthnError::UserVerificationMissing)
    );
}

#[test]
fn an_account_with_two_keys_authenticates_with_the_second() {
    let (policy, origin) = site(LOCAL);
    let mut first = key_without_pin();
    let mut second = key_without_pin();
    let a = register(&policy, &origin, &mut first, KeyKind::SecurityKey, &[]).unwrap();
    let b = register(
        &policy,
        &origin,
        &mut second,
        KeyKind::SecurityKey,
        std::slice::from_ref(&a),
    )
    .unwrap();
    assert_ne!(a.id, b.id);
    let credentials = vec![a, b];

    let start = policy.start_authentication(&credentials).unwrap();
    let allowed = request_options(&start.options_json)
        .public_key
        .allow_credentials;
    assert_eq!(allowed.len(), 2);
    let outcome = policy
        .finish_authentication(
            &start.state,
            &answer(&mut second, &origin, &start.options_json),
            &credentials,
        )
        .unwrap();
    assert_eq!(outcome.credential_id, credentials[1].id);

    let mut pin_first = key_with_pin();
    let mut pin_second = key_with_pin();
    let a = register(&policy, &origin, &mut pin_first, KeyKind::Passkey, &[]).unwrap();
    let b = register(
        &policy,
        &origin,
        &mut pin_second,
        KeyKind::Passkey,
        std::slice::from_ref(&a),
    )
    .unwrap();
    let credentials = vec![a, b];
    let outcome = authenticate(&policy, &origin, &mut pin_second, &credentials).unwrap();
    assert_eq!(outcome.credential_id, credentials[1].id);
    assert!(outcome.user_verified);
}

#[test]
fn one_ceremony_serves_passkeys_and_security_keys_together() {
    let (policy, origin) = site(LOCAL);
    let mut phone = SyncedPasskey::new();
    let mut key = key_without_pin();
    let mut lying_passkey = key_with_pin();
    let credentials = vec![
        register(&policy, &origin, &mut key, KeyKind::SecurityKey, &[]).unwrap(),
        register(&policy, &origin, &mut phone, KeyKind::Passkey, &[]).unwrap(),
        register(&policy, &origin, &mut lying_passkey, KeyKind::Passkey, &[]).unwrap(),
    ];

    let start = policy.start_authentication(&credentials).unwrap();
    let options = request_options(&start.options_json);
    assert_eq!(options.public_key.allow_credentials.len(), 3);
    assert_eq!(
        options.public_key.user_verification,
        UserVerificationPolicy::Preferred
    );
    assert_eq!(
        options.public_key.hints, None,
        "no security-key hint that would hide the platform passkey"
    );

    // The same options, answered by each authenticator in turn.
    let by_key = policy
        .finish_authentication(
            &start.state,
            &answer(&mut key, &origin, &start.options_json),
            &credentials,
        )
        .unwrap();
    assert_eq!(
        (by_key.kind, by_key.user_verified),
        (KeyKind::SecurityKey, false)
    );
    let by_phone = policy
        .finish_authentication(
            &start.state,
            &answer(&mut phone, &origin, &start.options_json),
            &credentials,
        )
        .unwrap();
    assert_eq!(
        (by_phone.kind, by_phone.user_verified),
        (KeyKind::Passkey, true)
    );
    // This passkey verifies the user only when told "required": under "preferred" it does not,
    // and a passkey without verification is refused even in a mixed ceremony.
    let refused = policy.finish_authentication(
        &start.state,
        &answer(&mut lying_passkey, &origin, &start.options_json),
        &credentials,
    );
    assert_eq!(refused, Err(WebAuthnError::UserVerificationMissing));
}

#[test]
fn registration_excludes_the_accounts_keys_and_refuses_a_repeated_one() {
    let (policy, origin) = site(LOCAL);
    let mut phone = SyncedPasskey::new();
    let first = register(&policy, &origin, &mut phone, KeyKind::Passkey, &[]).unwrap();

    let start = policy
        .start_registration(
            KeyKind::Passkey,
            ACCOUNT,
            "claire",
            "Claire",
            std::slice::from_ref(&first),
        )
        .unwrap();
    let excluded = creation_options(&start.options_json)
        .public_key
        .exclude_credentials
        .unwrap_or_default();
    assert_eq!(excluded.len(), 1);
    // This passkey ignores the exclusion list and hands over the same credential again.
    let response = phone
        .do_registration(origin.clone(), creation_options(&start.options_json))
        .unwrap();
    let refused =
        policy.finish_registration(&start.state, &serde_json::to_string(&response).unwrap());
    assert_eq!(
        refused,
        Err(WebAuthnError::AlreadyRegistered {
            credential_id: first.id
        })
    );
}

#[test]
fn a_response_made_for_another_origin_is_refused() {
    let (policy, origin) = site(PUBLIC);
    let mut key = key_with_pin();
    let credentials = vec![register(&policy, &origin, &mut key, KeyKind::Passkey, &[]).unwrap()];
    let evil = |url: &str| Url::parse(url).unwrap();

    // A phishing page whose client lies about nothing but could not be stopped by the browser
    // (a relay, a compromised client): the authenticator signs, the server refuses.
    // (webauthn-authenticator-rs writes the origin as a URL, with a trailing slash.)
    let start = policy.start_authentication(&credentials).unwrap();
    let response = answer_unchecked(&mut key, &evil("https://evil.example"), &start.options_json);
    assert_eq!(
        policy.finish_authentication(&start.state, &response, &credentials),
        Err(WebAuthnError::WrongOrigin {
            origin: "https://evil.example/".to_owned()
        })
    );

    // Pages a browser lets use the relying party id, but that are not the public URL.
    for other in [
        "https://evil.login.example.eu",
        "https://login.example.eu:8443",
    ] {
        let start = policy.start_authentication(&credentials).unwrap();
        let response = answer(&mut key, &evil(other), &start.options_json);
        assert_eq!(
            policy.finish_authentication(&start.state, &response, &credentials),
            Err(WebAuthnError::WrongOrigin {
                origin: format!("{other}/")
            }),
            "{other}"
        );
    }

    // The same at registration.
    let start = policy
        .start_registration(KeyKind::SecurityKey, ACCOUNT, "claire", "Claire", &[])
        .unwrap();
    let response = key_without_pin()
        .do_registration(
            evil("https://evil.login.example.eu"),
            creation_options(&start.options_json),
        )
        .unwrap();
    assert!(matches!(
        policy.finish_registration(&start.state, &serde_json::to_string(&response).unwrap()),
        Err(WebAuthnError::WrongOrigin { .. })
    ));
}

#[test]
fn on_localhost_any_port_is_accepted_but_no_other_host() {
    let (policy, origin) = site(LOCAL);
    let mut key = key_without_pin();
    let credentials =
        vec![register(&policy, &origin, &mut key, KeyKind::SecurityKey, &[]).unwrap()];

    let other_port = Url::parse("http://localhost:3000").unwrap();
    assert!(authenticate(&policy, &other_port, &mut key, &credentials).is_ok());

    let start = policy.start_authentication(&credentials).unwrap();
    // Browsers treat *.localhost as localhost; webauthn-authenticator-rs' client does not, so
    // the response is made without its checks.
    let sibling = Url::parse("http://evil.localhost:8080").unwrap();
    let response = answer_unchecked(&mut key, &sibling, &start.options_json);
    assert!(matches!(
        policy.finish_authentication(&start.state, &response, &credentials),
        Err(WebAuthnError::WrongOrigin { .. })
    ));
}

#[test]
fn a_counter_below_the_stored_one_is_refused() {
    let (policy, origin) = site(LOCAL);
    let mut key = key_without_pin();
    let mut stored = register(&policy, &origin, &mut key, KeyKind::SecurityKey, &[]).unwrap();
    // The records have seen 10 signatures; this key's next one is its first.
    stored.counter = 10;
    let refused = authenticate(&policy, &origin, &mut key, &[stored.clone()]);
    assert_eq!(
        refused,
        Err(WebAuthnError::CounterRegression {
            credential_id: stored.id,
            stored: 10,
            received: 1,
        })
    );
}

#[test]
fn a_cloned_key_repeating_a_counter_is_refused() {
    let (policy, origin) = site(LOCAL);
    let (mut original, _ca) = SoftToken::new(true).unwrap();
    let mut credentials =
        vec![register(&policy, &origin, &mut original, KeyKind::SecurityKey, &[]).unwrap()];
    // Copy the key, private keys and counter included.
    let mut clone = SoftToken::from_cbor(&original.to_cbor().unwrap()).unwrap();

    let outcome = authenticate(&policy, &origin, &mut original, &credentials).unwrap();
    assert_eq!(outcome.new_counter, 1);
    record(&mut credentials, &outcome);

    // The clone signs with counter 1 too: equal to the stored one, and not zero.
    let refused = authenticate(&policy, &origin, &mut clone, &credentials);
    assert_eq!(
        refused,
        Err(WebAuthnError::CounterRegression {
            credential_id: credentials[0].id.clone(),
            stored: 1,
            received: 1,
        })
    );
}

#[test]
fn an_older_response_finished_after_a_newer_one_is_refused() {
    let (policy, origin) = site(LOCAL);
    let mut key = key_without_pin();
    let mut credentials =
        vec![register(&policy, &origin, &mut key, KeyKind::SecurityKey, &[]).unwrap()];

    // Two ceremonies started from the same records (two tabs); the key answers both.
    let older = policy.start_authentication(&credentials).unwrap();
    let newer = policy.start_authentication(&credentials).unwrap();
    let older_response = answer(&mut key, &origin, &older.options_json);
    let newer_response = answer(&mut key, &origin, &newer.options_json);

    let outcome = policy
        .finish_authentication(&newer.state, &newer_response, &credentials)
        .unwrap();
    assert_eq!(outcome.new_counter, 2);
    record(&mut credentials, &outcome);

    // webauthn-rs only knows the counter in the older state (0); the records now say 2.
    assert_eq!(
        policy.finish_authentication(&older.state, &older_response, &credentials),
        Err(WebAuthnError::CounterRegression {
            credential_id: credentials[0].id.clone(),
            stored: 2,
            received: 1,
        })
    );
}

#[test]
fn a_counter_that_stays_at_zero_is_accepted_every_time() {
    let (policy, origin) = site(LOCAL);
    let mut phone = SyncedPasskey::new();
    let mut credentials =
        vec![register(&policy, &origin, &mut phone, KeyKind::Passkey, &[]).unwrap()];
    assert_eq!(credentials[0].counter, 0);

    for _ in 0..2 {
        let outcome = authenticate(&policy, &origin, &mut phone, &credentials).unwrap();
        assert_eq!(outcome.new_counter, 0);
        assert!(outcome.user_verified);
        assert_eq!(outcome.updated_data, None, "nothing to update");
        record(&mut credentials, &outcome);
    }

    // But once a counter was seen, falling back to zero is a regression.
    credentials[0].counter = 5;
    assert_eq!(
        authenticate(&policy, &origin, &mut phone, &credentials),
        Err(WebAuthnError::CounterRegression {
            credential_id: credentials[0].id.clone(),
            stored: 5,
            received: 0,
        })
    );
}

#[test]
fn a_state_works_only_with_the_response_to_its_own_challenge() {
    let (policy, origin) = site(LOCAL);
    let mut key = key_without_pin();
    let credentials =
        vec![register(&policy, &origin, &mut key, KeyKind::SecurityKey, &[]).unwrap()];

    let first = policy.start_authentication(&credentials).unwrap();
    let second = policy.start_authentication(&credentials).unwrap();
    let response = answer(&mut key, &origin, &second.options_json);
    assert_eq!(
        policy.finish_authentication(&first.state, &response, &credentials),
        Err(WebAuthnError::ChallengeMismatch)
    );

    // A registration's state is no authentication's, and the reverse.
    let registration = policy
        .start_registration(KeyKind::SecurityKey, ACCOUNT, "claire", "Claire", &[])
        .unwrap();
    assert_eq!(
        policy.finish_authentication(&registration.state, &response, &credentials),
        Err(WebAuthnError::InvalidState)
    );
    let reg_response = key
        .do_registration(origin.clone(), creation_options(&registration.options_json))
        .unwrap();
    let reg_response = serde_json::to_string(&reg_response).unwrap();
    assert_eq!(
        policy.finish_registration(&first.state, &reg_response),
        Err(WebAuthnError::InvalidState)
    );
    // A registration answered under another registration's challenge.
    let other = policy
        .start_registration(KeyKind::SecurityKey, ACCOUNT, "claire", "Claire", &[])
        .unwrap();
    assert_eq!(
        policy.finish_registration(&other.state, &reg_response),
        Err(WebAuthnError::ChallengeMismatch)
    );

    for junk in [
        "",
        "{}",
        "not json",
        r#"{"ceremony":"passkey_authentication"}"#,
    ] {
        assert_eq!(
            policy.finish_authentication(junk, &response, &credentials),
            Err(WebAuthnError::InvalidState),
            "{junk:?}"
        );
        assert_eq!(
            policy.finish_registration(junk, &reg_response),
            Err(WebAuthnError::InvalidState),
            "{junk:?}"
        );
    }
}

#[test]
fn a_credential_not_registered_to_the_account_is_refused() {
    let (policy, origin) = site(LOCAL);
    let mut first = key_without_pin();
    let mut second = key_without_pin();
    let a = register(&policy, &origin, &mut first, KeyKind::SecurityKey, &[]).unwrap();
    let b = register(&policy, &origin, &mut second, KeyKind::SecurityKey, &[]).unwrap();

    // Removed from the account between the two requests.
    let start = policy
        .start_authentication(&[a.clone(), b.clone()])
        .unwrap();
    let response = answer(&mut second, &origin, &start.options_json);
    assert_eq!(
        policy.finish_authentication(&start.state, &response, std::slice::from_ref(&a)),
        Err(WebAuthnError::UnknownCredential)
    );

    // Not offered in the ceremony: a client answering with another credential it holds.
    let start = policy
        .start_authentication(std::slice::from_ref(&a))
        .unwrap();
    let mut options = request_options(&start.options_json);
    options.public_key.allow_credentials = request_options(
        &policy
            .start_authentication(std::slice::from_ref(&b))
            .unwrap()
            .options_json,
    )
    .public_key
    .allow_credentials;
    let response = second.do_authentication(origin.clone(), options).unwrap();
    assert_eq!(
        policy.finish_authentication(
            &start.state,
            &serde_json::to_string(&response).unwrap(),
            &[a, b],
        ),
        Err(WebAuthnError::UnknownCredential)
    );
}

#[test]
fn malformed_input_is_refused_without_panicking() {
    let (policy, origin) = site(LOCAL);
    let mut key = key_without_pin();
    let stored = register(&policy, &origin, &mut key, KeyKind::SecurityKey, &[]).unwrap();
    let credentials = vec![stored.clone()];
    let auth = policy.start_authentication(&credentials).unwrap();
    let reg = policy
        .start_registration(KeyKind::SecurityKey, ACCOUNT, "claire", "Claire", &[])
        .unwrap();

    let genuine = answer(&mut key, &origin, &auth.options_json);
    let mut truncated: serde_json::Value = serde_json::from_str(&genuine).unwrap();
    truncated["response"]["authenticatorData"] = "AAAA".into();
    let truncated = truncated.to_string();
    for junk in [
        "",
        "null",
        "{}",
        "[1,2,3]",
        r#"{"id":"x","rawId":"%%%","response":{},"type":"public-key"}"#,
        truncated.as_str(),
    ] {
        assert!(
            matches!(
                policy.finish_authentication(&auth.state, junk, &credentials),
                Err(WebAuthnError::InvalidResponse(_) | WebAuthnError::UnknownCredential)
            ),
            "{junk:?}"
        );
        assert!(
            matches!(
                policy.finish_registration(&reg.state, junk),
                Err(WebAuthnError::InvalidResponse(_))
            ),
            "{junk:?}"
        );
    }
    assert!(matches!(
        policy.finish_authentication(&auth.state, &truncated, &credentials),
        Err(WebAuthnError::InvalidResponse(_))
    ));

    assert_eq!(
        policy.start_authentication(&[]).map(|_| ()),
        Err(WebAuthnError::NoCredentials)
    );
    let corrupt = StoredCredential {
        data: "{\"cred\":42}".to_owned(),
        ..stored.clone()
    };
    assert!(matches!(
        policy.start_authentication(std::slice::from_ref(&corrupt)),
        Err(WebAuthnError::InvalidStoredCredential { .. })
    ));
    let mislabelled = StoredCredential {
        id: "AAAA".to_owned(),
        ..stored
    };
    assert!(matches!(
        policy.start_registration(
            KeyKind::Passkey,
            ACCOUNT,
            "claire",
            "Claire",
            &[mislabelled]
        ),
        Err(WebAuthnError::InvalidStoredCredential { .. })
    ));
}

#[test]
fn stored_credentials_and_states_survive_a_round_trip_through_text() {
    let (policy, origin) = site(LOCAL);
    let mut key = key_with_pin();
    let stored = register(&policy, &origin, &mut key, KeyKind::Passkey, &[]).unwrap();
    // As a database row would keep it, and as another replica would read it back.
    let row = serde_json::to_string(&stored).unwrap();
    let stored: StoredCredential = serde_json::from_str(&row).unwrap();
    assert_eq!(KeyKind::Passkey.as_str().parse(), Ok(KeyKind::Passkey));
    assert_eq!(
        KeyKind::SecurityKey.as_str().parse(),
        Ok(KeyKind::SecurityKey)
    );
    assert!("u2f".parse::<KeyKind>().is_err());

    let start = policy
        .start_authentication(std::slice::from_ref(&stored))
        .unwrap();
    let (replica, _) = site(LOCAL);
    let response = answer(&mut key, &origin, &start.options_json);
    assert!(
        replica
            .finish_authentication(&start.state, &response, &[stored])
            .is_ok()
    );
}
