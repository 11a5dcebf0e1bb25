import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWebApp, freePort, launchChromium, webAppDir } from '@nextgen/testkit';
import type { Browser } from 'playwright-core';
import { buildTestApp } from './helper.ts';

/**
 * The real web build of apps/mobile, served by a test API on a real socket and loaded in Debian's
 * Chromium: the app renders, under its own CSP, with no violation, console error or request to
 * another origin; German, dark mode and the offline banner work in the browser.
 * The build is made (or found current) by scripts/web-build.ts, as `./ng start` does.
 */
const repo = path.join(import.meta.dirname, '../../..');
const artifacts = path.join(repo, 'test-artifacts/web-app');
/** Bounds every browser wait, so a broken page fails the test instead of hanging it. */
const browserStepTimeoutMs = 30_000;

interface PageGlobals {
  readonly document: {
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (event: { violatedDirective: string; blockedURI: string }) => void,
    ): void;
  };
  reportCspViolation(violation: string): void;
}

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
    await context.exposeBinding('reportCspViolation', (_source, violation: string) => {
      problems.push(`CSP: ${violation}`);
    });
    await context.addInitScript(() => {
      const page = globalThis as unknown as PageGlobals;
      page.document.addEventListener('securitypolicyviolation', (event) =>
        page.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`),
      );
    });
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
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/settings');
    await page.screenshot({ path: path.join(artifacts, '01-settings.png') });

    await page.getByRole('radio', { name: 'Deutsch' }).click();
    await page.getByRole('heading', { name: 'Einstellungen' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await page.getByRole('radio', { name: 'Dunkel' }).click();
    const background = await page.getByRole('heading', { name: 'Einstellungen' }).evaluate((node) => {
      let element: { parentElement: unknown } | null = node as unknown as { parentElement: unknown };
      const view = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } };
      while (element) {
        const colour = view.getComputedStyle(element).backgroundColor;
        if (colour !== 'rgba(0, 0, 0, 0)') return colour;
        element = element.parentElement as { parentElement: unknown } | null;
      }
      return 'none';
    });
    assert.equal(background, 'rgb(13, 16, 20)', 'the dark palette’s background');
    await page.screenshot({ path: path.join(artifacts, '02-german-dark.png') });

    await context.setOffline(true);
    await page.getByText(/Sie sind offline/).waitFor();
    await page.screenshot({ path: path.join(artifacts, '03-offline.png') });
    await context.setOffline(false);
    await page.getByText(/Sie sind offline/).waitFor({ state: 'detached' });

    // A deep link loads the app too (the API answers index.html for app routes).
    await page.goto(`${baseUrl}/settings/about`);
    await page.getByText(/Apache License 2.0/).waitFor();
    // The web has no biometrics: the lock is explained, not offered.
    await page.goto(`${baseUrl}/settings`);
    await page.getByText(/keine Biometrie eingerichtet/).waitFor();
    assert.equal(await page.getByRole('switch').count(), 0);

    assert.deepEqual(problems, []);
  });
});
