/**
 * Exports the iOS and Android JavaScript bundles (`expo export -p ios|android`) into a temporary
 * folder, so a change that breaks the native build fails the test command, not a store build
 * later. Offline (EXPO_OFFLINE): nothing is downloaded. Metro's cache makes reruns quick; the
 * times are printed so the step's cost stays visible.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const mobile = path.join(import.meta.dirname, '../apps/mobile');
const out = mkdtempSync(path.join(os.tmpdir(), 'ng-mobile-bundles-'));
let failed = false;
try {
  for (const platform of ['ios', 'android']) {
    const started = Date.now();
    const dir = path.join(out, platform);
    const result = spawnSync('npx', ['expo', 'export', '-p', platform, '--output-dir', dir, '--no-bytecode'], {
      cwd: mobile,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, EXPO_OFFLINE: '1', CI: '1', EXPO_NO_TELEMETRY: '1' },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const bundles = result.status === 0 ? readdirSync(path.join(dir, '_expo/static/js', platform)) : [];
    if (result.status !== 0 || bundles.length === 0) {
      process.stderr.write(`mobile: the ${platform} bundle failed to export (${seconds} s)\n`);
      failed = true;
    } else {
      process.stdout.write(`mobile: ${platform} bundle exported in ${seconds} s (${bundles.join(', ')})\n`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
