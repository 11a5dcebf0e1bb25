import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

/**
 * The benchmark is code too: a change to the API it drives (a new required field, a new check) must
 * not leave `./ng bench` broken until someone next measures. This runs it end to end at its smallest
 * (two customers, one-second phases, no pgbench) and checks every request succeeded. It asserts no
 * speed: figures are measured by `./ng bench` and written down in bench/RESULTS.md.
 */
const run = promisify(execFile);
const template = process.env.NG_TEST_TEMPLATE_DB ?? 'ng_t_local_tpl';
// Named under the test run's prefix, so scripts/test.ts drops it with the run's other databases.
const database = `${template.replace(/_tpl$/, '')}_bench`;

describe('./ng bench', () => {
  it('prepares customers through the real sign-in, then transfers and reads with no failed request', async () => {
    const args = ['run.ts', '--duration', '1', '--connections', '2', '--customers', '2', '--skip-pgbench'];
    const { stdout } = await run(process.execPath, [...args, '--database', database], {
      cwd: import.meta.dirname,
      timeout: 180_000,
    });
    const written = /written to (\S+\.json)/.exec(stdout)?.[1];
    assert.ok(written, `the bench names its results file:\n${stdout}`);
    const results = JSON.parse(await readFile(path.join(import.meta.dirname, written), 'utf8'));
    for (const phase of [results.warmup, results.transfers, results.history]) {
      assert.ok(phase.total > 0, `${phase.name} sent requests`);
      assert.equal(phase.non2xx, 0, `${phase.name}: every request answered 2xx`);
      assert.equal(phase.errors, 0, `${phase.name}: no connection errors`);
    }
    assert.equal(results.pgbenchTpcB, undefined, '--skip-pgbench skips pgbench');
  });
});
