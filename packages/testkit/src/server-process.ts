import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs the real API as its own process (`node apps/api/src/main.ts`), for tests that must kill it
 * (crash tests), signal it (graceful shutdown) or load it over real HTTP (benchmarks).
 */
export const repositoryRoot = path.resolve(import.meta.dirname, '../../..');
const mainScript = path.join(repositoryRoot, 'apps/api/src/main.ts');

export interface ApiProcess {
  readonly baseUrl: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startApiProcess(env: Record<string, string>, readyTimeoutMs = 60_000): Promise<ApiProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [mainScript], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NG_ENV: 'development',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: baseUrl,
      SEED_DEMO_DATA: 'false',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const api: ApiProcess = {
    baseUrl,
    port,
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/readyz`);
      if (response.status === 200) return api;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await api.stop('SIGKILL');
  throw new Error(`API was not ready after ${readyTimeoutMs} ms:\n${output}`);
}
