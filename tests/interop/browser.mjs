// A tiny "browser" for the interoperability test: a cookie jar for one origin, redirects
// followed by hand (so that the test can stop at the relying party's redirect URI, which is
// never contacted), and the HTML forms of a page read into plain data so that they can be
// submitted the way a person's browser would submit them.
//
// It is deliberately small and strict: any 4xx/5xx answer is an error whose message carries the
// status, the URL and the start of the body, and cookies follow the browser rules the provider
// relies on (`__Host-` / `__Secure-` prefixes, Secure only over HTTPS, Max-Age / Expires).

const MAX_HOPS = 10;
const BODY_EXCERPT = 500;
const REQUEST_TIMEOUT_MS = 20_000;

/** Thrown for every failure of the browser side; `message` says what happened and where. */
export class BrowserError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = 'BrowserError';
    Object.assign(this, details);
  }
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

const NAMED_ENTITIES = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Decodes the character references a server-side HTML escaper produces. */
export function decodeEntities(text) {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    const named = NAMED_ENTITIES[ref.toLowerCase()];
    return named ?? whole;
  });
}

/** The attributes of one start tag (`<input a="1" b='2' c=3 d>` → {a, b, c, d: ''}), names lower-cased. */
export function parseAttributes(tag) {
  const attributes = {};
  // Skip the tag name itself.
  const inner = tag.replace(/^<\s*[a-zA-Z0-9-]+/, '').replace(/\/?>$/, '');
  const attribute = /([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of inner.matchAll(attribute)) {
    const name = match[1].toLowerCase();
    if (name in attributes) continue; // the first occurrence wins, as in HTML
    const raw = match[2] ?? match[3] ?? match[4] ?? '';
    attributes[name] = decodeEntities(raw);
  }
  return attributes;
}

/**
 * Every `<form>` of a page, as
 * `{ method, action (absolute URL), hidden: [[name, value]], inputs: [{type, name, value}],
 *    submits: [{name, value}], inMain }`.
 * `baseUrl` is the URL the page was fetched from; an empty or missing action means that URL.
 */
export function parseForms(html, baseUrl) {
  const forms = [];
  const mainStart = html.search(/<main[\s>]/i);
  const mainEnd = html.search(/<\/main\s*>/i);
  const formPattern = /<form\b[^>]*>([\s\S]*?)<\/form\s*>/gi;
  for (const match of html.matchAll(formPattern)) {
    const openTag = match[0].match(/^<form\b[^>]*>/i)[0];
    const attributes = parseAttributes(openTag);
    const body = match[1];
    const inputs = [];
    const hidden = [];
    const submits = [];
    for (const tag of body.match(/<input\b[^>]*>/gi) ?? []) {
      const a = parseAttributes(tag);
      const type = (a.type ?? 'text').toLowerCase();
      const input = { type, name: a.name ?? '', value: a.value ?? '' };
      inputs.push(input);
      if (type === 'hidden' && input.name && !('disabled' in a)) hidden.push([input.name, input.value]);
      if ((type === 'submit' || type === 'image') && !('disabled' in a)) submits.push({ name: input.name, value: input.value });
    }
    for (const tag of body.match(/<button\b[^>]*>/gi) ?? []) {
      const a = parseAttributes(tag);
      const type = (a.type ?? 'submit').toLowerCase();
      if (type === 'submit' && !('disabled' in a)) submits.push({ name: a.name ?? '', value: a.value ?? '' });
    }
    const action = attributes.action ? new URL(attributes.action, baseUrl).href : new URL(baseUrl).href;
    forms.push({
      method: (attributes.method ?? 'get').toLowerCase(),
      action,
      hidden,
      inputs,
      submits,
      inMain: mainStart !== -1 && match.index > mainStart && (mainEnd === -1 || match.index < mainEnd),
    });
  }
  return forms;
}

/** The login form of a page: the form that has a password field, or undefined. */
export function findLoginForm(forms) {
  return forms.find((f) => f.method === 'post' && f.inputs.some((i) => i.type === 'password' || i.name === 'password'));
}

/** Readable text of an HTML page (the `<main>` part when there is one), for error messages. */
export function pageText(html) {
  const main = html.match(/<main\b[^>]*>([\s\S]*?)<\/main\s*>/i);
  const part = main ? main[1] : html.replace(/<head\b[\s\S]*?<\/head\s*>/i, '');
  return decodeEntities(
    part
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<[^>]+>/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Cookies
// ---------------------------------------------------------------------------------------------

/** One `Set-Cookie` header value → `{ name, value, attributes }` (attribute names lower-cased). */
export function parseSetCookie(header) {
  const [pair, ...rest] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq === -1) return undefined; // a browser drops a cookie without "="... (nameless cookies are not used here)
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  const attributes = {};
  for (const part of rest) {
    const at = part.indexOf('=');
    const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase();
    const val = at === -1 ? '' : part.slice(at + 1).trim();
    if (key) attributes[key] = val;
  }
  return { name, value, attributes };
}

/**
 * Cookies of one origin (the provider's). Cookies are sent only to that origin; `Secure`
 * cookies only over HTTPS; the `__Host-` and `__Secure-` prefix rules are enforced the way
 * browsers do (a non-conforming cookie is ignored, so a mistake on the server shows up as a
 * failed flow, as it would for a person).
 */
export class CookieJar {
  constructor(origin, { now = () => Date.now() } = {}) {
    this.origin = new URL(origin).origin;
    this.now = now;
    /** name → { value, expiresAt (ms) | undefined, secure, path } */
    this.cookies = new Map();
    /** Why cookies were ignored, for diagnostics. */
    this.rejected = [];
  }

  /** Stores the cookies a response from `requestUrl` sets. */
  storeFrom(response, requestUrl) {
    const headers = typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : [];
    for (const header of headers) this.store(header, requestUrl);
  }

  /** Stores one `Set-Cookie` header value received from `requestUrl`. */
  store(header, requestUrl) {
    const url = new URL(requestUrl);
    if (url.origin !== this.origin) return;
    const cookie = parseSetCookie(header);
    if (!cookie || !cookie.name) return;
    const a = cookie.attributes;
    const secure = 'secure' in a;
    const path = a.path && a.path.startsWith('/') ? a.path : defaultPath(url);
    const refuse = (why) => this.rejected.push(`${cookie.name}: ${why}`);
    if (secure && url.protocol !== 'https:') return refuse('Secure cookie over http');
    if (cookie.name.startsWith('__Secure-') && !secure) return refuse('__Secure- prefix without Secure');
    if (cookie.name.startsWith('__Host-')) {
      if (!secure) return refuse('__Host- prefix without Secure');
      if ('domain' in a) return refuse('__Host- prefix with Domain');
      if (a.path !== '/') return refuse('__Host- prefix without Path=/');
    }
    let expiresAt;
    if ('max-age' in a) {
      const seconds = Number.parseInt(a['max-age'], 10);
      if (Number.isFinite(seconds)) expiresAt = seconds <= 0 ? 0 : this.now() + seconds * 1000;
    } else if ('expires' in a) {
      const at = Date.parse(a.expires);
      if (Number.isFinite(at)) expiresAt = at;
    }
    if (expiresAt !== undefined && expiresAt <= this.now()) {
      this.cookies.delete(cookie.name);
      return;
    }
    this.cookies.set(cookie.name, { value: cookie.value, expiresAt, secure, path });
  }

  /** The `Cookie` header for a request to `requestUrl`, or undefined. */
  headerFor(requestUrl) {
    const url = new URL(requestUrl);
    if (url.origin !== this.origin) return undefined;
    const pairs = [];
    for (const [name, c] of this.cookies) {
      if (c.expiresAt !== undefined && c.expiresAt <= this.now()) {
        this.cookies.delete(name);
        continue;
      }
      if (c.secure && url.protocol !== 'https:') continue;
      if (!pathMatches(url.pathname, c.path)) continue;
      pairs.push(`${name}=${c.value}`);
    }
    return pairs.length ? pairs.join('; ') : undefined;
  }

  has(name) {
    const c = this.cookies.get(name);
    return c !== undefined && (c.expiresAt === undefined || c.expiresAt > this.now());
  }

  get(name) {
    return this.has(name) ? this.cookies.get(name).value : undefined;
  }

  names() {
    return [...this.cookies.keys()].filter((n) => this.has(n));
  }

  /** A copy of the stored cookies, to be put back later with `restore`. */
  snapshot() {
    return new Map([...this.cookies].map(([name, c]) => [name, { ...c }]));
  }

  /** Replaces the stored cookies by a `snapshot()` (e.g. to replay an old session cookie). */
  restore(snapshot) {
    this.cookies = new Map([...snapshot].map(([name, c]) => [name, { ...c }]));
  }
}

function defaultPath(url) {
  const p = url.pathname;
  const last = p.lastIndexOf('/');
  return last <= 0 ? '/' : p.slice(0, last);
}

function pathMatches(requestPath, cookiePath) {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

// ---------------------------------------------------------------------------------------------
// Navigation
// ---------------------------------------------------------------------------------------------

/**
 * A browser bound to the provider's origin. `navigate`/`submit` follow redirects by hand and
 * end in one of two ways:
 *   { kind: 'stopped', url }           a Location starting with one of `stopAt` was reached
 *                                      (that URL is not fetched);
 *   { kind: 'page', url, status, html, forms }   a 200 HTML page was shown.
 * Anything else (4xx/5xx, a redirect to a foreign origin, too many hops) throws BrowserError.
 */
export class Browser {
  constructor(origin, { fetchImpl = fetch, log = () => {} } = {}) {
    this.origin = new URL(origin).origin;
    this.jar = new CookieJar(this.origin);
    this.fetch = fetchImpl;
    this.log = log;
  }

  /** GET `url` (as typing it into the address bar / following a link). */
  navigate(url, { stopAt = [] } = {}) {
    return this.#follow({ method: 'GET', url: new URL(url).href }, stopAt);
  }

  /**
   * Submits `form` (from `parseForms`) as a browser would: its hidden inputs, then `fields`
   * (e.g. email and password), then the first submit button that has a name (the button a
   * person presses). POST forms are sent URL-encoded with the page's `Origin`.
   */
  submit(form, fields = {}, { stopAt = [] } = {}) {
    const body = new URLSearchParams();
    for (const [name, value] of form.hidden) body.append(name, value);
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    const button = form.submits.find((s) => s.name);
    if (button && !body.has(button.name)) body.append(button.name, button.value);
    if (form.method === 'post') {
      return this.#follow({ method: 'POST', url: form.action, body: body.toString() }, stopAt);
    }
    const target = new URL(form.action);
    target.search = body.toString();
    return this.#follow({ method: 'GET', url: target.href }, stopAt);
  }

  async #follow(request, stopAt) {
    let current = request;
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      const response = await this.#send(current);
      const status = response.status;
      if ([301, 302, 303, 307, 308].includes(status)) {
        const location = response.headers.get('location');
        await response.body?.cancel();
        if (!location) throw new BrowserError(`${status} from ${current.method} ${current.url} without a Location header`);
        const next = new URL(location, current.url).href;
        this.log(`${current.method} ${stripQuery(current.url)} → ${status} ${stripQuery(next)}`);
        if (stopAt.some((prefix) => next.startsWith(prefix))) return { kind: 'stopped', url: next };
        if (new URL(next).origin !== this.origin) {
          throw new BrowserError(`${current.method} ${current.url} redirected to a foreign origin: ${next}`);
        }
        const keepMethod = status === 307 || status === 308;
        current = keepMethod ? { ...current, url: next } : { method: 'GET', url: next };
        continue;
      }
      const text = await response.text();
      if (status >= 400) {
        throw new BrowserError(
          `${current.method} ${current.url} answered ${status}: ${excerpt(response, text)}`,
          { status, url: current.url, body: text },
        );
      }
      const type = response.headers.get('content-type') ?? '';
      if (status !== 200 || !/text\/html/i.test(type)) {
        throw new BrowserError(
          `${current.method} ${current.url} answered ${status} ${type || '(no content-type)'} where a redirect or an HTML page was expected: ${excerpt(response, text)}`,
          { status, url: current.url, body: text },
        );
      }
      this.log(`${current.method} ${stripQuery(current.url)} → ${status} page`);
      return { kind: 'page', url: current.url, status, html: text, forms: parseForms(text, current.url) };
    }
    throw new BrowserError(`more than ${MAX_HOPS} redirects starting at ${request.method} ${request.url}`);
  }

  async #send({ method, url, body }) {
    if (new URL(url).origin !== this.origin) {
      throw new BrowserError(`refusing to send a browser request to a foreign origin: ${url}`);
    }
    const headers = { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' };
    const cookie = this.jar.headerFor(url);
    if (cookie) headers.cookie = cookie;
    if (method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = this.origin;
    }
    let response;
    try {
      response = await this.fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new BrowserError(`${method} ${url} failed: ${err.cause?.message ?? err.message}`);
    }
    this.jar.storeFrom(response, url);
    return response;
  }
}

function excerpt(response, text) {
  const type = response.headers.get('content-type') ?? '';
  const readable = /html/i.test(type) ? pageText(text) : text;
  return readable.slice(0, BODY_EXCERPT) || '(empty body)';
}

function stripQuery(url) {
  const u = new URL(url);
  return u.search ? `${u.origin}${u.pathname}?…` : u.href;
}
