/**
 * Exports the iOS and Android JavaScript bundles (`expo export -p ios -p android`) into a temporary
 * folder, so a change that breaks the native build fails the test command, not a store build
 * later. One Metro process bundles both platforms (206 s cold on the 2-core machine against 251 s
 * for two runs; about 12 s warm from Metro's cache). Offline (EXPO_OFFLINE): nothing is downloaded.
 * Without Hermes bytecode (`--no-bytecode`): compiling it would add about 35 s per platform.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const platforms = ['ios', 'android'] as const;
/**
 * Platform files must resolve as intended: a native bundle carries the hardware-key device
 * (src/session/device.native.ts names its key `nextgen.dpop`) and not the web's redirect sign-in
 * (device.web.ts keeps `nextgen.returnTo`). A wrong resolution would ship a phone app that keeps
 * its key in a JavaScript polyfill.
 */
const nativeMarker = 'nextgen.dpop';
const webMarker = 'nextgen.returnTo';
const mobile = path.join(import.meta.dirname, '../apps/mobile');
const out = mkdtempSync(path.join(os.tmpdir(), 'ng-mobile-bundles-'));
let failed = false;
try {
  const started = Date.now();
  const result = spawnSync(
    'npx',
    ['expo', 'export', ...platforms.flatMap((p) => ['-p', p]), '--output-dir', out, '--no-bytecode'],
    {
      cwd: mobile,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, EXPO_OFFLINE: '1', CI: '1', EXPO_NO_TELEMETRY: '1' },
    },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  for (const platform of platforms) {
    const dir = path.join(out, '_expo/static/js', platform);
    const bundles = result.status === 0 && existsSync(dir) ? readdirSync(dir) : [];
    if (bundles.length === 0) {
      process.stderr.write(`mobile: the ${platform} bundle failed to export (${seconds} s)\n`);
      failed = true;
    } else {
      const code = bundles.map((bundle) => readFileSync(path.join(dir, bundle), 'utf8')).join('\n');
      if (!code.includes(nativeMarker) || code.includes(webMarker)) {
        process.stderr.write(
          `mobile: the ${platform} bundle does not carry the native device (src/session/device.native.ts)\n`,
        );
        failed = true;
      }
      process.stdout.write(`mobile: ${platform} bundle exported (${bundles.join(', ')})\n`);
    }
  }
  process.stdout.write(`mobile: iOS and Android bundles took ${seconds} s\n`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
