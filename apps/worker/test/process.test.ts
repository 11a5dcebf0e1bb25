import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { freePort, repositoryRoot } from '@nextgen/testkit';
import { waitUntil, workerTestDatabase } from './helper.ts';

const cli = path.join(repositoryRoot, 'apps/worker/src/cli.ts');

describe('the worker process (`./ng worker`)', () => {
  it('serves /healthz and /metrics on WORKER_PORT and exits cleanly on SIGTERM', async (t) => {
    const env = await workerTestDatabase(t);
    const port = await freePort();
    const child = spawn(process.execPath, [cli], {
      env: { ...process.env, DATABASE_URL: env.database.url, NG_ENV: 'test', WORKER_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | string>((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
    );
    env.stopFirst(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    await waitUntil(
      'the worker to answer /healthz',
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        return response?.status === 200;
      },
      60_000,
    );
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(await metrics.text(), /^ng_worker_outbox_pending_events 0$/m);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('answers a mistyped command with its usage and exit code 2', () => {
    const result = spawnSync(process.execPath, [cli, 'dead-letters', 'purge'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^usage: worker/);
  });
});
