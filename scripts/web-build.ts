/**
 * Builds the web app (`expo export -p web`) into apps/mobile/dist/web for the API to serve at `/`,
 * only when its sources or the lockfile changed since the last build: a SHA-256 over every file of
 * apps/mobile (outside node_modules, dist and .expo) and package-lock.json is kept in the build's
 * `.ng-build-hash`. The export runs into a fresh folder that replaces the old one only when it
 * succeeds, so a failed build never leaves half a build to serve. Nothing is downloaded
 * (EXPO_OFFLINE). Run by `./ng start`; `--check` only says whether a build is due (exit 1 if so).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../apps/api/src/platform/data-dir-lock.ts';

const repoRoot = path.join(import.meta.dirname, '..');
const stampFile = '.ng-build-hash';
const skipped = new Set(['node_modules', 'dist', '.expo', 'ios', 'android']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !skipped.has(entry.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return entry.isFile() && !entry.name.endsWith('.test.tsx') && !entry.name.endsWith('.test.ts') ? [full] : [];
    })
    .sort();
}

/** What the build is made of: apps/mobile's files (not its tests, dependencies or outputs) and the lockfile. */
export function sourceHash(repo: string): string {
  const hash = createHash('sha256');
  for (const file of [...sourceFiles(path.join(repo, 'apps/mobile')), path.join(repo, 'package-lock.json')]) {
    hash.update(path.relative(repo, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function builtHash(out: string): string | undefined {
  const file = path.join(out, stampFile);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

const sleepMs = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * One build at a time per checkout: two test files that start at once (browser-a11y and
 * browser-journeys) both find the build stale, and two `expo export`s into one folder fail. The lock
 * is a folder (mkdir is atomic) holding the builder's pid; a waiter takes it over when that process
 * is gone, and checks the hash again when it gets it (the other build usually made it current).
 */
export function withBuildLock(mobile: string, run: () => number): number {
  const lock = path.join(mobile, 'dist/web.lock');
  const owner = path.join(lock, 'pid');
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(existsSync(owner) ? readFileSync(owner, 'utf8') : Number.NaN);
      if (Number.isInteger(pid) && !isProcessAlive(pid)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another web build holds ${lock} for over 15 minutes`);
      else sleepMs(1000);
    }
  }
  try {
    return run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function build(repo: string): number {
  const mobile = path.join(repo, 'apps/mobile');
  const out = path.join(mobile, 'dist/web');
  const want = sourceHash(repo);
  if (builtHash(out) === want) return 0;
  if (process.argv.includes('--check')) return 1;
  return withBuildLock(mobile, () => (builtHash(out) === want ? 0 : exportWeb(mobile, out, want)));
}

function exportWeb(mobile: string, out: string, want: string): number {
  process.stderr.write('ng: building the web app (apps/mobile changed)\n');
  const started = Date.now();
  const next = path.join(mobile, 'dist/web.next');
  rmSync(next, { recursive: true, force: true });
  const result = spawnSync('npx', ['expo', 'export', '-p', 'web', '--output-dir', 'dist/web.next'], {
    cwd: mobile,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, EXPO_OFFLINE: '1', CI: '1', EXPO_NO_TELEMETRY: '1' },
  });
  if (result.status !== 0) {
    rmSync(next, { recursive: true, force: true });
    process.stderr.write('ng: the web app build failed (see above); fix apps/mobile, then run ./ng web-build\n');
    return result.status ?? 1;
  }
  writeFileSync(path.join(next, stampFile), `${want}\n`);
  rmSync(out, { recursive: true, force: true });
  renameSync(next, out);
  process.stderr.write(`ng: web app built in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return 0;
}

if (import.meta.main) process.exit(build(repoRoot));
