import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { addPlatformAuthenticator, freePort, watchCspViolations, webAppDir } from '@nextgen/testkit';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { demoPassword } from '../src/demo/plan.ts';
import { seedDemoData } from '../src/demo/seed.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * A customer in the real web build: a test API on a real socket with the demo bank seeded
 * (alex, sam and kim @demo.nextgen.test, six months of history), a fresh browser context with a
 * WebAuthn virtual authenticator, a watch for page errors, CSP violations and requests to another
 * origin, and numbered screenshots in test-artifacts/<folder>/<name>/. Used by the journeys and
 * the accessibility test.
 */
const repo = path.join(import.meta.dirname, '../../..');
export const browserStepTimeoutMs = 30_000;

export interface Journey {
  readonly testApp: TestApp;
  readonly baseUrl: string;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly cdp: CDPSession;
  /** Page errors, CSP violations and console errors seen so far. */
  readonly problems: string[];
  shot(name: string): Promise<void>;
}

export async function startJourney(
  t: TestContext,
  browser: Browser,
  name: string,
  options: {
    locale?: string;
    colorScheme?: 'light' | 'dark';
    folder?: string;
    /** More settings for the test API (e.g. risk-models.ts holdingEnv); the journeys' own two always win. */
    env?: Readonly<Record<string, string>>;
  } = {},
): Promise<Journey> {
  const artifacts = path.join(repo, 'test-artifacts', options.folder ?? 'journeys');
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const testApp = await buildTestApp(t, { env: { ...options.env, PUBLIC_URL: baseUrl, WEB_APP_DIR: webAppDir } });
  await seedDemoData(testApp.services);
  await testApp.app.listen({ host: 'localhost', port });
  const context = await browser.newContext({
    locale: options.locale ?? 'en-GB',
    colorScheme: options.colorScheme ?? 'light',
  });
  t.after(() => context.close());
  const problems: string[] = [];
  await watchCspViolations(context, (violation) => problems.push(`CSP: ${violation}`));
  const page = await context.newPage();
  page.setDefaultTimeout(browserStepTimeoutMs);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:')) {
      problems.push(`request to another origin: ${request.url()}`);
    }
  });
  const cdp = await context.newCDPSession(page);
  await addPlatformAuthenticator(cdp);
  let step = 0;
  mkdirSync(path.join(artifacts, name), { recursive: true });
  return {
    testApp,
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
export async function signIn(journey: Journey, email: string, texts = { signIn: 'Sign in' }) {
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
