// Self-test of browser.mjs (no server needed): `node --test browser.test.mjs`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  Browser,
  BrowserError,
  CookieJar,
  decodeEntities,
  findLoginForm,
  pageText,
  parseAttributes,
  parseForms,
  parseSetCookie,
} from './browser.mjs';

const LOGIN_PAGE = `<!DOCTYPE html>
<html lang="en"><head><title>Log in</title></head>
<body>
<header class="top">
  <form method="post" action="/logout" class="inline">
    <input type="hidden" name="csrf_token" value="header-token">
    <button type="submit" class="link">Log out</button>
  </form>
</header>
<main>
<h1>Log in</h1>
<form method="post" action="/login">
  <input type="hidden" name="csrf_token" value="abc&#x2B;/=">
  <input value="/authorize/continue?client_id=app&amp;state=x&quot;y&#x27;z&lt;&gt;" name="return_to" type='hidden'>
  <input name=flag type=hidden value=on>
  <input type="hidden" name="off" value="no" disabled>
  <label for="email">E-mail</label>
  <input id="email" name="email" type="email" value="" autocomplete="username" required autofocus>
  <input id="password" name="password" type="password" required>
  <button type="submit">Log in</button>
</form>
</main>
</body></html>`;

test('decodeEntities handles named, decimal and hex references', () => {
  assert.equal(decodeEntities('a&amp;b&quot;c&#x27;d&#39;e&lt;f&gt;g&#X2F;'), 'a&b"c\'d\'e<f>g/');
  assert.equal(decodeEntities('&unknown; &amp'), '&unknown; &amp');
});

test('parseAttributes reads quoted, unquoted and boolean attributes in any order', () => {
  assert.deepEqual(parseAttributes(`<input value='1 2' NAME=n type="hidden" disabled>`), {
    value: '1 2',
    name: 'n',
    type: 'hidden',
    disabled: '',
  });
  assert.deepEqual(parseAttributes('<input type="hidden" name="a" value="x" />'), { type: 'hidden', name: 'a', value: 'x' });
});

test('parseForms finds the login form with decoded hidden inputs and an absolute action', () => {
  const forms = parseForms(LOGIN_PAGE, 'https://id.example.test/login?x=1');
  assert.equal(forms.length, 2);
  assert.equal(forms[0].action, 'https://id.example.test/logout');
  assert.equal(forms[0].inMain, false);
  const login = findLoginForm(forms);
  assert.equal(login, forms[1]);
  assert.equal(login.inMain, true);
  assert.equal(login.method, 'post');
  assert.equal(login.action, 'https://id.example.test/login');
  assert.deepEqual(login.hidden, [
    ['csrf_token', 'abc+/='],
    ['return_to', '/authorize/continue?client_id=app&state=x"y\'z<>'],
    ['flag', 'on'],
  ]);
  assert.deepEqual(login.submits, [{ name: '', value: '' }]);
});

test('a form without action posts to the page URL', () => {
  const [form] = parseForms('<form method="POST"><input type="hidden" name="a" value="b"></form>', 'https://id.example.test/end?x=1');
  assert.equal(form.method, 'post');
  assert.equal(form.action, 'https://id.example.test/end?x=1');
});

test('pageText keeps the readable text of <main>', () => {
  assert.equal(pageText(LOGIN_PAGE).slice(0, 20), 'Log in E-mail Log in');
});

test('parseSetCookie splits name, value and attributes', () => {
  assert.deepEqual(parseSetCookie('__Host-s=v=1; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=60'), {
    name: '__Host-s',
    value: 'v=1',
    attributes: { path: '/', secure: '', httponly: '', samesite: 'Lax', 'max-age': '60' },
  });
});

test('CookieJar stores, sends to its origin only, and removes expired cookies', () => {
  let clock = 1_000_000;
  const jar = new CookieJar('https://id.example.test', { now: () => clock });
  const from = 'https://id.example.test/login';
  jar.store('__Host-session=s1; Path=/; Secure; HttpOnly; SameSite=Lax', from);
  jar.store('__Host-csrf=c1; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=10', from);
  jar.store('lang=en; Path=/', from);
  assert.equal(jar.headerFor('https://id.example.test/authorize'), '__Host-session=s1; __Host-csrf=c1; lang=en');
  assert.equal(jar.headerFor('https://app.example.test/callback'), undefined);
  assert.equal(jar.headerFor('https://id.example.test:8443/'), undefined);

  // Max-Age=0 removes; an Expires in the past removes.
  jar.store('__Host-session=; Path=/; Secure; HttpOnly; Max-Age=0', from);
  assert.equal(jar.has('__Host-session'), false);
  jar.store('lang=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT', from);
  assert.equal(jar.has('lang'), false);
  assert.equal(jar.get('__Host-csrf'), 'c1');

  // Max-Age runs out with time.
  clock += 11_000;
  assert.equal(jar.headerFor(from), undefined);
});

