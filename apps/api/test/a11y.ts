import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * axe-core in the real browser, for the web app's screens. Every screen the web app routes is
 * listed in `webAppScreens`: a new screen is checked by adding its route and the heading that says
 * it has rendered, in both languages. axe's own source (from node_modules, never downloaded) is
 * evaluated in the page through the DevTools protocol, so the page keeps its strict CSP.
 */
export interface WebAppScreen {
  /** The route, as a person deep-links to it. */
  readonly path: string;
  /** The screen's main heading in each language: visible once the screen rendered. */
  readonly heading: { readonly en: string; readonly de: string };
}

export const webAppScreens: readonly WebAppScreen[] = [
  { path: '/settings', heading: { en: 'Settings', de: 'Einstellungen' } },
  { path: '/settings/about', heading: { en: 'About', de: 'Über NextGen' } },
];

/** The impacts that fail a screen (issue 13: no serious or critical violations). */
export const failingImpacts: readonly string[] = ['serious', 'critical'];

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly unknown[]; readonly failureSummary?: string }[];
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe on the page as it is now and returns its violations (every impact). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(`(() => { ${axeSource}\n; return typeof globalThis.axe; })()`);
  if (loaded !== 'object') throw new Error(`axe-core did not load in the page (${String(loaded)})`);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

/** The violations that fail a screen, one line per rule and node: rule id, impact, target. */
export function seriousViolations(where: string, violations: readonly AxeViolation[]): string[] {
  return violations
    .filter((v) => v.impact !== null && failingImpacts.includes(v.impact))
    .flatMap((v) =>
      v.nodes.map(
        (n) =>
          `${where}: ${v.id} (${v.impact}) ${v.help} at ${JSON.stringify(n.target)}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`,
      ),
    );
}
