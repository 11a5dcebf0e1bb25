import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { after, before, describe, it, type TestContext } from 'node:test';
import { addPlatformAuthenticator, freePort, launchChromium, oauthDriver, watchCspViolations } from '@nextgen/testkit';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { loginTexts } from '../src/identity/login-pages.ts';
import { issuerOf } from '../src/platform/auth.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * The hosted sign-in pages in a real browser: Chromium (the Debian package, driven by
 * playwright-core over the DevTools protocol) with a WebAuthn virtual authenticator standing in for
 * the phone's platform authenticator (Face ID, fingerprint). The API listens on
 * http://localhost:<port>, a secure context for WebAuthn and the origin and RP id it accepts.
 *
 * The app's side stays in the test, as the mobile app would do it: it pushes the authorization
 * request (PAR, PKCE, DPoP), opens the authorize URL in the browser, catches the redirect to its
 * custom scheme (nextgen://…) to read `code`, `state` and `iss`, and exchanges the code. Every page
 * is watched for Content-Security-Policy violations: the passkey page's script must run under the
 * page's own policy, untouched.
 */
/** Bounds every browser wait, so a broken page fails the test instead of hanging it. */
const browserStepTimeoutMs = 15_000;
const password = 'seven quiet herons at dawn';

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** The few browser APIs the in-page functions use (the repository type-checks against Node, not the DOM). */
interface PageGlobals {
  readonly document: {
    createElement(tag: 'img'): { src: string };
    readonly body: { append(node: unknown): void };
  };
  readonly navigator: { readonly credentials: { create(options: unknown): Promise<PageCredential> } };
}

interface PageCredential {
  readonly id: string;
  readonly rawId: ArrayBuffer;
  readonly type: string;
  readonly authenticatorAttachment: string | null;
  getClientExtensionResults(): Record<string, unknown>;
  readonly response: { clientDataJSON: ArrayBuffer; attestationObject: ArrayBuffer; getTransports(): string[] };
}

/** PublicKeyCredentialCreationOptionsJSON, as the API sends it. */
interface CreationOptions {
  readonly challenge: string;
  readonly user: { readonly id: string; readonly name: string; readonly displayName: string };
  readonly excludeCredentials?: readonly { readonly id: string; readonly type: 'public-key' }[];
}

interface BrowserSignIn {
  readonly testApp: TestApp;
  readonly baseUrl: string;
  readonly page: Page;
  readonly cdp: CDPSession;
  readonly authenticatorId: string;
  /** Content-Security-Policy violations and uncaught script errors seen on any page so far. */
  readonly violations: string[];
  /** Resolves with the next `securitypolicyviolation` event a page reports. */
  nextViolation(): Promise<string>;
  /** `work`, unless a page reports a violation first: then fails at once, naming it. */
  unlessViolated<T>(work: Promise<T>): Promise<T>;
}

/** The API on a real socket at http://localhost:<port>, a fresh browser profile and a virtual authenticator. */
async function openBrowser(t: TestContext): Promise<BrowserSignIn> {
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const testApp = await buildTestApp(t, { env: { PUBLIC_URL: baseUrl } });
  await testApp.app.listen({ host: 'localhost', port });
  const context = await browser.newContext();
  t.after(() => context.close());
  const violations: string[] = [];
  const reported = new EventEmitter();
  await watchCspViolations(context, (violation) => {
    violations.push(violation);
    reported.emit('violation', violation);
  });
  const violated = new Promise<never>((_resolve, reject) =>
    reported.once('violation', (violation) => reject(new Error(`Content-Security-Policy violation: ${violation}`))),
  );
  violated.catch(() => {});
  const unlessViolated = <T>(work: Promise<T>) => Promise.race([work, violated]);
  const nextViolation = async () => {
    const [violation] = await once(reported, 'violation', { signal: AbortSignal.timeout(browserStepTimeoutMs) });
    return String(violation);
  };
  const page = await context.newPage();
  page.setDefaultTimeout(browserStepTimeoutMs);
  // Chromium also reports blocked inline code and resources on the console ("Refused to …").
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => violations.push(`script error: ${error.message}`));
  const cdp = await context.newCDPSession(page);
  const authenticatorId = await addPlatformAuthenticator(cdp);
  return { testApp, baseUrl, page, cdp, authenticatorId, violations, nextViolation, unlessViolated };
}

async function newCustomer(baseUrl: string) {
  const email = `${randomBytes(6).toString('hex')}@example.com`;
  const { id } = await oauthDriver(baseUrl).registerCustomer({ name: 'Tomás Rivera', email, password });
  return { id, email };
}

/**
 * The app's half of a sign-in: pushes the authorization request, opens the authorize URL in the
 * browser, and resolves with the redirect to the app's custom scheme once the pages are done.
 */
