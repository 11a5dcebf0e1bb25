import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWebApp, freePort, launchChromium, watchCspViolations, webAppDir } from '@nextgen/testkit';
import type { Browser } from 'playwright-core';
import { buildTestApp } from './helper.ts';

/**
 * The real web build of apps/mobile, served by a test API on a real socket and loaded in Debian's
 * Chromium: the app renders, under its own CSP, with no violation, console error or request to
 * another origin; signed out it opens at the sign-in; the browser's German and dark mode are
 * followed; the offline banner shows. The signed-in journeys are in browser-journeys.test.ts.
 * The build is made (or found current) by scripts/web-build.ts, as `./ng start` does.
 */
const repo = path.join(import.meta.dirname, '../../..');
const artifacts = path.join(repo, 'test-artifacts/web-app');
/** Bounds every browser wait, so a broken page fails the test instead of hanging it. */
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

describe('the web app in Chromium', () => {
  it('renders under its CSP with no violation, console error or foreign request', async (t) => {
    const port = await freePort();
    const baseUrl = `http://localhost:${port}`;
    const { app } = await buildTestApp(t, { env: { PUBLIC_URL: baseUrl, WEB_APP_DIR: webAppDir } });
    await app.listen({ host: 'localhost', port });
    const context = await browser.newContext({ colorScheme: 'light', locale: 'en-GB' });
    t.after(() => context.close());
    const problems: string[] = [];
    await watchCspViolations(context, (violation) => problems.push(`CSP: ${violation}`));
    const page = await context.newPage();
    page.setDefaultTimeout(browserStepTimeoutMs);
    page.on('console', (message) => {
      // A failed load is reported with its URL by the response listener below.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('response', (answer) => {
      if (answer.status() >= 400) problems.push(`HTTP ${answer.status()} for ${answer.url()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:')) {
        problems.push(`request to another origin: ${request.url()}`);
      }
    });

    const response = await page.goto(`${baseUrl}/`);
    assert.equal(response?.status(), 200);
    assert.match(String(response?.headers()['content-security-policy']), /script-src 'self'/);
    // Signed out, the front door is the sign-in.
    await page.getByRole('heading', { name: 'Welcome to NextGen' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    await page.screenshot({ path: path.join(artifacts, '01-sign-in.png') });

    // A deep link into the signed-in app loads the app too (the API answers index.html for app
    // routes) and, without a sign-in, leads to the front door.
    await page.goto(`${baseUrl}/settings/about`);
    await page.waitForURL(`${baseUrl}/sign-in`);
    await page.goto(`${baseUrl}/register`);
    await page.getByRole('heading', { name: 'Open an account' }).waitFor();

    await context.setOffline(true);
    await page.getByText(/You are offline/).waitFor();
    await page.screenshot({ path: path.join(artifacts, '02-offline.png') });
    assert.equal(await page.getByTestId('register-submit').getAttribute('aria-disabled'), 'true');
    await context.setOffline(false);
    await page.getByText(/You are offline/).waitFor({ state: 'detached' });

    assert.deepEqual(problems, []);
  });

  it('follows the browser’s language and dark mode before anyone signs in', async (t) => {
    const port = await freePort();
    const baseUrl = `http://localhost:${port}`;
    const { app } = await buildTestApp(t, { env: { PUBLIC_URL: baseUrl, WEB_APP_DIR: webAppDir } });
    await app.listen({ host: 'localhost', port });
    const context = await browser.newContext({ colorScheme: 'dark', locale: 'de-DE' });
    t.after(() => context.close());
    const page = await context.newPage();
    page.setDefaultTimeout(browserStepTimeoutMs);
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Willkommen bei NextGen' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    const background = await page
      .getByRole('main')
      .first()
      .evaluate(
        (node) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(
            node,
          ).backgroundColor,
      );
    assert.equal(background, 'rgb(13, 16, 20)', 'the dark palette’s background');
    await page.screenshot({ path: path.join(artifacts, '03-german-dark.png') });
  });
});
