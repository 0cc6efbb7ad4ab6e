// The security-key and passkey pages in a real browser: starts eulogin (embedded backends, in a
// temporary folder) and a headless Chromium, gives the browser a virtual authenticator through
// the DevTools protocol, and goes through the pages as a person would: register an account, add
// a key, turn on "always require", log out, log in with the key. Once with a passkey (platform
// authenticator that verifies its user), once with a USB security key without PIN. This runs
// static/webauthn.js itself, which the Rust tests cannot (they post its answer directly).
//
//   cargo test -p eulogin --test flows a_real_browser_adds_and_uses_keys
//   (or, after cargo build -p eulogin: node --experimental-websocket tests/browser/webauthn.mjs)
//
// Needs Node.js 20+ and Chromium (CHROMIUM=/path/to/chrome to choose another); EULOGIN_BIN points
// at the eulogin binary (default target/debug/eulogin).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const PASSWORD = 'violet tractor harbour 1987 lantern';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'eulogin-browser-'));
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(command, args, env, log) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  children.push(child);
  return child;
}

async function until(what, check) {
  for (let i = 0; i < 300; i++) {
    try {
      const value = await check();
      if (value) return value;
    } catch { /* not yet */ }
    await sleep(100); // waiting for real processes: there is no clock to inject
  }
  throw new Error(`timed out: ${what}`);
}

function stopAll() {
  for (const child of children) child.kill();
}
process.on('exit', stopAll);

const appPort = await freePort();
const base = `http://localhost:${appPort}`;
const outbox = path.join(work, 'outbox');
const log = fs.openSync(path.join(work, 'processes.log'), 'a');
start(process.env.EULOGIN_BIN || path.join(root, 'target/debug/eulogin'), [], {
  EULOGIN_LISTEN: `127.0.0.1:${appPort}`,
  EULOGIN_PUBLIC_URL: base,
  EULOGIN_DATABASE_URL: path.join(work, 'eulogin.db'),
  EULOGIN_OUTBOX_DIR: outbox,
  EULOGIN_CAPTCHA: 'off',
  EULOGIN_SECRET_KEY: 'browser-check-secret-key-of-32-characters',
  RUST_LOG: 'warn',
}, log);
await until('eulogin ready', async () => (await fetch(`${base}/readyz`)).ok);
const debugPort = await freePort();
start(process.env.CHROMIUM || 'chromium', [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', `--remote-debugging-port=${debugPort}`,
  `--user-data-dir=${path.join(work, 'profile')}`, 'about:blank',
], {}, log);
const page = await until('Chromium ready', async () => {
  const targets = await (await fetch(`http://127.0.0.1:${debugPort}/json/list`)).json();
  return targets.find((t) => t.type === 'page');
});

// The DevTools protocol over the page's WebSocket.
const socket = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((resolve) => socket.addEventListener('open', resolve));
let lastId = 0;
const waiting = new Map();
socket.addEventListener('message', (message) => {
  const data = JSON.parse(message.data);
  if (data.id && waiting.has(data.id)) {
    waiting.get(data.id)(data);
    waiting.delete(data.id);
  }
});
function send(method, params = {}) {
  return new Promise((resolve, reject) => {
    const id = ++lastId;
    waiting.set(id, (data) => (data.error ? reject(new Error(`${method}: ${data.error.message}`)) : resolve(data.result)));
    socket.send(JSON.stringify({ id, method, params }));
  });
}
async function evaluate(expression) {
  const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.text}`);
  return result.value;
}
const loaded = () => evaluate('document.readyState === "complete" ? location.href + "#" + performance.timeOrigin : ""');
async function navigated(before, what) {
  return until(what, async () => { const now = await loaded(); return now && now !== before ? now : ''; });
}
async function open(pathAndQuery) {
  const before = await loaded();
  await send('Page.navigate', { url: base + pathAndQuery });
  await navigated(before, pathAndQuery);
}
// Fills a form (`fill` is JavaScript with the form as `f`) and submits it like its button.
async function submit(selector, fill = '') {
  const before = await loaded();
  await evaluate(`(() => { const f = document.querySelector(${JSON.stringify(selector)}); ${fill}; f.requestSubmit(); })()`);
  await navigated(before, `the answer to ${selector}`);
}
// Presses the page's "Use my key" button: the script asks the authenticator, then submits.
async function useKey() {
  const before = await loaded();
  await evaluate('document.querySelector("form[data-webauthn] button").click()');
  await navigated(before, 'the answer of the key');
}
const where = () => evaluate('location.pathname + location.search');
const errors = () => evaluate('[...document.querySelectorAll(".error")].map((e) => e.innerText).filter(Boolean).join(" | ")');

let passed = 0;
let failed = 0;
function expect(label, actual, expected) {
  if (actual === expected) {
    passed++;
    console.log(`ok   ${label}`);
  } else {
    failed++;
    console.log(`FAIL ${label}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

