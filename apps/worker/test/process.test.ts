import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { freePort, repositoryRoot } from '@nextgen/testkit';
import { insertEvent, waitUntil, workerTestDatabase } from './helper.ts';

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
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.deepEqual([ready.status, await ready.json()], [200, { status: 'ready' }]);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('with EVENT_FEED=nats and NATS down: stays alive, answers /readyz 503 and counts relay failures', async (t) => {
    const env = await workerTestDatabase(t);
    const port = await freePort();
    const natsPort = await freePort();
    const child = spawn(process.execPath, [cli], {
      env: {
        ...process.env,
        DATABASE_URL: env.database.url,
        NG_ENV: 'test',
        WORKER_PORT: String(port),
        EVENT_FEED: 'nats',
        NATS_URL: `nats://user:hunter2@127.0.0.1:${natsPort}`,
        NATS_STREAM: `NG_TEST_PROCESS_${natsPort}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | string>((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
    );
    env.stopFirst(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    const db = env.pool(1);
    await insertEvent(db, 'test.tally');
    await waitUntil(
      'the relay to fail',
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
        return /^ng_worker_relay_failures_total [1-9]/m.test((await response?.text()) ?? '');
      },
      60_000,
    );
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { status: string }).status, 'nats_unreachable');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^ng_worker_relay_pending_events 1$/m);
    assert.match(metrics, /^ng_worker_nats_connected 0$/m);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(output, /"feed":"nats"/);
    assert.doesNotMatch(output, /hunter2/, 'the NATS credentials never reach the log');
  });

  it('refuses an unknown EVENT_FEED with exit code 78', () => {
    const result = spawnSync(process.execPath, [cli], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, EVENT_FEED: 'kafka' },
    });
    assert.equal(result.status, 78);
    assert.match(result.stderr, /EVENT_FEED/);
  });

  it('answers a mistyped command with its usage and exit code 2', () => {
    const result = spawnSync(process.execPath, [cli, 'dead-letters', 'purge'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^usage: worker/);
  });
});
