//! Complete flows driven by the openidconnect crate, a client we did not write: discovery, the
//! code flow with PKCE and nonce, ID-token validation (signature from the JWKS, iss, aud, exp,
//! nonce, at_hash), userinfo, refresh, and RP-initiated logout.

use crate::oidc_support::*;
use crate::on_both_backends;
use crate::support::*;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse,
};

on_both_backends!(a_certified_client_logs_in_refreshes_and_logs_out, |app| {
    app.oidc_user().await;
    let registered = app.register_client(web_app("crate-app")).await;

    let issuer = IssuerUrl::new(app.base.clone()).unwrap();
    let metadata = ProviderMetadataWithLogout::discover_async(issuer, &oidc_http)
        .await
        .unwrap();
    let end_session = metadata
        .additional_metadata()
        .end_session_endpoint
        .clone()
        .expect("end_session_endpoint in discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(registered.id.clone()),
        Some(ClientSecret::new(registered.secret.clone().unwrap())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.to_owned()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf_state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let first = app.browser.get(auth_url).send().await.unwrap();
    let back = app
        .follow_to_application(first, Some((USER, STRONG_PASSWORD)))
        .await;
    assert!(back.as_str().starts_with(REDIRECT_URI));
    assert_eq!(
        param(&back, "state").as_deref(),
        Some(csrf_state.secret().as_str())
    );
    assert_eq!(param(&back, "iss").as_deref(), Some(app.base.as_str()));

    let tokens = client
        .exchange_code(AuthorizationCode::new(param(&back, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&oidc_http)
        .await
        .unwrap();
    let id_token = tokens.id_token().expect("an ID token");
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("a valid ID token");
    let expected_hash = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected_hash));
    assert_eq!(claims.email().map(|e| e.as_str()), Some(USER));
    assert_ne!(claims.subject().as_str(), USER, "sub is never the e-mail");
    assert_eq!(
        claims.auth_context_ref().map(|a| a.as_str().to_owned()),
        Some(format!("{}/loa/low", app.base))
    );
    let amr: Vec<String> = claims
        .auth_method_refs()
        .unwrap()
        .iter()
        .map(|m| m.as_str().to_owned())
        .collect();
    assert_eq!(amr, ["pwd"]);
    assert!(claims.auth_time().is_some());
    assert_eq!(header_of(&id_token.to_string())["alg"], "RS256");
    let raw = claims_of(&id_token.to_string());
    assert!(raw["sid"].as_str().is_some_and(|s| !s.is_empty()));

    let userinfo: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&oidc_http)
        .await
        .unwrap();
    assert_eq!(userinfo.subject(), claims.subject());
    assert_eq!(userinfo.email().map(|e| e.as_str()), Some(USER));
    assert_eq!(
        userinfo
            .given_name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str()),
        Some("Anna")
    );

    let refreshed = client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&oidc_http)
        .await
        .unwrap();
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        tokens.refresh_token().unwrap().secret(),
        "refresh tokens rotate"
    );
    assert_ne!(
        refreshed.access_token().secret(),
        tokens.access_token().secret()
    );

    let logout_url = LogoutRequest::from(end_session)
        .set_id_token_hint(id_token)
        .set_client_id(ClientId::new(registered.id.clone()))
        .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(LOGGED_OUT_URI.into()).unwrap())
        .set_state(CsrfToken::new("bye".into()))
        .http_get_url();
    let response = app.browser.get(logout_url).send().await.unwrap();
    let after = app.follow_to_application(response, None).await;
    assert_eq!(after.as_str(), format!("{LOGGED_OUT_URI}?state=bye"));

    // The session is over: a silent request is refused, and the tokens died with it.
    let silent = app
        .authorize(&[
            ("client_id", registered.id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", "openid"),
            ("prompt", "none"),
        ])
        .await;
    let refused = app.follow_to_application(silent, None).await;
    assert_eq!(param(&refused, "error").as_deref(), Some("login_required"));
    assert_eq!(
        app.userinfo(refreshed.access_token().secret())
            .await
            .status(),
        200,
        "offline_access tokens outlive the session"
    );
});

on_both_backends!(es256_id_tokens_on_request_of_the_client, |app| {
    app.oidc_user().await;
    let mut spec = web_app("es256-app");
    spec.id_token_alg = "ES256".into();
    let registered = app.register_client(spec).await;
    let issuer = IssuerUrl::new(app.base.clone()).unwrap();
    let metadata = ProviderMetadataWithLogout::discover_async(issuer, &oidc_http)
        .await
        .unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(registered.id.clone()),
        Some(ClientSecret::new(registered.secret.clone().unwrap())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.to_owned()).unwrap());
    let (auth_url, _, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .url();
    let first = app.browser.get(auth_url).send().await.unwrap();
    let back = app
        .follow_to_application(first, Some((USER, STRONG_PASSWORD)))
        .await;
    let tokens = client
        .exchange_code(AuthorizationCode::new(param(&back, "code").unwrap()))
        .unwrap()
        .request_async(&oidc_http)
        .await
        .unwrap();
    let id_token = tokens.id_token().unwrap();
    assert_eq!(header_of(&id_token.to_string())["alg"], "ES256");
    let rs256_only = client
        .id_token_verifier()
        .set_allowed_algs(vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256]);
    assert!(id_token.claims(&rs256_only, &nonce).is_err());
    let es256 = client
        .id_token_verifier()
        .set_allowed_algs(vec![CoreJwsSigningAlgorithm::EcdsaP256Sha256]);
    assert!(id_token.claims(&es256, &nonce).is_ok());
});