async function newAccount(email) {
  await open('/register');
  await submit('form[action="/register"]', `f.first_name.value = 'Anna'; f.last_name.value = 'Berg';
    f.email.value = '${email}'; f.email_confirm.value = '${email}'; f.privacy.checked = true;`);
  const link = await until('the mail with the link', () => {
    for (const file of fs.readdirSync(outbox).filter((f) => f.endsWith('.eml'))) {
      const text = fs.readFileSync(path.join(outbox, file), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      if (text.includes(email)) return text.match(/https?:\/\/\S+\/password\/new\?token=[A-Za-z0-9_-]+/)?.[0];
    }
    return '';
  });
  const before = await loaded();
  await send('Page.navigate', { url: link });
  await navigated(before, 'the password page');
  await submit('form', `f.password.value = '${PASSWORD}'; f.password_confirm.value = '${PASSWORD}';`);
}

async function login(email) {
  await open('/login');
  await submit('form[action="/login"]', `f.email.value = '${email}'; f.password.value = '${PASSWORD}';`);
}

await send('Page.enable');
await send('WebAuthn.enable', { enableUI: false });
for (const [kind, verifies] of [['passkey', true], ['security_key', false]]) {
  const { authenticatorId } = await send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: verifies ? 'internal' : 'usb',
      hasResidentKey: verifies, hasUserVerification: verifies, isUserVerified: verifies,
      automaticPresenceSimulation: true,
    },
  });
  const email = `${kind}.${Date.now()}@example.se`;
  await newAccount(email);
  await login(email);
  await open('/account/security');
  await submit('form[action="/account/security/keys"]',
    `f.name.value = 'Virtual ${kind}'; f.querySelector('input[value=${kind}]').checked = true;`);
  expect(`${kind}: the registration page`, await where(), '/account/security/keys/new');
  await useKey();
  expect(`${kind}: added`, await where(), '/account/security?done=key');
  expect(`${kind}: no error after adding`, await errors(), '');
  await submit('form[action="/account/security/always"]');
  await submit('form[action="/logout"]');
  await login(email);
  expect(`${kind}: the second step`, await where(), '/login/verify');
  await submit('form[action="/login/verify"]', 'f.querySelector("input[value=security_key]").checked = true;');
  expect(`${kind}: the key page`, await where(), '/login/verify/key');
  await useKey();
  expect(`${kind}: logged in with the key`, await where(), '/account');
  expect(`${kind}: no error after the login`, await errors(), '');
  // The same key again is refused by the browser (excluded); the page says so.
  await open('/account/security');
  await submit('form[action="/account/security/keys"]',
    `f.name.value = 'Again'; f.querySelector('input[value=${kind}]').checked = true;`);
  await evaluate('document.querySelector("form[data-webauthn] button").click()');
  const notice = await until('the refusal notice', () => evaluate(
    '(n => n && !n.hidden && n.innerText)(document.querySelector("#webauthn-failed"))'));
  expect(`${kind}: the same key again`, notice, 'This key is already one of your security keys or passkeys.');
  await open('/account');
  await submit('form[action="/logout"]');
  await send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
}

socket.close();
// Chromium writes its profile until it has exited: wait for every child before removing it.
await Promise.all(children.map((child) => new Promise((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve();
  else { child.once('exit', resolve); child.kill(); }
})));
fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
