import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from './errors.ts';
import type { Worker } from './worker.ts';

/**
 * /metrics (Prometheus text) and /healthz on WORKER_PORT, apart from the API's port, as the
 * architecture places metrics. Nothing here takes input beyond the path.
 */
export interface WorkerHttp {
  readonly port: number;
  close(): Promise<void>;
}

function problem(status: number, code: string, detail: string): string {
  return JSON.stringify({ type: 'about:blank', title: code, status, code, detail });
}

export async function serveWorkerHttp(worker: Worker, host: string, port: number): Promise<WorkerHttp> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (path !== '/metrics' && path !== '/healthz' && path !== '/readyz')) {
      response.writeHead(404, { 'content-type': 'application/problem+json' });
      response.end(problem(404, 'not_found', 'The worker serves GET /metrics, /healthz and /readyz only.'));
      return;
    }
    if (path === '/readyz') {
      // Liveness stays /healthz: NATS being down is no reason to restart the worker, which catches up by itself.
      const { ready, reason } = worker.ready();
      response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify(ready ? { status: 'ready' } : { status: 'nats_unreachable', detail: reason }));
      return;
    }
    if (path === '/healthz') {
      const healthy = worker.healthy();
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: healthy ? 'ok' : 'stalled' }));
      return;
    }
    worker.metricsText().then(
      (text) => {
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        response.end(text);
      },
      (error: unknown) => {
        response.writeHead(503, { 'content-type': 'application/problem+json' });
        response.end(
          problem(503, 'metrics_unavailable', `The database did not answer (${describeError(error)}); try again.`),
        );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