async function startSignIn(session: BrowserSignIn) {
  const driver = oauthDriver(session.baseUrl);
  const codeVerifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const redirectUri = 'nextgen://oauth/callback';
  const requestUri = await driver.pushAuthorizationRequest({
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid offline_access',
    state,
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
    prompt: 'consent',
  });
  // The browser cannot open nextgen://: the redirect's Location header is what the app would receive.
  const callback = session.page
    .waitForResponse((response) => response.headers().location?.startsWith(redirectUri) ?? false)
    .then((response) => new URL(response.headers().location ?? ''));
  // A refused sign-in never gets there; closing the browser then must not fail the test a second time.
  callback.catch(() => {});
  const query = new URLSearchParams({ client_id: 'nextgen-mobile', request_uri: requestUri });
  await session.page.goto(`${session.baseUrl}/oidc/auth?${query}`);

  /** Where the pages sent the browser back to the app, checked as the app checks it (state, RFC 9207 iss). */
  async function returned() {
    const url = await session.unlessViolated(callback);
    assert.equal(url.searchParams.get('state'), state);
    assert.equal(url.searchParams.get('iss'), issuerOf(session.testApp.config));
    return url;
  }

  /** The app's code exchange: returns the signed-in customer's id (the access token's subject). */
  async function finish() {
    const url = await returned();
    const response = await driver.tokenRequest({
      grant_type: 'authorization_code',
      code: url.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      client_id: 'nextgen-mobile',
      code_verifier: codeVerifier,
    });
    assert.equal(response.status, 200, response.body);
    const { access_token: accessToken, id_token: idToken } = JSON.parse(response.body);
    const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return { customerId: String(claims(accessToken).sub), amr: claims(idToken).amr as string[] | undefined };
  }
  return { finish, callback: returned };
}

