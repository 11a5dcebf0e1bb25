/**
 * The layering `./ng boundaries` enforces (docs/architecture.md explains it) and the ratchet: the
 * violations that exist today, each to be fixed and then deleted from the list. Never add to it.
 */
import type { BoundaryRules, Layer } from './check.ts';

const apiSource = 'apps/api/src/';

/** Bottom first. A module imports only modules of earlier layers, or its peers where `peers` is set. */
const layers: readonly Layer[] = [
  // Cross-cutting mechanisms: config, database, cache, crypto, errors, ids, money, HTTP plumbing.
  { name: 'platform', modules: ['platform'] },
  // Double-entry accounts; money moves only through it.
  { name: 'ledger', modules: ['ledger'] },
  // The hash-chained audit log every module writes to.
  { name: 'audit', modules: ['audit'] },
  // Operators, roles, four-eyes approvals: domain modules register with it, it knows none of them.
  { name: 'back office', modules: ['backoffice'] },
  // packages/ml: data generation, the interchange format, features, models; below the domain
  // modules that will score with it. It imports nothing of ours at all
  // (packages/ml/test/self-contained.test.ts), which is stricter than its layer allows.
  { name: 'ml', modules: ['ml'] },
  { name: 'domain', modules: ['identity', 'accounts', 'payments', 'compliance', 'risk', 'insights'], peers: true },
  // app.ts builds the services and routes from the modules.
  { name: 'composition root', modules: ['app'] },
  { name: 'demo data', modules: ['demo'] },
  // apps/worker: outbox consumers and scheduled jobs, on platform and audit only. A process of its
  // own (`./ng worker`), and run inside the API's process by main.ts on the embedded default.
  { name: 'worker', modules: ['worker'] },
  // Processes: the API server (main.ts, which may run the worker in-process), the command-line tools.
  { name: 'entry points', modules: ['main', 'cli'] },
  // packages/testkit: imported by *.test.ts files only.
  { name: 'test support', modules: ['testkit'] },
  // packages/api-client: the API's consumer (the app, scripts). On top so that no server module may
  // import it; it imports nothing of ours either (packages/api-client/test/self-contained.test.ts),
  // only its generated types tie it to the API.
  { name: 'api client', modules: ['api-client'] },
  // apps/mobile: the app, on the api client only (and never imported by anything of ours).
  { name: 'app', modules: ['mobile'] },
];

/** apps/api/src/<module>/…, apps/api/src/{app,main}.ts, apps/<app>/src, packages/<package>/src. */
function moduleOf(file: string): string | undefined {
  if (file.startsWith(apiSource)) {
    const rest = file.slice(apiSource.length);
    const slash = rest.indexOf('/');
    if (slash >= 0) return rest.slice(0, slash);
    if (rest === 'app.ts') return 'app';
    return rest.replace(/\.ts$/, '');
  }
  const workspace = /^(?:apps|packages)\/([^/]+)\/src\//.exec(file);
  return workspace?.[1];
}

function doorsOf(module: string): readonly string[] | '*' {
  // The platform is a toolbox, not a service: each file is its own small door.
  if (module === 'platform') return '*';
  if (module === 'app') return [`${apiSource}app.ts`];
  if (module === 'main') return [`${apiSource}main.ts`];
  if (module === 'testkit') return ['packages/testkit/src/index.ts'];
  if (module === 'api-client') return ['packages/api-client/src/index.ts', 'packages/api-client/src/web/index.ts'];
  if (module === 'worker') return ['apps/worker/src/index.ts'];
  if (module === 'ml') return ['packages/ml/src/index.ts'];
  return [`${apiSource}${module}/index.ts`];
}

export const boundaryRules: BoundaryRules = {
  layers,
  moduleOf,
  doorsOf,
  testOnlyModules: ['testkit'],
  isTestFile: (file) => file.endsWith('.test.ts'),
};

/**
 * The ratchet: violations present when the check was introduced. `./ng boundaries` fails on any
 * violation not listed here and on any entry listed here that no longer occurs, so fixing one means
 * deleting its line, and the list can only shrink. Format: `<kind> <from> -> <to>` (files for
 * layer, door and test; modules for cycle).
 */
export const knownViolations: readonly string[] = [];
