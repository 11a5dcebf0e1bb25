import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWebApp, freePort, launchChromium, webAppDir } from '@nextgen/testkit';
import type { Browser } from 'playwright-core';
import { axeViolations, seriousViolations, webAppScreens } from './a11y.ts';
import { buildTestApp } from './helper.ts';

/**
 * axe-core on every screen of the real web build (apps/mobile, served by a test API on a real
 * socket) in Debian's Chromium: light and dark theme, English and German, each as the browser asks
 * for it (the app follows the system by default). Fails on any serious or critical violation,
 * naming the rule, its impact and the nodes. Screens are listed in ./a11y.ts.
 */
const browserStepTimeoutMs = 30_000;

const variants = [
  { language: 'en', locale: 'en-GB', colorScheme: 'light' },
  { language: 'en', locale: 'en-GB', colorScheme: 'dark' },
  { language: 'de', locale: 'de-DE', colorScheme: 'light' },
  { language: 'de', locale: 'de-DE', colorScheme: 'dark' },
] as const;
/** The main landmark's background in each palette (apps/mobile/src/theme): the app did follow the browser. */
const backgrounds = { light: 'rgb(246, 247, 249)', dark: 'rgb(13, 16, 20)' } as const;

let browser: Browser;

before(async () => {
  buildWebApp();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

describe('accessibility of the web app (axe-core in Chromium)', () => {
  it('has no serious or critical violation on any screen, theme or language', async (t) => {
    const port = await freePort();
    const baseUrl = `http://localhost:${port}`;
    const { app } = await buildTestApp(t, { env: { PUBLIC_URL: baseUrl, WEB_APP_DIR: webAppDir } });
    await app.listen({ host: 'localhost', port });
    const failures: string[] = [];
    let checked = 0;
    for (const variant of variants) {
      const context = await browser.newContext({ colorScheme: variant.colorScheme, locale: variant.locale });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(browserStepTimeoutMs);
        for (const screen of webAppScreens) {
          const where = `${screen.path} (${variant.language}, ${variant.colorScheme})`;
          await page.goto(`${baseUrl}${screen.path}`);
          await page.getByRole('heading', { name: screen.heading[variant.language], exact: true }).first().waitFor();
          const background = await page
            .getByRole('main')
            .first()
            .evaluate(
              (node) =>
                (
                  globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
                ).getComputedStyle(node).backgroundColor,
            );
          assert.equal(background, backgrounds[variant.colorScheme], `${where}: the app renders the browser's theme`);
          const violations = await axeViolations(page);
          failures.push(...seriousViolations(where, violations));
          // Moderate and minor findings do not fail the screen; they are listed in the test's output.
          for (const v of violations) t.diagnostic(`${where}: ${v.id} (${v.impact}) on ${v.nodes.length} node(s)`);
          checked += 1;
        }
      } finally {
        await context.close();
      }
    }
    assert.equal(checked, webAppScreens.length * variants.length);
    assert.deepEqual(failures, [], `axe-core found serious or critical violations:\n${failures.join('\n')}`);
  });

  it('fails a screen that has a serious or critical violation, naming rule, impact and node', async (t) => {
    const port = await freePort();
    const baseUrl = `http://localhost:${port}`;
    const { app } = await buildTestApp(t, { env: { PUBLIC_URL: baseUrl, WEB_APP_DIR: webAppDir } });
    await app.listen({ host: 'localhost', port });
    const context = await browser.newContext({ colorScheme: 'light', locale: 'en-GB' });
    t.after(() => context.close());
    const page = await context.newPage();
    page.setDefaultTimeout(browserStepTimeoutMs);
    await page.goto(`${baseUrl}/settings`);
    await page.getByRole('heading', { name: 'Settings', exact: true }).first().waitFor();
    // A button (critical) and a link (serious) with no name, as a careless change would add.
    await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { body: { insertAdjacentHTML(p: string, h: string): void } } })
        .document;
      doc.body.insertAdjacentHTML(
        'beforeend',
        '<button id="nameless"></button><a id="nameless-link" href="/settings"></a>',
      );
    });
    const failures = seriousViolations('/settings', await axeViolations(page));
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
