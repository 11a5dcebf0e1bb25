import { ConfigError, loadConfig } from '../platform/config.ts';
import { migrate } from '../platform/migrations.ts';
import { openDatabase } from '../platform/runtime.ts';

// `./ng migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and exits.
try {
  const config = loadConfig();
  const db = await openDatabase(config, console);
  const applied = await migrate(db);
  await db.close();
  process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
