// The mobile-app pages in a real browser (Debian's headless Chromium): the page that shows the
// enrolment QR code and the "Pending authentication request" page must move on by themselves
// (static/poll.js) once the phone has acted, with no error in the console (a CSP violation
// would show there).
//
// Run by the Rust test `factors_app::a_real_browser_follows_the_phone_by_itself`, which plays
// the phone with eulogin-app's library. The two talk through lines on stdout and stdin:
//   this script prints `enrol-payload <uri>`, the test enrols a device from it;
//   this script prints `push-number <NN>`, the test approves the request with that number;
//   this script prints `ok` when the browser reached "My account" by itself, and exits 0.
// Environment: BASE_URL, EMAIL, PASSWORD, PIN, CHROMIUM (default /usr/bin/chromium).

import { chromium } from 'playwright-core';

const { BASE_URL, EMAIL, PASSWORD, PIN } = process.env;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!BASE_URL || !EMAIL || !PASSWORD || !PIN) {
  console.error('BASE_URL, EMAIL, PASSWORD and PIN are required');
  process.exit(2);
}
const WAIT_MS = 20000;

const problems = [];
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

function fail(message) {
  console.log(`not ok - ${message}`);
  for (const problem of problems) {
    console.log(`# ${problem}`);
  }
  process.exitCode = 1;
}

async function logIn(page) {
  await page.goto(`${BASE_URL}/login`);
  await page.fill('#email', EMAIL);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.click('main button[type=submit]')]);
}

try {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) {
      problems.push(`HTTP ${response.status()} for ${response.url()}`);
    }
  });

  // Add a device: the page shows the QR code, the phone registers, the page moves on.
  await logIn(page);
  await page.goto(`${BASE_URL}/account/security`);
  await page.fill('#device-name', 'Browser test phone');
  await page.fill('#device-pin', PIN);
  await page.fill('#device-pin-again', PIN);
  await Promise.all([
    page.waitForURL(`${BASE_URL}/account/security/devices/enrol`),
    page.click('form[action="/account/security/devices"] button[type=submit]'),
  ]);
  const payload = (await page.textContent('code.payload')).trim();
  console.log(`enrol-payload ${payload}`);
  await page.waitForURL((url) => url.pathname === '/account/security/devices/done', { timeout: WAIT_MS });
  const added = await page.textContent('[role=status]');
  if (!added.includes('Browser test phone')) {
    throw new Error(`the page after enrolment says: ${added}`);
  }

  // Log in again with the app: the waiting page moves on once the phone approves.
  await page.context().clearCookies();
  await logIn(page);
  if (new URL(page.url()).pathname !== '/login/verify') {
    throw new Error(`after the password the browser is at ${page.url()}`);
  }
  await page.check('input[name=choice][value=app_pin]');
  await Promise.all([page.waitForURL(`${BASE_URL}/login/verify/app`), page.click('main form button[type=submit]')]);
  const number = (await page.textContent('.match-number')).trim();
  console.log(`push-number ${number}`);
  await page.waitForURL(`${BASE_URL}/account`, { timeout: WAIT_MS });
  if (problems.length > 0) {
    throw new Error('the browser reported errors');
  }
  console.log('ok');
} catch (error) {
  fail(error.message);
} finally {
  await browser.close();
}
