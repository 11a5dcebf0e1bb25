import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTestDatabase, repositoryRoot, startApiProcess, testRedisUrl } from '@nextgen/testkit';
import pg from 'pg';

/**
 * Every `./ng …` command line in a shell block of README.md and docs/**.md runs here, verbatim
 * except for the documents' placeholders (`acc_…`, `opr_01…`, `trf_…`, `DE..`, `<nextCursor>`),
 * which are replaced by real values, against this test's own database, Redis prefix, data folder
 * and session file. Each must exit 0 unless `expectedFailures` names it with the documented reason.
 * Commands mentioned inline in the prose must at least name a root script.
 */

/** Scripts never run here, each with the reason. */
const notRun: Readonly<Record<string, string>> = {
  start: 'serves until stopped; this test runs the same API process (apps/api/src/main.ts) instead',
  test: 'the whole test suite, which includes this file',
  bench: 'a minutes-long load benchmark',
  format: 'rewrites the working tree',
  lint: 'already run by ./ng test before any test file',
  typecheck: 'already run by ./ng test before any test file',
};

/** Commands documented to answer an error, with the answer the document names. */
const expectedFailures: readonly { readonly command: RegExp; readonly output: RegExp; readonly reason: string }[] = [
  {
    command: /\/reveal\b/,
    output: /step_up_required|passkey_required/,
    reason: 'documented as "403 step_up_required", or "403 passkey_required" for a customer without one',
  },
];

interface DocumentedCommand {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly script: string;
}

