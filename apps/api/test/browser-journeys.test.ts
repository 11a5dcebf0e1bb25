import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { buildWebApp, freePort, launchChromium, webAppDir } from '@nextgen/testkit';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { demoPassword } from '../src/demo/plan.ts';
import { seedDemoData } from '../src/demo/seed.ts';
import { buildTestApp } from './helper.ts';

/**
 * The customer's journeys through the real web build of apps/mobile, served by a test API on a real
 * socket (the demo bank seeded into it) and driven in Debian's Chromium: sign-in through the
 * bank's pages back to /auth/callback, the accounts and their history, money moved, passkeys in
 * the browser's virtual authenticator, German, dark mode, offline, sign out. Each step leaves a
 * screenshot in test-artifacts/journeys/, and no step may log a page error or a CSP violation.
 */
const repo = path.join(import.meta.dirname, '../../..');
const artifacts = path.join(repo, 'test-artifacts/journeys');
const browserStepTimeoutMs = 30_000;

let browser: Browser;

before(async () => {
  buildWebApp();
  mkdirSync(artifacts, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

interface Journey {
  readonly baseUrl: string;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly cdp: CDPSession;
  /** Page errors, CSP violations and console errors seen so far. */
  readonly problems: string[];
  shot(name: string): Promise<void>;
}

async function startJourney(
  t: TestContext,
  name: string,
  options: { locale?: string; colorScheme?: 'light' | 'dark' } = {},
): Promise<Journey> {
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const testApp = await buildTestApp(t, { env: { PUBLIC_URL: baseUrl, WEB_APP_DIR: webAppDir } });
  await seedDemoData(testApp.services);
  await testApp.app.listen({ host: 'localhost', port });
  const context = await browser.newContext({
    locale: options.locale ?? 'en-GB',
    colorScheme: options.colorScheme ?? 'light',
  });
  t.after(() => context.close());
  const problems: string[] = [];
  await context.exposeBinding('reportCspViolation', (_source, violation: string) => {
    problems.push(`CSP: ${violation}`);
  });
  await context.addInitScript(() => {
    const page = globalThis as unknown as {
      document: {
        addEventListener(type: string, listener: (e: { violatedDirective: string; blockedURI: string }) => void): void;
      };
      reportCspViolation(violation: string): void;
    };
    page.document.addEventListener('securitypolicyviolation', (event) =>
      page.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`),
    );
  });
  const page = await context.newPage();
  page.setDefaultTimeout(browserStepTimeoutMs);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:')) {
      problems.push(`request to another origin: ${request.url()}`);
    }
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  let step = 0;
  mkdirSync(path.join(artifacts, name), { recursive: true });
  return {
    baseUrl,
    context,
    page,
    cdp,
    problems,
    async shot(label) {
      step += 1;
      await page.screenshot({ path: path.join(artifacts, name, `${String(step).padStart(2, '0')}-${label}.png`) });
    },
  };
}

/** From the app's front door through the bank's sign-in page and back to the accounts. */
async function signIn(journey: Journey, email: string, texts = { signIn: 'Sign in' }) {
  const { page, baseUrl } = journey;
  await page.goto(`${baseUrl}/`);
  await page.waitForURL(`${baseUrl}/sign-in`);
  await journey.shot('front-door');
  await page.getByTestId('sign-in').click();
  await page.waitForURL(/\/interaction\//);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(demoPassword);
  await journey.shot('bank-sign-in-page');
  await page.getByRole('button', { name: texts.signIn, exact: true }).click();
  await page.waitForURL(/\/home$/);
}

describe('customer journeys in the web app (Chromium)', () => {
  it('signs in through the bank’s page, sees the accounts, and signs out', async (t) => {
    const journey = await startJourney(t, 'sign-in');
    const { page, baseUrl } = journey;
    await signIn(journey, 'alex@demo.nextgen.test');
    await page.locator('[data-testid^="account-row-"]').first().waitFor();
    await journey.shot('accounts');

    await page.goto(`${baseUrl}/settings`);
    await page.getByTestId('sign-out').click();
    await page.getByRole('button', { name: 'Sign out' }).last().click();
    await page.waitForURL(`${baseUrl}/sign-in`);
    await page.getByText('You are signed out.').waitFor();
    await journey.shot('signed-out');
    // The accounts are not reachable any more without a new sign-in.
    await page.goto(`${baseUrl}/home`);
    await page.waitForURL(`${baseUrl}/sign-in`);
    assert.deepEqual(journey.problems, []);
  });
});
