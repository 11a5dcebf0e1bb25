/**
 * The whole test suite: prepares a migrated template database on the local PostgreSQL, then runs
 * every *.test.ts file with Node's test runner (files in parallel, each on its own database copy).
 * Run through `./ng test`, which lints and type-checks first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isProcessAlive } from '../apps/api/src/platform/data-dir-lock.ts';
import { connectPostgres } from '../apps/api/src/platform/database.ts';
import { migrate } from '../apps/api/src/platform/migrations.ts';
import { dropDatabasesWithPrefix, listDatabases, recreateDatabase } from '../packages/testkit/src/database.ts';

const runId = `ng_t${process.pid}`;
const template = `${runId}_tpl`;

/** Drops databases left by test runs that were killed; runs still going (their pid lives) keep theirs. */
async function dropLeftovers(): Promise<void> {
  const { rows } = await listDatabases('ng_t');
  for (const name of rows) {
    const pid = Number(/^ng_t(\d+)_/.exec(name)?.[1]);
    if (pid && !isProcessAlive(pid)) await dropDatabasesWithPrefix(`ng_t${pid}_`);
  }
}

async function prepareTemplate(): Promise<void> {
  await dropLeftovers();
  const url = await recreateDatabase(template);
  const db = connectPostgres(url, () => {}, 2);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
}

function runTests(patterns: string[]): Promise<number> {
  const concurrency = Math.max(2, availableParallelism() * 2);
  // NG_TEST_JUNIT=<file> also writes a JUnit report (each case with its file and duration): where the time goes.
  const report = process.env.NG_TEST_JUNIT
    ? [
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=junit',
        `--test-reporter-destination=${process.env.NG_TEST_JUNIT}`,
      ]
    : [];
  const args = ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...report, ...patterns];
  const child = spawn(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, NG_TEST_TEMPLATE_DB: template, NG_ENV: 'test' },
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

/**
 * apps/api/test/browser-login.test.ts drives Chromium from the distribution's package. A fresh
 * machine gets it here when we may install it (root with apt-get); otherwise that test fails and
 * names the install command. Never a silent skip.
 */
function ensureChromium(patterns: readonly string[]): void {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const wanted = patterns.length === 0 || patterns.some((p) => p.includes('browser'));
  if (!wanted || existsSync(chromiumPath)) return;
  const hasAptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (process.getuid?.() !== 0 || !hasAptGet) {
    process.stderr.write(
      `test: Chromium is missing (${chromiumPath}); the browser sign-in test will fail: install it with \`sudo apt-get install -y chromium\` or set CHROMIUM_PATH\n`,
    );
    return;
  }
  process.stderr.write(
    'test: Chromium is missing; installing it with `apt-get install -y chromium` for the browser sign-in test\n',
  );
  spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const patterns = process.argv.slice(2).filter((a) => a !== '--');
let exitCode = 1;
try {
  ensureChromium(patterns);
  await prepareTemplate();
  exitCode = await runTests(
    patterns.length > 0
      ? patterns
      : [
          // apps/mobile's tests run under Jest (jest-expo) in `npm run test:mobile`, not here.
          'apps/api/src/**/*.test.ts',
          'apps/api/test/**/*.test.ts',
          'apps/worker/src/**/*.test.ts',
          'apps/worker/test/**/*.test.ts',
          'packages/*/src/**/*.test.ts',
          'packages/*/test/**/*.test.ts',
          'scripts/**/*.test.ts',
          'bench/**/*.test.ts',
        ],
  );
} catch (error) {
  process.stderr.write(
    `test setup failed: ${String(error)}\nThe tests need PostgreSQL on 127.0.0.1:5432 (TEST_ADMIN_DATABASE_URL) and Redis on 127.0.0.1:6379 (TEST_REDIS_URL).\n`,
  );
} finally {
  await dropDatabasesWithPrefix(`${runId}_`).catch(() => {});
}
process.exit(exitCode);
