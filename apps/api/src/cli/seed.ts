import { createServices } from '../app.ts';
import { seedDemoData } from '../demo/index.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { migrate } from '../platform/migrations.ts';
import { openDependencies } from '../platform/runtime.ts';

// `./ng seed`: loads the demo customers and their history into DATABASE_URL (or the embedded
// database) unless they are there already.
try {
  const deps = await openDependencies(loadConfig(), console);
  await migrate(deps.db);
  const outcome = await seedDemoData(createServices(deps));
  await Promise.all([deps.db.close(), deps.cache.close()]);
  process.stdout.write(outcome.seeded ? `loaded ${outcome.events} demo events\n` : 'demo data is already loaded\n');
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
