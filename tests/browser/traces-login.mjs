// traces and eulogin in a real browser: Debian's headless Chromium logs in to traces through
// eulogin (password, then an authenticator-app code), lands on the page it asked for, and logs
// out again through eulogin's end-session endpoint, with no error in the console. What only a
// browser checks: the Content-Security-Policy's `form-action`, which Chromium applies to every
// redirect a form submission leads to (the login form ends at traces, the logout form at
// eulogin), and the cookies' SameSite attributes on the way back from eulogin.
//
// Environment: TRACES_URL, EULOGIN_URL, NAME, CHROMIUM (default /usr/bin/chromium), and either
// EMAIL, PASSWORD and TOTP_CODE (log in through eulogin's pages), or COOKIES (a `Cookie` header
// for `localhost` of a browser that already logged in: only the logout is done here).
// Output: `ok` on success, else `not ok - <step>` and `#` lines.

import { chromium } from 'playwright-core';

const { TRACES_URL, EULOGIN_URL, EMAIL, PASSWORD, TOTP_CODE, NAME, COOKIES } = process.env;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!TRACES_URL || !EULOGIN_URL || !NAME || !(COOKIES || (EMAIL && PASSWORD && TOTP_CODE))) {
  console.error('TRACES_URL, EULOGIN_URL, NAME and COOKIES or EMAIL, PASSWORD, TOTP_CODE are required');
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

let step = 'start';
try {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  if (COOKIES) {
    step = 'the cookies of a browser that logged in';
    await page.context().addCookies(
      COOKIES.split('; ').map((pair) => {
        const at = pair.indexOf('=');
        return { name: pair.slice(0, at), value: pair.slice(at + 1), url: TRACES_URL };
      }),
    );
    await page.goto(`${TRACES_URL}/account`);
  } else {
    step = 'a page for logged-in people sends the browser to eulogin';
    await page.goto(`${TRACES_URL}/account`);
    await page.waitForURL((url) => url.href.startsWith(`${EULOGIN_URL}/login`), { timeout: WAIT_MS });

    step = 'the password';
    await page.fill('#email', EMAIL);
    await page.fill('#password', PASSWORD);
    await Promise.all([
      page.waitForURL(`${EULOGIN_URL}/login/verify`, { timeout: WAIT_MS }),
      page.click('main form button[type=submit]'),
    ]);

    step = 'the choice of the authenticator app';
    await page.check('input[name=choice][value=totp]');
    await Promise.all([
      page.waitForURL(`${EULOGIN_URL}/login/verify/code`, { timeout: WAIT_MS }),
      page.click('form[action="/login/verify"] button[type=submit]'),
    ]);

    step = 'the code, then back to the page traces was asked for';
    await page.fill('#code', TOTP_CODE);
    await Promise.all([
      page.waitForURL(`${TRACES_URL}/account`, { timeout: WAIT_MS }),
      page.click('form[action="/login/verify/code"] button[type=submit]'),
    ]);
  }
  const name = (await page.textContent('header .user span'))?.trim();
  if (name !== NAME) {
    throw new Error(`the header names ${JSON.stringify(name)}`);
  }

  step = 'logout through eulogin and back to the home page';
  await Promise.all([
    page.waitForURL(`${TRACES_URL}/`, { timeout: WAIT_MS }),
    page.click('form[action="/auth/logout"] button[type=submit]'),
  ]);
  if (await page.$('header .user')) {
    throw new Error('still logged in after the logout');
  }

  step = 'logged out at eulogin too';
  await page.goto(`${TRACES_URL}/account`);
  await page.waitForURL((url) => url.href.startsWith(`${EULOGIN_URL}/login`), { timeout: WAIT_MS });
  if (!(await page.$('#password'))) {
    throw new Error('eulogin did not ask for the password again');
  }

  if (problems.length) {
    throw new Error('the console reported problems');
  }
  console.log('ok');
} catch (error) {
  console.log(`not ok - ${step}: ${error.message}`);
  for (const problem of problems) {
    console.log(`# ${problem}`);
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