async function submitPassword(page: Page, email: string) {
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * Registers a passkey from the browser, as the app's web view would: options from the API, then
 * navigator.credentials.create() answered by the virtual authenticator, then the attestation back.
 */
async function registerPasskeyInBrowser(session: BrowserSignIn, customerId: string): Promise<string> {
  const { baseUrl, page } = session;
  const call = (path: string, body?: unknown) => callApiAs(session, customerId, 'POST', path, body);
  const options = await call('/api/v1/passkeys/registration-options');
  assert.equal(options.status, 200);
  await page.goto(`${baseUrl}/healthz`);
  const credential = await page.evaluate(createPasskey, (await options.json()) as CreationOptions);
  const created = await call('/api/v1/passkeys', { credential });
  assert.equal(created.status, 201, await created.clone().text());
  return ((await created.json()) as { id: string }).id;
}

/** An API call over HTTP as the customer (a DPoP-bound token and a proof for this request). */
async function callApiAs(session: BrowserSignIn, customerId: string, method: string, path: string, body?: unknown) {
  const url = `${session.baseUrl}${path}`;
  const headers = await session.testApp.customerHeaders(customerId, method, url);
  const json = body === undefined ? {} : { 'content-type': 'application/json' };
  return fetch(url, {
    method,
    headers: { ...headers, ...json },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Runs in the page: WebAuthn JSON options in, RegistrationResponseJSON out. */
async function createPasskey(options: CreationOptions) {
  const { navigator } = globalThis as unknown as PageGlobals;
  const toBytes = (text: string) =>
    Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const toText = (buffer: ArrayBuffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const credential = await navigator.credentials.create({
    publicKey: {
      ...options,
      challenge: toBytes(options.challenge),
      user: { ...options.user, id: toBytes(options.user.id) },
      excludeCredentials: (options.excludeCredentials ?? []).map((c) => ({ ...c, id: toBytes(c.id) })),
    },
  });
  const response = credential.response;
  return {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toText(response.clientDataJSON),
      attestationObject: toText(response.attestationObject),
      transports: response.getTransports(),
    },
  };
}

describe('hosted sign-in pages in Chromium', () => {
  it('notices a Content-Security-Policy violation on a sign-in page (the watch on every page works)', async (t) => {
    const session = await openBrowser(t);
    await startSignIn(session);
    await session.page.getByRole('heading', { name: loginTexts.signInTitle }).waitFor();
    assert.deepEqual(session.violations, []);
    // An injected image from elsewhere is what an injection would try; the page's policy blocks it.
    const violation = session.nextViolation();
    await session.page.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobals;
      const image = document.createElement('img');
      image.src = 'https://tracker.example/pixel.png';
      document.body.append(image);
    });
    assert.match(await violation, /^(img-src|default-src) blocked https:\/\/tracker\.example\/pixel\.png/);
  });

  it('signs in with e-mail and password and hands the app a code and the issuer', async (t) => {
    const session = await openBrowser(t);
    const customer = await newCustomer(session.baseUrl);
    const signIn = await startSignIn(session);
    await session.page.getByRole('heading', { name: loginTexts.signInTitle }).waitFor();
    await submitPassword(session.page, customer.email);
    const signedIn = await signIn.finish();
    assert.equal(signedIn.customerId, customer.id);
    assert.deepEqual(signedIn.amr, ['pwd']);
    assert.deepEqual(session.violations, []);
  });

  it('shows the refusal on the page for a wrong password', async (t) => {
    const session = await openBrowser(t);
    const customer = await newCustomer(session.baseUrl);
    await startSignIn(session);
    await session.page.getByLabel('E-mail address').fill(customer.email);
    await session.page.getByLabel('Password').fill('not the password at all');
    await session.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await session.page.getByRole('alert').filter({ hasText: loginTexts.rejected }).waitFor();
    assert.equal(await session.page.getByLabel('E-mail address').inputValue(), customer.email);
    assert.deepEqual(session.violations, []);
  });

  it('registers a passkey from Chromium, then signs in with password and passkey through the page script', async (t) => {
    const session = await openBrowser(t);
    const customer = await newCustomer(session.baseUrl);
    await registerPasskeyInBrowser(session, customer.id);
    const signIn = await startSignIn(session);
    await submitPassword(session.page, customer.email);
    await session.page.getByRole('heading', { name: loginTexts.passkeyTitle }).waitFor();
    await session.page.getByRole('button', { name: loginTexts.passkeyContinue }).click();
    const signedIn = await signIn.finish();
    assert.equal(signedIn.customerId, customer.id);
    assert.deepEqual(signedIn.amr, ['pwd', 'hwk', 'user']);
    assert.deepEqual(session.violations, []);
  });

  it('signs in with a passkey alone ("Sign in with a passkey"), no e-mail or password', async (t) => {
    const session = await openBrowser(t);
    const customer = await newCustomer(session.baseUrl);
    await registerPasskeyInBrowser(session, customer.id);
    const signIn = await startSignIn(session);
    await session.page.getByRole('button', { name: loginTexts.passkeySignIn }).click();
    await session.page.getByText(loginTexts.passkeyPasswordless).waitFor();
    await session.page.getByRole('button', { name: loginTexts.passkeyContinue }).click();
    const signedIn = await signIn.finish();
    assert.equal(signedIn.customerId, customer.id);
    assert.deepEqual(signedIn.amr, ['hwk', 'user']);
    assert.deepEqual(session.violations, []);
  });

  it('shows the server refusing a revoked passkey on the page, and lets the customer try again', async (t) => {
    const session = await openBrowser(t);
    const customer = await newCustomer(session.baseUrl);
    const passkeyId = await registerPasskeyInBrowser(session, customer.id);
    const revoked = await callApiAs(session, customer.id, 'DELETE', `/api/v1/passkeys/${passkeyId}`);
    assert.equal(revoked.status, 200);
    await startSignIn(session);
    await session.page.getByRole('button', { name: loginTexts.passkeySignIn }).click();
    await session.page.getByRole('button', { name: loginTexts.passkeyContinue }).click();
    const status = session.page.locator('#passkey-status');
    await session.unlessViolated(status.filter({ hasText: /./ }).waitFor());
    assert.equal(await status.textContent(), loginTexts.passkeyFailed);
    assert.equal(await session.page.getByRole('button', { name: loginTexts.passkeyContinue }).isEnabled(), true);
    assert.deepEqual(session.violations, []);
  });

  it('returns to the app with access_denied when the customer presses Cancel', async (t) => {
    const session = await openBrowser(t);
    const signIn = await startSignIn(session);
    await session.page.getByRole('button', { name: 'Cancel' }).click();
    const callback = await signIn.callback();
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('code'), null);
    assert.deepEqual(session.violations, []);
  });

  it('refuses a passkey sign-in the device did not verify (no biometrics or PIN) and says so on the page', async (t) => {
    const session = await openBrowser(t);
    const customer = await newCustomer(session.baseUrl);
    await registerPasskeyInBrowser(session, customer.id);
    await session.cdp.send('WebAuthn.setUserVerified', {
      authenticatorId: session.authenticatorId,
      isUserVerified: false,
    });
    let redirected = false;
    let assertionsSent = 0;
    session.page.on('response', (response) => {
      if (response.headers().location?.startsWith('nextgen://')) redirected = true;
    });
    session.page.on('request', (request) => {
      if (request.method() === 'POST' && /\/passkey$/.test(new URL(request.url()).pathname)) assertionsSent += 1;
    });
    await startSignIn(session);
    await submitPassword(session.page, customer.email);
    await session.page.getByRole('button', { name: loginTexts.passkeyContinue }).click();
    const status = session.page.locator('#passkey-status');
    await session.unlessViolated(status.filter({ hasText: /./ }).waitFor());
    assert.equal(await status.textContent(), loginTexts.passkeyCancelled);
    assert.equal(await session.page.getByRole('button', { name: loginTexts.passkeyContinue }).isEnabled(), true);
    assert.equal(assertionsSent, 0, 'the browser sent no unverified assertion');
    assert.equal(redirected, false, 'no authorization code was issued');
    assert.deepEqual(session.violations, []);
  });
});
