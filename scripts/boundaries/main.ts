/**
 * `./ng boundaries`: checks the import graph of apps/<app>/src and packages/<package>/src against
 * the layering in rules.ts (docs/architecture.md). Exits 1 on a new violation or a stale entry in
 * the list of known ones. `./ng test` runs it after the type-check.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBoundaries, collectEdges, describeFailure, listSourceFiles } from './check.ts';
import { boundaryRules, knownViolations } from './rules.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const workspaces = ['apps', 'packages'].flatMap((parent) =>
  existsSync(path.join(root, parent))
    ? readdirSync(path.join(root, parent), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${parent}/${entry.name}`)
    : [],
);

/** Workspace package names (`@nextgen/testkit`) to the file their "." export points at. */
const packages = new Map<string, string>();
for (const workspace of workspaces) {
  const manifestPath = path.join(root, workspace, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    name?: string;
    main?: string;
    exports?: string | Record<string, unknown>;
  };
  const entry = typeof manifest.exports === 'string' ? manifest.exports : (manifest.exports?.['.'] ?? manifest.main);
  if (manifest.name && typeof entry === 'string') packages.set(manifest.name, path.posix.join(workspace, entry));
}

const files = listSourceFiles(
  root,
  workspaces.map((workspace) => `${workspace}/src`),
);
const edges = collectEdges(root, files, packages);
const result = checkBoundaries(edges, boundaryRules, knownViolations);
const ratchetFile = 'scripts/boundaries/rules.ts';
const failure = describeFailure(result, ratchetFile);
if (failure) {
  process.stderr.write(`boundaries: ${failure}\nThe rules: docs/architecture.md.\n`);
  process.exit(1);
}
process.stdout.write(
  `boundaries: ${files.length} files, ${edges.length} imports: no new violations; ${result.known.length} known violations left in ${ratchetFile}\n`,
);