test('CookieJar enforces the __Host- and Secure rules like a browser', () => {
  const jar = new CookieJar('https://id.example.test');
  const from = 'https://id.example.test/';
  jar.store('__Host-a=1; Path=/', from); // no Secure
  jar.store('__Host-b=1; Secure; Path=/; Domain=id.example.test', from); // Domain
  jar.store('__Host-c=1; Secure; Path=/x', from); // Path not /
  jar.store('__Secure-d=1; Path=/', from); // no Secure
  jar.store('other=1; Path=/', 'https://evil.example.test/'); // other origin
  assert.deepEqual(jar.names(), []);
  assert.equal(jar.rejected.length, 4);

  const plain = new CookieJar('http://localhost:8080');
  plain.store('s=1; Secure; Path=/', 'http://localhost:8080/'); // Secure over http
  plain.store('csrf=2; Path=/; HttpOnly', 'http://localhost:8080/');
  assert.equal(plain.headerFor('http://localhost:8080/login'), 'csrf=2');
});

test('CookieJar path matching', () => {
  const jar = new CookieJar('https://id.example.test');
  jar.store('p=1; Path=/account', 'https://id.example.test/');
  assert.equal(jar.headerFor('https://id.example.test/account'), 'p=1');
  assert.equal(jar.headerFor('https://id.example.test/account/x'), 'p=1');
  assert.equal(jar.headerFor('https://id.example.test/accounts'), undefined);
});

// Browser navigation against a local http server (plain HTTP on loopback: no Secure cookies).
async function withServer(handler, fn) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  try {
    await fn(origin);
  } finally {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('Browser follows redirects, posts forms with Origin and cookies, and stops at the callback', async () => {
  const seen = [];
  await withServer(
    (req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, cookie: req.headers.cookie, origin: req.headers.origin, body });
        if (req.url.startsWith('/authorize?')) {
          res.writeHead(303, { location: '/login?return_to=abc', 'set-cookie': ['csrf=c1; Path=/; HttpOnly; SameSite=Lax'] });
          return res.end();
        }
        if (req.url.startsWith('/login') && req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end(LOGIN_PAGE);
        }
        if (req.url === '/login' && req.method === 'POST') {
          res.writeHead(303, { location: '/authorize/continue', 'set-cookie': ['session=s1; Path=/; HttpOnly'] });
          return res.end();
        }
        if (req.url === '/authorize/continue') {
          res.writeHead(303, { location: 'https://app.example.test/callback?code=xyz&state=s' });
          return res.end();
        }
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html><body><main><h1>Not found</h1><p>No such page.</p></main></body></html>');
      });
    },
    async (origin) => {
      const browser = new Browser(origin);
      const stopAt = ['https://app.example.test/callback'];
      const page = await browser.navigate(`${origin}/authorize?client_id=app`, { stopAt });
      assert.equal(page.kind, 'page');
      assert.equal(page.url, `${origin}/login?return_to=abc`);
      const form = findLoginForm(page.forms);
      const done = await browser.submit(form, { email: 'a@example.test', password: 'pw' }, { stopAt });
      assert.deepEqual(done, { kind: 'stopped', url: 'https://app.example.test/callback?code=xyz&state=s' });

      const post = seen.find((s) => s.method === 'POST');
      assert.equal(post.origin, origin);
      assert.equal(post.cookie, 'csrf=c1');
      const fields = new URLSearchParams(post.body);
      assert.equal(fields.get('csrf_token'), 'abc+/=');
      assert.equal(fields.get('return_to'), '/authorize/continue?client_id=app&state=x"y\'z<>');
      assert.equal(fields.get('email'), 'a@example.test');
      assert.equal(fields.get('password'), 'pw');
      assert.equal(fields.has('off'), false);
      assert.equal(seen.at(-1).cookie, 'csrf=c1; session=s1');

      await assert.rejects(browser.navigate(`${origin}/missing`), (err) => {
        assert.ok(err instanceof BrowserError);
        assert.match(err.message, /answered 404: Not found No such page\./);
        return true;
      });
    },
  );
});

test('Browser refuses redirect loops and foreign origins', async () => {
  await withServer(
    (req, res) => {
      if (req.url === '/loop') {
        res.writeHead(302, { location: '/loop' });
      } else {
        res.writeHead(302, { location: 'https://elsewhere.example.test/' });
      }
      res.end();
    },
    async (origin) => {
      const browser = new Browser(origin);
      await assert.rejects(browser.navigate(`${origin}/loop`), /more than 10 redirects/);
      await assert.rejects(browser.navigate(`${origin}/away`), /foreign origin/);
    },
  );
});
