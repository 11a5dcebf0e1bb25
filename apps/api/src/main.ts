import cluster from 'node:cluster';
import { loadWorkerConfig, type RunningWorker, startWorker, type WorkerConfig } from '@nextgen/worker';
import { buildApp, createServices } from './app.ts';
import { seedIfEmpty } from './demo/index.ts';
import { type Config, ConfigError, loadConfig } from './platform/config.ts';
import { shutdownGraceMs, workerRestartDelayMs } from './platform/constants.ts';
import { migrate } from './platform/migrations.ts';
import { openDependencies } from './platform/runtime.ts';

// main.ts only reads config, opens connections, builds the app, listens and handles signals.
// A configuration mistake (found while reading settings or building services) stops the process
// with one line naming the setting. With API_WORKERS > 1 the primary process migrates and seeds,
// then forks workers that share the port (each a stateless API, as pods are).
function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}

const bootLog = {
  warn: (o: unknown, m?: string) =>
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: m, ...(o as object) })}\n`),
};

async function start(config: Config, options: { prepare: boolean; serve: boolean; worker?: WorkerConfig }) {
  // A Redis that evicts keys is a configuration mistake too (platform/cache.ts checkEvictionPolicy).
  const deps = await openDependencies(config, bootLog).catch(exitOnConfigError);
  if (options.prepare) await migrate(deps.db);
  let services: ReturnType<typeof createServices>;
  try {
    services = createServices(deps);
  } catch (error) {
    exitOnConfigError(error);
  }
  // Rows written before personal data was encrypted are encrypted before anything is served.
  if (options.prepare) await services.identity.encryptPlaintextCustomers();
  const app = await buildApp(deps, services);
  if (options.prepare && config.seedDemoData) await seedIfEmpty(services, app.log);
  if (!options.serve) {
    await app.close();
    await Promise.allSettled([deps.db.close(), deps.cache.close()]);
    return;
  }
  // Chains committed audit records about once a second (several processes take turns on a row lock).
  const stopAuditSealer = services.audit.startSealer((error) => app.log.warn({ err: error }, 'audit sealer failed'));
  // One command for the user: on the embedded database the worker runs here, on the API's own
  // handle (PGlite has one connection), so `./ng start` also consumes the outbox and runs the jobs.
  let worker: RunningWorker | undefined;
  if (options.worker) {
    worker = await startWorker({ db: deps.db, config: options.worker, log: app.log, audit: services.audit });
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    setTimeout(() => {
      app.log.error('graceful shutdown took too long; exiting');
      process.exit(1);
    }, shutdownGraceMs).unref();
    await app.close();
    await worker?.stop();
    await stopAuditSealer();
    await Promise.allSettled([deps.db.close(), deps.cache.close()]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { database: deps.db.kind, cache: deps.cache.kind, docs: `${config.publicUrl}/docs`, pid: process.pid },
    `NextGen API listening on ${config.publicUrl}`,
  );
}

/** The primary of a multi-process API: forks the workers, restarts one that dies, stops them on a signal. */
function superviseWorkers(count: number) {
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < count; i += 1) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    bootLog.warn({ pid: worker.process.pid, code, signal }, 'API worker died; starting another');
    setTimeout(fork, workerRestartDelayMs);
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

let config: Config;
let workerConfig: WorkerConfig;
try {
  config = loadConfig();
  workerConfig = loadWorkerConfig(process.env, 'in-process');
} catch (error) {
  exitOnConfigError(error);
}
if (cluster.isWorker) {
  await start(config, { prepare: false, serve: true });
} else if (config.apiWorkers > 1) {
  await start(config, { prepare: true, serve: false });
  superviseWorkers(config.apiWorkers);
} else {
  await start(config, { prepare: true, serve: true, ...(workerConfig.inProcess ? { worker: workerConfig } : {}) });
}
