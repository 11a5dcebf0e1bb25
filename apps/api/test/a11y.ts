import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * axe-core in the real browser, for the web app's screens. Every screen the web app routes is
 * listed in `webAppScreens` (browser-a11y.test.ts checks the list against apps/mobile/app/): a new
 * screen is checked by adding its route, whether it needs a customer signed in, and the heading
 * that says it has rendered, in both languages; a dialog over a screen by an entry of its own.
 * axe's own source (from node_modules, never downloaded) is evaluated in the page through the
 * DevTools protocol, so the page keeps its strict CSP.
 */
export interface WebAppScreen {
  /** The route, as a person deep-links to it; a function where it names something the run found. */
  readonly path: string | ((found: FoundIds) => string);
  /** Signed-in screens are checked with a customer signed in; the others signed out. */
  readonly signedIn: boolean;
  /** The screen's main heading in each language: visible once the screen rendered. */
  readonly heading: Headings | ((found: FoundIds) => Headings);
  /**
   * A dialog checked over the screen: the control (by test id) that opens it and the dialog's test
   * id. The screen itself is checked by an entry of its own.
   */
  readonly dialog?: { readonly press: string; readonly shows: string };
}

export interface Headings {
  readonly en: string;
  readonly de: string;
}

/** What a signed-in run found in the demo bank, for the routes that name a record. */
export interface FoundIds {
  readonly accountId: string;
  /** The account's own name is its screen's heading, in every language. */
  readonly accountName: string;
  readonly transactionId: string;
  readonly transferId: string;
}

const accountPath = (found: FoundIds) => `/home/accounts/${encodeURIComponent(found.accountId)}`;
const accountHeading = (found: FoundIds) => ({ en: found.accountName, de: found.accountName });
const settings = { en: 'Settings', de: 'Einstellungen' };

/** Headings are the screens' titles in apps/mobile/src/i18n/locales/{en,de}/*.json. */
export const webAppScreens: readonly WebAppScreen[] = [
  { path: '/sign-in', signedIn: false, heading: { en: 'Welcome to NextGen', de: 'Willkommen bei NextGen' } },
  { path: '/register', signedIn: false, heading: { en: 'Open an account', de: 'Konto eröffnen' } },
  { path: '/home', signedIn: true, heading: { en: 'Your accounts', de: 'Ihre Konten' } },
  { path: accountPath, signedIn: true, heading: accountHeading },
  // The full IBAN is shown only after a passkey approves it: the step-up sheet.
  {
    path: accountPath,
    signedIn: true,
    heading: accountHeading,
    dialog: { press: 'reveal-iban', shows: 'step-up-sheet' },
  },
  {
    path: (found) =>
      `/home/transactions/${encodeURIComponent(found.transactionId)}?accountId=${encodeURIComponent(found.accountId)}`,
    signedIn: true,
    heading: { en: 'Transaction', de: 'Umsatz' },
  },
  { path: '/home/limits', signedIn: true, heading: { en: 'Limits and verification', de: 'Limits und Verifizierung' } },
  { path: '/home/open', signedIn: true, heading: { en: 'Open an account', de: 'Konto eröffnen' } },
  { path: '/kyc', signedIn: true, heading: { en: 'Verify your identity', de: 'Identität bestätigen' } },
  { path: '/payments', signedIn: true, heading: { en: 'Payments', de: 'Zahlungen' } },
  { path: '/payments/new', signedIn: true, heading: { en: 'New payment', de: 'Neue Zahlung' } },
  { path: '/payments/payees/new', signedIn: true, heading: { en: 'Add payee', de: 'Empfänger hinzufügen' } },
  {
    path: (found) => `/payments/transfers/${encodeURIComponent(found.transferId)}`,
    signedIn: true,
    heading: { en: 'Transfer', de: 'Überweisung' },
  },
  { path: '/insights', signedIn: true, heading: { en: 'Insights', de: 'Einblicke' } },
  { path: '/insights/budgets', signedIn: true, heading: { en: 'Budgets', de: 'Budgets' } },
  { path: '/insights/bills', signedIn: true, heading: { en: 'Upcoming bills', de: 'Anstehende Rechnungen' } },
  { path: '/insights/feed', signedIn: true, heading: { en: 'For you', de: 'Für Sie' } },
  { path: '/insights/recurring', signedIn: true, heading: { en: 'Regular payments', de: 'Regelmäßige Zahlungen' } },
  { path: '/insights/dismissed', signedIn: true, heading: { en: 'Dismissed insights', de: 'Ausgeblendete Hinweise' } },
  {
    path: (found) => `/insights/forecast/${encodeURIComponent(found.accountId)}`,
    signedIn: true,
    heading: { en: 'Balance forecast', de: 'Kontostandsprognose' },
  },
  { path: '/settings', signedIn: true, heading: settings },
  // "Are you sure?" before signing out: the confirm dialog the security screens share.
  { path: '/settings', signedIn: true, heading: settings, dialog: { press: 'sign-out', shows: 'confirm-dialog' } },
  { path: '/settings/about', signedIn: true, heading: { en: 'About', de: 'Über NextGen' } },
  { path: '/settings/passkeys', signedIn: true, heading: { en: 'Passkeys', de: 'Passkeys' } },
  { path: '/settings/devices', signedIn: true, heading: { en: 'Signed-in devices', de: 'Angemeldete Geräte' } },
  { path: '/settings/profile', signedIn: true, heading: { en: 'Profile', de: 'Profil' } },
];

/**
 * The route and heading of a screen, with what the run found filled in. Signed out, nothing is
 * found yet: a signed-out screen that names a record is a mistake in the list above.
 */
export function resolveScreen(screen: WebAppScreen, found: FoundIds | undefined): { path: string; heading: Headings } {
  const path = typeof screen.path === 'string' ? screen.path : found && screen.path(found);
  const heading = typeof screen.heading === 'function' ? found && screen.heading(found) : screen.heading;
  if (path === undefined || heading === undefined) {
    throw new Error('a screen checked signed out cannot name a record the signed-in run finds');
  }
  return { path, heading };
}

/** The impacts that fail a screen (issue 13: no serious or critical violations). */
export const failingImpacts: readonly string[] = ['serious', 'critical'];

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly {
    readonly target: readonly unknown[];
    /** The node's opening markup, as axe quotes it: says which element a generated class names. */
    readonly html: string;
    readonly failureSummary?: string;
  }[];
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
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }));
  });
}

/** How much of a node's markup a failure quotes: enough to recognise the element. */
export const quotedHtmlMax = 160;

/** The violations that fail a screen, one line per rule and node: rule id, impact, target, markup. */
export function seriousViolations(where: string, violations: readonly AxeViolation[]): string[] {
  return violations
    .filter((v) => v.impact !== null && failingImpacts.includes(v.impact))
    .flatMap((v) =>
      v.nodes.map(
        (n) =>
          `${where}: ${v.id} (${v.impact}) ${v.help} at ${JSON.stringify(n.target)} ${n.html.slice(0, quotedHtmlMax)}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`,
      ),
    );
}
