import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type CDPSession, chromium } from 'playwright-core';
import { repositoryRoot } from './server-process.ts';

/** Debian's Chromium (`apt-get install -y chromium`); never a downloaded browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless, and quiet on a closed network: without the background-networking flags Chromium
 * opens connections the machine refuses (component updates, sync, Google lookups) at every start.
 */
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches Debian's Chromium for a browser test or benchmark, or names the install command. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}. Install it with \`apt-get install -y chromium\` (Debian/Ubuntu; ./ng test does this when run as root), or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** Where scripts/web-build.ts leaves the app's web build. */
export const webAppDir = path.join(repositoryRoot, 'apps/mobile/dist/web');

/** Builds the app's web build as `./ng start` does (or finds it current); throws when the build fails. */
export function buildWebApp(): void {
  const build = spawnSync(process.execPath, [path.join(repositoryRoot, 'scripts/web-build.ts')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`the web app build failed (exit ${build.status ?? build.signal})`);
}

/**
 * A WebAuthn virtual authenticator on the page's DevTools session, standing in for the phone's
 * platform authenticator (Face ID, fingerprint): resident keys, user verification done, presence
 * given without a prompt. Answers its id (to list, remove or break its credentials).
 */
export async function addPlatformAuthenticator(cdp: CDPSession): Promise<string> {
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return authenticatorId;
}

/** The one browser API the in-page listener uses (the repository type-checks against Node, not the DOM). */
interface ViolationGlobals {
  readonly document: {
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (event: { violatedDirective: string; blockedURI: string; documentURI: string }) => void,
    ): void;
  };
  reportCspViolation(violation: string): void;
}

/**
 * Reports every Content-Security-Policy violation on any page of `context` to `onViolation`, as
 * "<directive> blocked <uri or inline> on <page url>": an in-page listener installed before any of
 * the page's own scripts, calling back through a binding.
 */
export async function watchCspViolations(
  context: BrowserContext,
  onViolation: (violation: string) => void,
): Promise<void> {
  await context.exposeBinding('reportCspViolation', (_source, violation: string) => onViolation(violation));
  await context.addInitScript(() => {
    const page = globalThis as unknown as ViolationGlobals;
    page.document.addEventListener('securitypolicyviolation', (event) =>
      page.reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} on ${event.documentURI}`,
      ),
    );
  });
}
