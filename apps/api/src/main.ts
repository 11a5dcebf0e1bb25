import { buildApp, createServices } from './app.ts';
import { seedIfEmpty } from './demo/seed.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { shutdownGraceMs } from './platform/constants.ts';
import { migrate } from './platform/migrations.ts';
import { openDependencies } from './platform/runtime.ts';

// main.ts only reads config, opens connections, builds the app, listens and handles signals.
// A configuration mistake (found while reading settings or building services) stops the process
// with one line naming the setting.
function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  exitOnConfigError(error);
}

const bootLog = {
  warn: (o: unknown, m?: string) =>
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: m, ...(o as object) })}\n`),
};
const deps = await openDependencies(config, bootLog);
await migrate(deps.db);
const services = (() => {
  try {
    return createServices(deps);
  } catch (error) {
    exitOnConfigError(error);
  }
})();
const app = await buildApp(deps, services);
if (config.seedDemoData) await seedIfEmpty(services, app.log);

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down: finishing in-flight requests');
  const forced = setTimeout(() => {
    app.log.error('graceful shutdown took too long; exiting');
    process.exit(1);
  }, shutdownGraceMs);
  forced.unref();
  await app.close();
  await Promise.allSettled([deps.db.close(), deps.cache.close()]);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ host: config.host, port: config.port });
app.log.info(
  { database: deps.db.kind, cache: deps.cache.kind, docs: `${config.publicUrl}/docs` },
  `NextGen API listening on ${config.publicUrl}`,
);
