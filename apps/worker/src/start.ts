import { serveWorkerHttp } from './http.ts';
import { createWorker, type Worker, type WorkerOptions } from './worker.ts';

export interface RunningWorker {
  readonly worker: Worker;
  /** The port /metrics and /healthz listen on; undefined when WORKER_PORT is not served. */
  readonly port: number | undefined;
  /** Stops the HTTP server and the loops; await it before closing the database. */
  stop(): Promise<void>;
}

/** Creates and starts a worker, with its /metrics and /healthz when the config names a port. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const worker = createWorker(options);
  const { port, host } = options.config;
  const http = port === undefined ? undefined : await serveWorkerHttp(worker, host, port);
  worker.start();
  return {
    worker,
    port: http?.port,
    async stop() {
      await http?.close();
      await worker.stop();
    },
  };
}
