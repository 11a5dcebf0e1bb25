import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { buildWebApp, launchChromium } from '@nextgen/testkit';
import type { Browser, Page, Request } from 'playwright-core';
import {
  axeViolations,
  type FoundIds,
  quotedHtmlMax,
  resolveScreen,
  seriousViolations,
  type WebAppScreen,
  webAppScreens,
} from './a11y.ts';
import { browserStepTimeoutMs, type Journey, signIn, startJourney } from './web-journey.ts';

/**
 * axe-core on every screen of the real web build (apps/mobile, served by a test API on a real
 * socket with the demo bank seeded) in Debian's Chromium: light and dark theme, English and German,
 * each as the browser asks for it (the app follows the system by default). Per variant the
 * signed-out screens are checked first, then the customer signs in once and every signed-in screen
 * is opened by its URL (the web app restores its session from IndexedDB on each load). Fails on any
 * serious or critical violation, naming the rule, its impact and the nodes. Screens are listed in
 * ./a11y.ts; each leaves a screenshot in test-artifacts/a11y/<variant>/.
 */
const variants = [
  { language: 'en', locale: 'en-GB', colorScheme: 'light' },
  { language: 'en', locale: 'en-GB', colorScheme: 'dark' },
  { language: 'de', locale: 'de-DE', colorScheme: 'light' },
  { language: 'de', locale: 'de-DE', colorScheme: 'dark' },
] as const;
type Variant = (typeof variants)[number];
/** The main landmark's background in each palette (apps/mobile/src/theme): the app did follow the browser. */
const backgrounds = { light: 'rgb(246, 247, 249)', dark: 'rgb(13, 16, 20)' } as const;
/** A demo customer with two accounts, history, payees and a verified identity. */
const customerEmail = 'alex@demo.nextgen.test';

let browser: Browser;

before(async () => {
  buildWebApp();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** The id in a row's test id (`account-row-acc_…`), as the screens name their rows. */
async function idOfFirst(journey: Journey, testIdPrefix: string): Promise<string> {
  const testId = await journey.page.locator(`[data-testid^="${testIdPrefix}"]`).first().getAttribute('data-testid');
  const id = testId?.startsWith(testIdPrefix) ? testId.slice(testIdPrefix.length) : '';
  assert.notEqual(id, '', `a ${testIdPrefix}… row names its record`);
  return id;
}

/**
 * A signed-in customer as the screens are checked: with a passkey (added in the app, as the customer
 * would), so the passkeys screen lists one and the step-up sheet can open, and the records the
 * signed-in routes name: the first account on /home and the first movement in its history, as the
 * customer would tap them, and a transfer between the customer's own accounts posted through the
 * payments service (the journeys send money through the app; here only its screen matters).
 */
async function prepareCustomer(journey: Journey): Promise<FoundIds> {
  const { page, baseUrl, testApp } = journey;
  const { accounts, payments } = testApp.services;
  const accountId = await idOfFirst(journey, 'account-row-');
  await page.goto(`${baseUrl}/settings/passkeys`);
  await page.getByTestId('passkey-new-name').fill('Test laptop');
  await page.getByTestId('add-passkey').click();
  await page.locator('[data-testid^="passkey-row-"]').first().waitFor();
  await page.goto(`${baseUrl}/home/accounts/${encodeURIComponent(accountId)}`);
  const transactionId = await idOfFirst(journey, 'transaction-row-');
  const ref = await accounts.findAccount(accountId);
  assert.ok(ref, `${accountId} exists`);
  const { data: own } = await accounts.listAccounts(ref.customerId, { limit: 10, after: undefined });
  const account = own.find((a) => a.id === accountId);
  const other = own.find((a) => a.id !== accountId);
  assert.ok(account && other, `${customerEmail} has two accounts`);
  const transfer = await payments.postTransfer(ref.customerId, {
    fromAccountId: accountId,
    to: { accountId: other.id },
    amountMinor: 100n,
    currency: 'EUR',
    reference: 'Accessibility check',
  });
  return { accountId, accountName: account.name, transactionId, transferId: String(transfer.id) };
}

/** Token requests (sign-in, refresh) each page has in flight, for tokenRefreshesSettled. */
const tokenRequests = new WeakMap<Page, Set<Request>>();

function trackTokenRequests(page: Page): void {
  const inFlight = new Set<Request>();
  tokenRequests.set(page, inFlight);
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/oidc/token') inFlight.add(request);
  });
  page.on('requestfinished', (request) => inFlight.delete(request));
  page.on('requestfailed', (request) => inFlight.delete(request));
}

