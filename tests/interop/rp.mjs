#!/usr/bin/env node
// Interoperability test: eulogin's OpenID Connect provider driven by the certified relying-party
// library oauth4webapi (by panva), with none of its checks relaxed: HTTPS only, `iss` in the
// authorization response, `state`, `nonce`, ID token signature / iss / aud / exp / iat, and the
// library's default clock tolerance. A small hand-written "browser" (browser.mjs) plays the
// person: it keeps the provider's cookies, fills in the login form and follows redirects until
// the relying party's redirect URI, which is never contacted.
//
// Output is TAP-like: `ok - <step>` per step; at the first failure `not ok - <step>: <reason>`
// followed by `#` diagnostic lines, and exit status 1. Exit 0 only when every step passed.
//
// Environment (set by the Rust test `interop_node`, see README.md): ISSUER, CLIENT_ID,
// CLIENT_SECRET, PUBLIC_CLIENT_ID, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI, USER_EMAIL,
// USER_PASSWORD, ACCESS_TOKEN_AUDIENCE; optional INTEROP_TIMEOUT_SECONDS (default 120).
// NODE_EXTRA_CA_CERTS must name the test CA so that fetch trusts the provider's certificate.

import * as oauth from 'oauth4webapi';
import { Browser, BrowserError, findLoginForm, pageText } from './browser.mjs';

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

const REQUIRED_ENV = [
  'ISSUER',
  'CLIENT_ID',
  'CLIENT_SECRET',
  'PUBLIC_CLIENT_ID',
  'REDIRECT_URI',
  'POST_LOGOUT_REDIRECT_URI',
  'USER_EMAIL',
  'USER_PASSWORD',
  'ACCESS_TOKEN_AUDIENCE',
];

function readEnv() {
  const missing = REQUIRED_ENV.filter((name) => !process.env[name]);
  if (missing.length) {
    console.log(`not ok - environment: missing ${missing.join(', ')} (see tests/interop/README.md)`);
    process.exit(2);
  }
  return Object.fromEntries(REQUIRED_ENV.map((name) => [name, process.env[name]]));
}

const env = readEnv();
const TIMEOUT_SECONDS = Number(process.env.INTEROP_TIMEOUT_SECONDS ?? 120);
const CONFIDENTIAL_SCOPE = 'openid profile email offline_access';
const PUBLIC_SCOPE = 'openid';
// Where a resource server would be; validateJwtAccessToken only reads the request's headers.
const RESOURCE_URL = 'https://resource.example.test/api';

// ---------------------------------------------------------------------------------------------
// Steps, checks and failure reports
// ---------------------------------------------------------------------------------------------

/** A failed expectation of this script (as opposed to an error thrown by oauth4webapi). */
class CheckError extends Error {
  constructor(message, details) {
    super(message);
    this.name = 'CheckError';
    this.details = details;
  }
}

function check(condition, message, details) {
  if (!condition) throw new CheckError(message, details);
}