const shellFence = /^```(sh|bash|shell|console)\s*$/;

async function markdownFiles(): Promise<string[]> {
  const docs = await readdir(path.join(repositoryRoot, 'docs'), { recursive: true });
  return ['README.md', ...docs.filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))].sort();
}

/** The `./ng` lines of shell blocks (with their `\` continuation lines) and the inline mentions. */
function commandsOf(file: string, markdown: string): { block: DocumentedCommand[]; inline: DocumentedCommand[] } {
  const lines = markdown.split('\n');
  const block: DocumentedCommand[] = [];
  const prose: string[] = [];
  let fence: 'shell' | 'other' | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('```')) {
      fence = fence ? undefined : shellFence.test(line) ? 'shell' : 'other';
      prose.push('');
      continue;
    }
    if (fence === undefined) prose.push(line);
    if (fence !== 'shell' || !line.startsWith('./ng ')) continue;
    let text = line;
    while (text.endsWith('\\') && i + 1 < lines.length) text += `\n${lines[++i]}`;
    block.push({ file, line: i + 1, text, script: scriptOf(text) });
  }
  const inline = [...prose.join('\n').matchAll(/`(\.\/ng\s[^`]*)`/g)].map((match) => {
    const text = (match[1] ?? '').replace(/\s+/g, ' ');
    return { file, line: 0, text, script: scriptOf(text) };
  });
  return { block, inline };
}

const scriptOf = (command: string) => command.split(/\s+/)[1] ?? '';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runShell(command: string, env: Record<string, string>): Run {
  const result = spawnSync('bash', ['-o', 'pipefail', '-c', command], {
    cwd: repositoryRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Real values for the documents' placeholders, learnt from the database and from earlier answers. */
class Placeholders {
  readonly values = new Map<string, string>();
  /** Where `./ng ml` commands' files go instead of the working tree (the documents name bare files). */
  readonly mlFolder = mkdtempSync(path.join(tmpdir(), 'ng-documented-ml-'));

  learn(output: string): void {
    for (const [prefix, pattern] of [
      ['trf', /"id":"(trf_[0-9a-z]{26})"/],
      ['opr', /"id":"(opr_[0-9a-z]{26})"/],
      ['cursor', /"nextCursor":"([^"]+)"/],
    ] as const) {
      const found = pattern.exec(output)?.[1];
      if (found) this.values.set(prefix, found);
    }
    for (const type of ['checking', 'savings']) {
      const account = new RegExp(`"id":"(acc_[0-9a-z]{26})"[^{}]*"type":"${type}"`).exec(output)?.[1];
      if (account) this.values.set(type, account);
    }
  }

  fill(command: string): string {
    const value = (name: string) => {
      const found = this.values.get(name);
      assert.ok(found, `no value yet for the placeholder ${name} in: ${command}`);
      return found;
    };
    // Freezing the checking account would stop the transfers documented after it: freeze the savings one.
    const account = command.includes('/freeze') ? 'savings' : 'checking';
    const filled = command.startsWith('./ng ml ')
      ? command.replace(
          /(--out|--input) (\S+)/g,
          (_all, flag: string, file: string) => `${flag} ${path.join(this.mlFolder, path.basename(file))}`,
        )
      : command;
    return filled
      .replaceAll('acc_…', () => value(account))
      .replaceAll('opr_01…', () => value('opr'))
      .replaceAll('trf_…', () => value('trf'))
      .replaceAll('"iban":"DE.."', () => `"iban":"${value('payeeIban')}"`)
      .replaceAll('<nextCursor>', () => value('cursor'));
  }
}

async function runAll(
  t: TestContext,
  commands: readonly DocumentedCommand[],
  env: Record<string, string>,
  placeholders: Placeholders,
) {
  for (const command of commands) {
    await t.test(`${command.file}:${command.line} ${command.text.split('\n')[0]}`, () => {
      const run = runShell(placeholders.fill(command.text), env);
      const output = `${run.stdout}\n${run.stderr}`;
      const expected = expectedFailures.find((f) => f.command.test(command.text));
      if (expected) {
        assert.notEqual(run.status, 0, `${expected.reason}, but it succeeded`);
        assert.match(output, expected.output, expected.reason);
      } else {
        assert.equal(run.status, 0, `exit ${run.status}:\n${output}`);
      }
      placeholders.learn(run.stdout);
    });
  }
}

describe('documented command lines', () => {
  // About 45 command lines, each a fresh `./ng` process: 196 s on a quiet 2-core machine beside the
  // rest of the suite, past the runner's 300 s on CI's slower one (2026-12-07). Its own limit, as the a11y sweep's.
  it('name root scripts, and run verbatim against a test database', { timeout: 900_000 }, async (t) => {
    const files = await markdownFiles();
    const documented = await Promise.all(
      files.map(async (file) => commandsOf(file, await readFile(path.join(repositoryRoot, file), 'utf8'))),
    );
    const block = documented.flatMap((d) => d.block);
    const inline = documented.flatMap((d) => d.inline);
    const rootScripts = Object.keys(
      (JSON.parse(await readFile(path.join(repositoryRoot, 'package.json'), 'utf8')) as { scripts: object }).scripts,
    );
    for (const command of [...block, ...inline]) {
      assert.ok(rootScripts.includes(command.script), `${command.file}: "${command.text}" names no root script`);
    }
    assert.ok(
      block.some((c) => c.text.includes('operator create --name')),
      'the extraction finds the back-office commands',
    );

    const database = await createTestDatabase();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ng-docs-'));
    t.after(async () => {
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const env: Record<string, string> = {
      NG_ENV: 'development',
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl,
      CACHE_KEY_PREFIX: `ngt:${randomBytes(6).toString('hex')}:`,
      DATA_DIR: dataDir,
      NG_SESSION_FILE: path.join(dataDir, 'session.json'),
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
    };
    // The set-up steps are documented commands too (inline in the README).
    for (const setup of ['./ng migrate', './ng seed']) {
      assert.ok(
        inline.some((c) => c.text === setup),
        `${setup} is documented`,
      );
      const run = runShell(setup, env);
      assert.equal(run.status, 0, `${setup}: exit ${run.status}\n${run.stdout}\n${run.stderr}`);
    }
    const placeholders = new Placeholders();
    t.after(() => rm(placeholders.mlFolder, { recursive: true, force: true }));
    // The direct-database commands credit any account; the API commands use the signed-in
    // customer's accounts, learnt from `./ng api GET /api/v1/accounts`, and pay another customer.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; iban: string }>(
        "SELECT id, iban FROM accounts WHERE type = 'checking' AND customer_id LIKE 'cus_%' ORDER BY id",
      );
      const first = rows[0];
      const last = rows.at(-1);
      assert.ok(first && last && rows.length >= 2, 'the demo data has customers with checking accounts');
      placeholders.values.set('checking', first.id);
      placeholders.values.set('payeeIban', last.iban);
    } finally {
      await client.end();
    }

    const skipped = (c: DocumentedCommand) => c.script in notRun;
    const needsApi = (c: DocumentedCommand) => c.script === 'token' || c.script === 'api';
    // Direct-database commands first: `audit verify --seal` is documented for when no API runs.
    await runAll(
      t,
      block.filter((c) => !skipped(c) && !needsApi(c)),
      env,
      placeholders,
    );
    const rotate = runShell('./ng rotate-keys', env);
    assert.equal(rotate.status, 0, `./ng rotate-keys:\n${rotate.stdout}\n${rotate.stderr}`);

    const api = await startApiProcess(env);
    t.after(() => api.stop());
    // docs/api/authentication.md signs in as the customer its registration example creates.
    const registered = await fetch(`${api.baseUrl}/api/v1/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        password: 'correct horse battery staple',
      }),
    });
    assert.equal(registered.status, 201);
    await runAll(
      t,
      block.filter((c) => !skipped(c) && needsApi(c)),
      { ...env, PUBLIC_URL: api.baseUrl },
      placeholders,
    );
  });
});