async function tokenRefreshesSettled(page: Page): Promise<void> {
  const inFlight = tokenRequests.get(page);
  const deadline = Date.now() + browserStepTimeoutMs;
  while (inFlight && inFlight.size > 0 && Date.now() < deadline) await page.waitForTimeout(20);
}

/** Opens one screen (and its dialog), checks it follows the theme, and returns its failing violations. */
async function checkScreen(
  t: TestContext,
  journey: Journey,
  variant: Variant,
  screen: WebAppScreen,
  found: FoundIds | undefined,
): Promise<string[]> {
  const { page, baseUrl } = journey;
  const { path, heading } = resolveScreen(screen, found);
  const where = `${path}${screen.dialog ? ` with ${screen.dialog.shows}` : ''} (${variant.language}, ${variant.colorScheme})`;
  const headingShown = () =>
    page.getByRole('heading', { name: heading[variant.language], exact: true }).first().waitFor();
  // Leaving a page while its token refresh is in flight loses the rotated refresh token (the server
  // has spent the old one, the answer never reaches the app) and signs the app out: wait it out.
  await tokenRefreshesSettled(page);
  await page.goto(`${baseUrl}${path}`);
  try {
    await headingShown();
  } catch {
    // On a busy CI machine a page load has stalled past the step timeout a few times (never on an
    // idle one): say what the page showed, then load it once more; a second miss fails the sweep.
    const text = await page
      .locator('body')
      .textContent()
      .catch(() => '');
    t.diagnostic(
      `${where}: no heading after ${page.url()} loaded; it showed: ${(text ?? '').replace(/\s+/g, ' ').slice(0, 400)}`,
    );
    await page.goto(`${baseUrl}${path}`);
    await headingShown();
  }
  // The heading shows while the screen loads too: axe checks the screen with its data.
  await page.locator('[role="progressbar"]').first().waitFor({ state: 'detached' });
  if (screen.dialog) {
    await page.getByTestId(screen.dialog.press).click();
    await page.getByTestId(screen.dialog.shows).waitFor();
    // react-native-web's Modal calls itself a dialog only once its fade-in has ended.
    await page.locator('[aria-modal="true"]:not([role])').first().waitFor({ state: 'detached' });
  }
  const background = await page
    .getByRole('main')
    .first()
    .evaluate(
      (node) =>
        (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(node)
          .backgroundColor,
    );
  assert.equal(background, backgrounds[variant.colorScheme], `${where}: the app renders the browser's theme`);
  // Named by the route with each record's id cut to its prefix (acc, txn, trf): the same file every run.
  const shot = path.replace(/\b(acc|txn|trf)_[0-9a-z]+/g, '$1').replace(/\?.*$/, '');
  await journey.shot(`${shot.slice(1).replaceAll('/', '-')}${screen.dialog ? `-${screen.dialog.shows}` : ''}`);
  const violations = await axeViolations(page);
  // Moderate and minor findings do not fail the screen; they are listed in the test's output.
  for (const v of violations) {
    const first = v.nodes[0];
    const at = first ? ` first at ${JSON.stringify(first.target)} ${first.html.slice(0, quotedHtmlMax)}` : '';
    t.diagnostic(`${where}: ${v.id} (${v.impact}) on ${v.nodes.length} node(s)${at}`);
  }
  return seriousViolations(where, violations);
}

/** Route files in apps/mobile/app/ that draw no screen of their own. */
const notScreens = new Set([
  // The front door: sends the customer on to /sign-in or /home.
  'index.tsx',
  // The bank's sign-in page returns here; it finishes the sign-in and moves on to /home.
  'auth/callback.tsx',
]);

/** Every route the app's file-based router serves, as a pattern (`/home/accounts/[id]`). */
function appRoutes(): string[] {
  const appDir = join(import.meta.dirname, '../../mobile/app');
  return readdirSync(appDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.tsx') && !basename(file).startsWith('_') && !notScreens.has(file))
    .map(
      (file) =>
        `/${file
          .replace(/\.tsx$/, '')
          .split(sep)
          .filter((segment) => !/^\(.*\)$/.test(segment) && segment !== 'index')
          .join('/')}`,
    );
}

describe('accessibility of the web app (axe-core in Chromium)', () => {
  it('lists every screen the web app routes', () => {
    const found = { accountId: 'acc_1', accountName: 'Everyday', transactionId: 'txn_1', transferId: 'trf_1' };
    const listed = webAppScreens.map((screen) => resolveScreen(screen, found).path.replace(/\?.*$/, ''));
    const missing = appRoutes().filter((route) => {
      const pattern = new RegExp(`^${route.replace(/\[[^\]]+\]/g, '[^/]+')}$`);
      return !listed.some((listedPath) => pattern.test(listedPath));
    });
    assert.deepEqual(missing, [], 'every route in apps/mobile/app/ has an entry in ./a11y.ts');
  });

  // Four variants of every screen: past the runner's 300 s on a busy machine (338 s seen), whose
  // cancellation shut the app down mid-sweep.
  it('has no serious or critical violation on any screen, theme or language', { timeout: 900_000 }, async (t) => {
    const failures: string[] = [];
    let checked = 0;
    for (const variant of variants) {
      const journey = await startJourney(t, browser, `${variant.language}-${variant.colorScheme}`, {
        locale: variant.locale,
        colorScheme: variant.colorScheme,
        folder: 'a11y',
      });
      trackTokenRequests(journey.page);
      for (const screen of webAppScreens.filter((s) => !s.signedIn)) {
        failures.push(...(await checkScreen(t, journey, variant, screen, undefined)));
        checked += 1;
      }
      await signIn(journey, customerEmail);
      const found = await prepareCustomer(journey);
      for (const screen of webAppScreens.filter((s) => s.signedIn)) {
        failures.push(...(await checkScreen(t, journey, variant, screen, found)));
        checked += 1;
      }
      assert.deepEqual(
        journey.problems,
        [],
        `${variant.language}, ${variant.colorScheme}: no page error or CSP violation`,
      );
      await journey.context.close();
    }
    assert.equal(checked, webAppScreens.length * variants.length);
    assert.deepEqual(failures, [], `axe-core found serious or critical violations:\n${failures.join('\n')}`);
  });

  it('fails a screen that has a serious or critical violation, naming rule, impact and node', async (t) => {
    const journey = await startJourney(t, browser, 'planted-violations', { folder: 'a11y' });
    const { page, baseUrl } = journey;
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByRole('heading', { name: 'Welcome to NextGen', exact: true }).first().waitFor();
    // A button (critical) and a link (serious) with no name, as a careless change would add.
    await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { body: { insertAdjacentHTML(p: string, h: string): void } } })
        .document;
      doc.body.insertAdjacentHTML(
        'beforeend',
        '<button id="nameless"></button><a id="nameless-link" href="/register"></a>',
      );
    });
    const failures = seriousViolations('/sign-in', await axeViolations(page));
    assert.ok(
      failures.some((f) => /button-name \(critical\).*#nameless/.test(f)),
      `the nameless button is reported:\n${failures.join('\n')}`,
    );
    assert.ok(
      failures.some((f) => /link-name \(serious\).*#nameless-link/.test(f)),
      `the nameless link is reported:\n${failures.join('\n')}`,
    );
  });
});
