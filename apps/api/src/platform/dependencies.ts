import type { Cache } from './cache.ts';
import type { Config } from './config.ts';
import type { Database } from './database.ts';
import type { KeyMaterial } from './keys.ts';

/**
 * What the app is built from: configuration and already-open connections. main.ts owns their
 * lifecycle; every service takes the part it needs. It lives in platform, not in app.ts, so a module
 * depends on these platform pieces and not on the composition root (docs/architecture.md).
 */
export interface AppDependencies {
  readonly config: Config;
  readonly db: Database;
  readonly cache: Cache;
  readonly keys: KeyMaterial;
}

/**
 * What app.ts hands a module's route plugin: the dependencies and the services the plugin names.
 * Each route file lists the services it uses, so it depends on those modules' doors and not on the
 * composition root's whole service map (docs/architecture.md).
 */
export interface RouteOptions<S> {
  readonly deps: AppDependencies;
  readonly services: S;
}