function checkEqual(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Stops the run after a failed step; carries the already formatted report. */
class StepFailed extends Error {}

let currentStep = 'start';
let passed = 0;
/** Browser hops and notes of the running step; printed only when the step fails. */
let trace = [];

function note(line) {
  trace.push(line);
}

async function step(name, fn) {
  currentStep = name;
  trace = [];
  try {
    const result = await fn();
    console.log(`ok - ${name}`);
    passed += 1;
    return result;
  } catch (err) {
    const { reason, details } = await describe(err);
    console.log(`not ok - ${name}: ${reason}`);
    for (const line of [...details, ...trace.map((t) => `trace: ${t}`)]) console.log(`#   ${line}`);
    throw new StepFailed(name);
  }
}

/** A one-line reason and some diagnostic lines for any error a step can throw. */
async function describe(err) {
  const details = [];
  let reason;
  if (err instanceof oauth.ResponseBodyError) {
    reason = `server answered HTTP ${err.status} with error=${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
    details.push(`body: ${safeJson(err.cause)}`);
  } else if (err instanceof oauth.AuthorizationResponseError) {
    reason = `authorization error response error=${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
    details.push(`parameters: ${err.cause}`);
  } else if (err instanceof oauth.WWWAuthenticateChallengeError) {
    reason = `server answered HTTP ${err.status} with a WWW-Authenticate challenge`;
    details.push(`challenges: ${safeJson(err.cause)}`);
  } else if (err instanceof oauth.OperationProcessingError) {
    reason = `oauth4webapi: ${err.message}${err.code ? ` [${err.code}]` : ''}`;
    if (err.cause instanceof Response) {
      details.push(`response: HTTP ${err.cause.status} ${err.cause.headers.get('content-type') ?? ''} from ${err.cause.url}`);
      if (!err.cause.bodyUsed) {
        const text = await err.cause.text().catch(() => '');
        details.push(`body: ${text.slice(0, 500) || '(empty)'}`);
      }
    } else if (err.cause !== undefined) {
      details.push(`cause: ${safeJson(err.cause)}`);
    }
  } else if (err instanceof oauth.UnsupportedOperationError) {
    reason = `oauth4webapi: unsupported: ${err.message}`;
    if (err.cause !== undefined) details.push(`cause: ${safeJson(err.cause)}`);
  } else if (err instanceof CheckError || err instanceof BrowserError) {
    reason = err.message;
    if (err.details !== undefined) details.push(`details: ${safeJson(err.details)}`);
  } else if (err instanceof TypeError && err.message === 'fetch failed') {
    reason = `network error: ${err.cause?.message ?? err.message}`;
    if (err.cause?.code) details.push(`code: ${err.cause.code}`);
  } else {
    reason = `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`;
    if (err?.cause) details.push(`cause: ${safeJson(err.cause)}`);
    if (err?.stack) details.push(...err.stack.split('\n').slice(1, 6).map((l) => l.trim()));
  }
  return { reason, details };
}

function safeJson(value) {
  const text = JSON.stringify(value, (_key, v) => {
    if (v instanceof Response) return `[Response HTTP ${v.status} ${v.url}]`;
    if (v instanceof Headers) return Object.fromEntries(v.entries());
    if (v instanceof URLSearchParams) return v.toString();
    if (v instanceof Error) return `${v.name}: ${v.message}`;
    return v;
  });
  return text === undefined ? String(value) : text.length > 1500 ? `${text.slice(0, 1500)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// The relying party
// ---------------------------------------------------------------------------------------------

const confidential = { client_id: env.CLIENT_ID };
const confidentialAuth = oauth.ClientSecretBasic(env.CLIENT_SECRET);
const publicClient = { client_id: env.PUBLIC_CLIENT_ID, token_endpoint_auth_method: 'none' };
const publicAuth = oauth.None();

/** Set by the discovery step. */
let as;
/** One browser (one cookie jar) for the whole run: that is what makes SSO and logout observable. */
const browser = new Browser(env.ISSUER, { log: note });

/** A fresh authorization request: new state, nonce and PKCE pair. */
async function newAuthorizationRequest(client, { scope, prompt, pkce = true }) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint);
  const p = url.searchParams;
  p.set('response_type', 'code');
  p.set('client_id', client.client_id);
  p.set('redirect_uri', env.REDIRECT_URI);
  p.set('scope', scope);
  p.set('state', state);
  p.set('nonce', nonce);
  if (pkce) {
    p.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    p.set('code_challenge_method', 'S256');
  }
  if (prompt) p.set('prompt', prompt);
  return { url, state, nonce, codeVerifier, client };
}

/**
 * Runs an authorization request in the browser until the provider redirects to REDIRECT_URI.
 * `login`: 'required' (the login page must be shown and is filled in), 'forbidden' (an SSO
 * session must answer without any page), 'allowed' (either). `via` is the browser to use.
 * Returns the callback URL (not fetched) and whether the login form was shown.
 */
async function authorizeInBrowser(request, { login, via = browser }) {
  const stopAt = [env.REDIRECT_URI];
  let result = await via.navigate(request.url, { stopAt });
  let sawLogin = false;
  if (result.kind === 'page') {
    const form = findLoginForm(result.forms);
    check(form, `expected the login page or a redirect to REDIRECT_URI, got a page without a login form at ${result.url}: ${pageText(result.html).slice(0, 500)}`);
    check(login !== 'forbidden', `the login form was shown (at ${result.url}) although the browser holds an SSO session`);
    sawLogin = true;
    check(form.hidden.some(([name]) => name === 'csrf_token'), 'the login form has no hidden csrf_token input', form);
    note(`login form: action ${form.action}, hidden inputs ${form.hidden.map(([n]) => n).join(', ')}`);
    result = await via.submit(form, { email: env.USER_EMAIL, password: env.USER_PASSWORD }, { stopAt });
    check(result.kind === 'stopped', `after the login form was submitted, a page was shown at ${result.url} instead of a redirect to REDIRECT_URI: ${result.kind === 'page' ? pageText(result.html).slice(0, 500) : ''}`);
  }
  check(login !== 'required' || sawLogin, 'the login form was expected (no SSO session yet) but the provider redirected straight to REDIRECT_URI');
  note(`callback: ${result.url}`);
  return { callbackUrl: new URL(result.url), sawLogin };
}

/**
 * The relying party's side of the callback: validateAuthResponse (iss, state), the code grant
 * with the PKCE verifier, and full ID token validation including the nonce.
 */
async function redeemCallback(request, callbackUrl, clientAuth) {
  const params = oauth.validateAuthResponse(as, request.client, callbackUrl, request.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    request.client,
    clientAuth,
    params,
    env.REDIRECT_URI,
    request.codeVerifier,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, request.client, response, {
    expectedNonce: request.nonce,
    requireIdToken: true,
  });
  checkEqual(tokens.token_type, 'bearer', 'token_type');
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  await checkAtHash(tokens.id_token, tokens.access_token, claims);
  return { tokens, claims };
}

/**
 * oauth4webapi does not check `at_hash` in the code flow (it is optional there); when the
 * provider includes it, it must match the access token (OIDC Core 3.1.3.8 / 3.2.2.9).
 */
async function checkAtHash(idToken, accessToken, claims) {
  if (claims.at_hash === undefined) {
    note('ID token has no at_hash (optional in the code flow)');
    return;
  }
  const header = JSON.parse(Buffer.from(idToken.split('.')[0], 'base64url').toString('utf8'));
  const hash = hashForAlg(header.alg);
  const digest = new Uint8Array(await crypto.subtle.digest(hash, new TextEncoder().encode(accessToken)));
  const expected = Buffer.from(digest.slice(0, digest.length / 2)).toString('base64url');
  checkEqual(claims.at_hash, expected, `ID token at_hash (alg ${header.alg})`);
}

function hashForAlg(alg) {
  if (/^(RS|PS|ES|HS)256$/.test(alg) || alg === 'ES256K') return 'SHA-256';
  if (/^(RS|PS|ES|HS)384$/.test(alg)) return 'SHA-384';
  if (/^(RS|PS|ES|HS)512$/.test(alg) || alg === 'EdDSA' || alg === 'Ed25519') return 'SHA-512';
  throw new CheckError(`cannot check at_hash for ID token alg ${alg}`);
}

/** Validates an access token the way a resource server would (RFC 9068 via oauth4webapi). */
async function validateAccessToken(accessToken) {
  const request = new Request(RESOURCE_URL, { headers: { authorization: `Bearer ${accessToken}` } });
  return oauth.validateJwtAccessToken(as, request, env.ACCESS_TOKEN_AUDIENCE);
}

async function refresh(client, clientAuth, refreshToken) {
  const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken);
  return oauth.processRefreshTokenResponse(as, client, response);
}

/** Runs `attempt` and requires the token endpoint to refuse it with `invalid_grant`. */
async function expectInvalidGrant(what, attempt) {
  let outcome;
  try {
    outcome = await attempt();
  } catch (err) {
    if (err instanceof oauth.ResponseBodyError) {
      checkEqual(err.error, 'invalid_grant', `${what}: error code`);
      checkEqual(err.status, 400, `${what}: HTTP status`);
      return;
    }
    throw err;
  }
  throw new CheckError(`${what} was accepted; expected invalid_grant`, { issued: Object.keys(outcome ?? {}) });
}

async function introspect(token, hint) {
  const response = await oauth.introspectionRequest(as, confidential, confidentialAuth, token, {
    additionalParameters: { token_type_hint: hint },
  });
  return oauth.processIntrospectionResponse(as, confidential, response);
}

/** prompt=none in `via` must come back to REDIRECT_URI with error=login_required. */
async function expectLoginRequired(via, who) {
  const request = await newAuthorizationRequest(confidential, { scope: CONFIDENTIAL_SCOPE, prompt: 'none' });
  const { callbackUrl } = await authorizeInBrowser(request, { login: 'forbidden', via });
  let error;
  try {
    oauth.validateAuthResponse(as, confidential, callbackUrl, request.state);
  } catch (err) {
    if (!(err instanceof oauth.AuthorizationResponseError)) throw err;
    error = err;
  }
  check(error, `prompt=none for ${who} was answered with a code: the session survived the logout`);
  checkEqual(error.error, 'login_required', `prompt=none error for ${who}`);
}

function scopes(value) {
  return new Set(typeof value === 'string' ? value.split(' ').filter(Boolean) : []);
}

const now = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

async function run() {
  // 1. Discovery: the metadata oauth4webapi needs and the features the later steps rely on.
  await step('discovery', async () => {
    const issuer = new URL(env.ISSUER);
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc' });
    as = await oauth.processDiscoveryResponse(issuer, response);
    // oauth4webapi compares normalised URLs; the issuer string must also be exactly ISSUER,
    // since `iss` in tokens and authorization responses is compared as a string.
    checkEqual(as.issuer, env.ISSUER, 'issuer');
    for (const field of [
      'authorization_endpoint',
      'token_endpoint',
      'jwks_uri',
      'userinfo_endpoint',
      'end_session_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
    ]) {
      check(typeof as[field] === 'string' && as[field].startsWith('https://'), `metadata ${field} missing or not an https URL: ${JSON.stringify(as[field])}`);
    }
    // Required by OpenID Connect Discovery 1.0, section 3.
    check(Array.isArray(as.response_types_supported) && as.response_types_supported.includes('code'), 'response_types_supported must include "code"');
    check(Array.isArray(as.subject_types_supported) && as.subject_types_supported.length > 0, 'subject_types_supported missing');
    check(Array.isArray(as.id_token_signing_alg_values_supported) && as.id_token_signing_alg_values_supported.length > 0, 'id_token_signing_alg_values_supported missing');
    check(Array.isArray(as.code_challenge_methods_supported) && as.code_challenge_methods_supported.includes('S256'), 'code_challenge_methods_supported must include S256');
    checkEqual(as.authorization_response_iss_parameter_supported, true, 'authorization_response_iss_parameter_supported');
  });

  // 2. A person logs in through the browser; the confidential client redeems the code with
  //    PKCE and client_secret_basic; the ID token passes oauth4webapi's full validation.
  const first = await step('code flow: confidential client, PKCE S256, client_secret_basic, login form', async () => {
    const request = await newAuthorizationRequest(confidential, { scope: CONFIDENTIAL_SCOPE });
    const { callbackUrl } = await authorizeInBrowser(request, { login: 'required' });
    const { tokens, claims } = await redeemCallback(request, callbackUrl, confidentialAuth);
    check(typeof claims.sub === 'string' && claims.sub.length > 0, 'ID token sub missing');
    check(claims.sub !== env.USER_EMAIL, 'ID token sub is the e-mail address; it must be a stable opaque identifier');
    checkEqual(claims.email, env.USER_EMAIL, 'ID token email');
    check(Number.isInteger(claims.auth_time) && claims.auth_time <= now() + 5 && claims.auth_time > now() - 600, `ID token auth_time missing or implausible: ${claims.auth_time}`);
    check(typeof claims.acr === 'string' && claims.acr.length > 0, 'ID token acr missing');
    check(typeof claims.sid === 'string' && claims.sid.length > 0, 'ID token sid missing');
    check(typeof tokens.refresh_token === 'string', 'no refresh_token although offline_access was requested');
    return { tokens, claims };
  });

  // 3. The access token is an RFC 9068 JWT a resource server can validate on its own
  //    (typ at+jwt, signature from jwks_uri, iss, aud, exp, required claims).
  await step('access token validates as an RFC 9068 JWT (validateJwtAccessToken)', async () => {
    const at = await validateAccessToken(first.tokens.access_token);
    checkEqual(at.client_id, env.CLIENT_ID, 'access token client_id');
    checkEqual(at.sub, first.claims.sub, 'access token sub (the ID token sub)');
    check(scopes(at.scope).has('openid'), `access token scope should include openid: ${JSON.stringify(at.scope)}`);
  });

  // 4. UserInfo answers for the same subject with the profile and email claims.
  await step('userinfo', async () => {
    const response = await oauth.userInfoRequest(as, confidential, first.tokens.access_token);
    const info = await oauth.processUserInfoResponse(as, confidential, first.claims.sub, response);
    checkEqual(info.email, env.USER_EMAIL, 'userinfo email');
    check(typeof info.given_name === 'string' && info.given_name.length > 0, 'userinfo given_name missing');
    check(typeof info.family_name === 'string' && info.family_name.length > 0, 'userinfo family_name missing');
  });

  // 5. The refresh grant rotates the refresh token and yields a valid new access token.
  //    (Reuse detection is proven later, in its own step, on a second token family, so that
  //    this family stays usable for introspection and revocation.)
  const refreshed = await step('refresh token grant rotates the refresh token', async () => {
    const tokens = await refresh(confidential, confidentialAuth, first.tokens.refresh_token);
    check(typeof tokens.refresh_token === 'string', 'no new refresh_token in the refresh response (rotation expected)');
    check(tokens.refresh_token !== first.tokens.refresh_token, 'the refresh response returned the same refresh token (rotation expected)');
    const at = await validateAccessToken(tokens.access_token);
    checkEqual(at.sub, first.claims.sub, 'refreshed access token sub');
    const idClaims = oauth.getValidatedIdTokenClaims(tokens);
    if (idClaims) checkEqual(idClaims.sub, first.claims.sub, 'refreshed ID token sub');
    return tokens;
  });

  // 6. Introspection of live tokens, then revocation of the refresh token, which introspection
  //    and the token endpoint must then treat as dead.
  await step('introspection and revocation', async () => {
    const live = await introspect(refreshed.access_token, 'access_token');
    checkEqual(live.active, true, 'introspection of the live access token: active');
    checkEqual(live.client_id, env.CLIENT_ID, 'introspection client_id');
    checkEqual(live.sub, first.claims.sub, 'introspection sub');
    check(scopes(live.scope).has('openid'), `introspection scope should include openid: ${JSON.stringify(live.scope)}`);
    check(typeof live.exp === 'number' && live.exp > now(), `introspection exp missing or past: ${live.exp}`);

    // Before revocation the refresh token must introspect as active, so that "inactive" after
    // revocation proves the revocation and not a lack of refresh-token introspection.
    const before = await introspect(refreshed.refresh_token, 'refresh_token');
    checkEqual(before.active, true, 'introspection of the live refresh token: active');

    const response = await oauth.revocationRequest(as, confidential, confidentialAuth, refreshed.refresh_token, {
      additionalParameters: { token_type_hint: 'refresh_token' },
    });
    await oauth.processRevocationResponse(response);

    const after = await introspect(refreshed.refresh_token, 'refresh_token');
    checkEqual(after.active, false, 'introspection of the revoked refresh token: active');
    await expectInvalidGrant('refresh grant with the revoked refresh token', () =>
      refresh(confidential, confidentialAuth, refreshed.refresh_token),
    );
  });

  // 7. Single sign-on: the same browser asks again and is sent straight back with a code;
  //    the new ID token belongs to the same authentication (auth_time, sid).
  const sso = await step('SSO: second authorization is answered without the login form', async () => {
    const request = await newAuthorizationRequest(confidential, { scope: CONFIDENTIAL_SCOPE });
    const { callbackUrl } = await authorizeInBrowser(request, { login: 'forbidden' });
    const { tokens, claims } = await redeemCallback(request, callbackUrl, confidentialAuth);
    checkEqual(claims.sub, first.claims.sub, 'SSO ID token sub');
    checkEqual(claims.auth_time, first.claims.auth_time, 'SSO ID token auth_time (same authentication)');
    checkEqual(claims.sid, first.claims.sid, 'SSO ID token sid (same session)');
    check(typeof tokens.refresh_token === 'string', 'no refresh_token in the SSO code exchange');
    return { tokens, claims };
  });

  // 8. A public client (no secret) with mandatory PKCE: the flow works with the verifier; an
  //    authorization request without code_challenge, and a code redeemed without the
  //    code_verifier, are refused.
  await step('public client: PKCE flow works, and is required', async () => {
    const request = await newAuthorizationRequest(publicClient, { scope: PUBLIC_SCOPE });
    const { callbackUrl } = await authorizeInBrowser(request, { login: 'allowed' });
    const { claims } = await redeemCallback(request, callbackUrl, publicAuth);
    check(typeof claims.sub === 'string' && claims.sub.length > 0, 'public client ID token sub missing');

    // No code_challenge at all: PKCE is mandatory for this client.
    const bare = await newAuthorizationRequest(publicClient, { scope: PUBLIC_SCOPE, pkce: false });
    const bareResult = await authorizeInBrowser(bare, { login: 'allowed' });
    let bareError;
    try {
      oauth.validateAuthResponse(as, publicClient, bareResult.callbackUrl, bare.state);
    } catch (err) {
      if (!(err instanceof oauth.AuthorizationResponseError)) throw err;
      bareError = err;
    }
    check(bareError, 'an authorization request of the public client without code_challenge was answered with a code');
    checkEqual(bareError.error, 'invalid_request', 'error for a missing code_challenge');

    // A code obtained with a code_challenge, redeemed without code_verifier (raw request, since
    // oauth4webapi always sends the verifier).
    const second = await newAuthorizationRequest(publicClient, { scope: PUBLIC_SCOPE });
    const { callbackUrl: secondCallback } = await authorizeInBrowser(second, { login: 'allowed' });
    const params = oauth.validateAuthResponse(as, publicClient, secondCallback, second.state);
    const response = await fetch(as.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.get('code'),
        redirect_uri: env.REDIRECT_URI,
        client_id: env.PUBLIC_CLIENT_ID,
      }),
      redirect: 'manual',
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    checkEqual(response.status, 400, `token endpoint status for a code without code_verifier (body: ${text.slice(0, 300)})`);
    check(/^application\/json\b/i.test(response.headers.get('content-type') ?? ''), `token error is not JSON: ${response.headers.get('content-type')}`);
    const body = JSON.parse(text);
    check(['invalid_grant', 'invalid_request'].includes(body.error), `token error for a missing code_verifier: expected invalid_grant or invalid_request, got ${JSON.stringify(body.error)}`);
  });

  // 9. Refresh token reuse detection, on the SSO token family: after rotation the old token is
  //    refused, and the reuse revokes the whole family, so the newest token is refused too.
  await step('refresh token reuse revokes the whole token family', async () => {
    const oldToken = sso.tokens.refresh_token;
    const rotated = await refresh(confidential, confidentialAuth, oldToken);
    check(typeof rotated.refresh_token === 'string' && rotated.refresh_token !== oldToken, 'the refresh grant did not rotate the refresh token');
    await expectInvalidGrant('reusing the rotated-out refresh token', () => refresh(confidential, confidentialAuth, oldToken));
    await expectInvalidGrant('the newest refresh token after reuse was detected', () =>
      refresh(confidential, confidentialAuth, rotated.refresh_token),
    );
  });

  // 10. Control for step 12: with the session alive, prompt=none returns a code.
  await step('prompt=none with a live session returns a code', async () => {
    const request = await newAuthorizationRequest(confidential, { scope: CONFIDENTIAL_SCOPE, prompt: 'none' });
    const { callbackUrl } = await authorizeInBrowser(request, { login: 'forbidden' });
    const params = oauth.validateAuthResponse(as, confidential, callbackUrl, request.state);
    check(params.get('code'), 'no code in the prompt=none response');
  });

  // 11. RP-initiated logout with the ID token of the current session; the provider returns to
  //     the registered post-logout URI with our state (after a confirmation page, if it shows one).
  const cookiesBeforeLogout = await step('RP-initiated logout returns to POST_LOGOUT_REDIRECT_URI with state', async () => {
    const before = browser.jar.snapshot();
    const state = oauth.generateRandomState();
    const url = new URL(as.end_session_endpoint);
    url.searchParams.set('id_token_hint', sso.tokens.id_token);
    url.searchParams.set('post_logout_redirect_uri', env.POST_LOGOUT_REDIRECT_URI);
    url.searchParams.set('state', state);
    url.searchParams.set('client_id', env.CLIENT_ID);
    const stopAt = [env.POST_LOGOUT_REDIRECT_URI];
    let result = await browser.navigate(url, { stopAt });
    if (result.kind === 'page') {
      // A confirmation page: press its form (the first POST form of the page's <main>).
      const form = result.forms.find((f) => f.method === 'post' && f.inMain) ?? result.forms.find((f) => f.method === 'post');
      check(form, `end_session answered a page without a form at ${result.url}: ${pageText(result.html).slice(0, 500)}`);
      note(`logout confirmation form: action ${form.action}, hidden inputs ${form.hidden.map(([n]) => n).join(', ')}`);
      result = await browser.submit(form, {}, { stopAt });
      check(result.kind === 'stopped', `after confirming the logout a page was shown at ${result.url}: ${result.kind === 'page' ? pageText(result.html).slice(0, 500) : ''}`);
    }
    const back = new URL(result.url);
    checkEqual(back.searchParams.get('state'), state, 'state returned to the post-logout redirect URI');
    check(!back.searchParams.has('error'), `post-logout redirect carries an error: ${back.search}`);
    return before;
  });

  // 12. After logout the session is gone: prompt=none must come back with login_required
  //     (validateAuthResponse still checks iss and state on the error response). The session
  //     must be ended on the server, not only forgotten by the browser: a browser that replays
  //     the cookies it held before the logout gets login_required as well.
  await step('prompt=none after logout answers login_required, even with the old session cookie', async () => {
    await expectLoginRequired(browser, 'the browser after logout');
    const replay = new Browser(env.ISSUER, { log: note });
    replay.jar.restore(cookiesBeforeLogout);
    await expectLoginRequired(replay, 'a browser replaying the pre-logout cookies');
  });
}

// ---------------------------------------------------------------------------------------------

const watchdog = setTimeout(() => {
  console.log(`not ok - ${currentStep}: timed out after ${TIMEOUT_SECONDS}s`);
  for (const line of trace) console.log(`#   trace: ${line}`);
  process.exit(1);
}, TIMEOUT_SECONDS * 1000);
watchdog.unref();

try {
  await run();
  console.log(`# all ${passed} steps passed against ${env.ISSUER} (oauth4webapi)`);
  process.exitCode = 0;
} catch (err) {
  if (!(err instanceof StepFailed)) {
    console.log(`not ok - ${currentStep}: unexpected ${err?.stack ?? err}`);
  }
  console.log(`# ${passed} steps passed before the failure`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
}
