import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@nextgen/testkit';
import { type Browser, chromium } from 'playwright-core';
import { axeViolations, seriousViolations, webAppScreens } from './a11y.ts';
import { buildTestApp } from './helper.ts';

/**
 * axe-core on every screen of the real web build (apps/mobile, served by a test API on a real
 * socket) in Debian's Chromium: light and dark theme, English and German, each as the browser asks
 * for it (the app follows the system by default). Fails on any serious or critical violation,
 * naming the rule, its impact and the nodes. Screens are listed in ./a11y.ts.
 */
const repo = path.join(import.meta.dirname, '../../..');
const webAppDir = path.join(repo, 'apps/mobile/dist/web');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is not installed at ${chromiumPath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  const build = spawnSync(process.execPath, [path.join(repo, 'scripts/web-build.ts')], { stdio: 'inherit' });
  assert.equal(build.status, 0, 'the web app build failed');
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
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
