import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BoundaryRules, checkBoundaries, describeFailure, type ImportEdge, parseImports } from './check.ts';
import { boundaryRules } from './rules.ts';

/** A small world: platform at the bottom, two peer domain modules, a composition root, test support. */
const rules: BoundaryRules = {
  layers: [
    { name: 'platform', modules: ['platform'] },
    { name: 'ledger', modules: ['ledger'] },
    { name: 'domain', modules: ['alpha', 'beta', 'gamma'], peers: true },
    { name: 'composition root', modules: ['app'] },
    { name: 'test support', modules: ['testkit'] },
  ],
  moduleOf: (file) => {
    if (file === 'src/app.ts') return 'app';
    return /^src\/([^/]+)\//.exec(file)?.[1] ?? (file.startsWith('kit/') ? 'testkit' : undefined);
  },
  doorsOf: (module) => (module === 'platform' ? '*' : module === 'app' ? ['src/app.ts'] : [`src/${module}/index.ts`]),
  testOnlyModules: ['testkit'],
  isTestFile: (file) => file.endsWith('.test.ts'),
};

const edge = (from: string, to: string, line = 1, typeOnly = false): ImportEdge => ({ from, to, line, typeOnly });

/** Imports that break no rule: a module's own files, doors, lower layers, any platform file. */
const clean: ImportEdge[] = [
  edge('src/alpha/service.ts', 'src/alpha/repository.ts'),
  edge('src/alpha/service.ts', 'src/beta/index.ts'),
  edge('src/alpha/service.ts', 'src/platform/errors.ts'),
  edge('src/ledger/index.ts', 'src/platform/ids.ts'),
  edge('src/app.ts', 'src/alpha/index.ts'),
  edge('src/alpha/service.test.ts', 'kit/index.ts'),
];

describe('the import-graph check', () => {
  it('passes a graph that keeps every rule', () => {
    const result = checkBoundaries(clean, rules, []);
    assert.deepEqual(result.fresh, []);
    assert.deepEqual(result.stale, []);
    assert.equal(describeFailure(result, 'rules.ts'), '');
  });

  it("reports a deep import into another module's inner file, naming both files and the door", () => {
    const result = checkBoundaries([...clean, edge('src/alpha/routes.ts', 'src/beta/schemas.ts', 7)], rules, []);
    assert.deepEqual(
      result.fresh.map((violation) => violation.key),
      ['door src/alpha/routes.ts -> src/beta/schemas.ts'],
    );
    const message = result.fresh[0]?.message ?? '';
    assert.match(message, /src\/alpha\/routes\.ts:7 imports src\/beta\/schemas\.ts/);
    assert.match(message, /src\/beta\/index\.ts/);
    assert.match(message, /Import the module's index\.ts/);
    assert.match(message, /move shared code to platform/);
  });

  it('reports a cycle between modules, each edge of it, with the files behind it', () => {
    const cyclic = [
      ...clean,
      edge('src/beta/service.ts', 'src/gamma/index.ts'),
      edge('src/gamma/service.ts', 'src/alpha/index.ts', 3),
    ];
    const result = checkBoundaries(cyclic, rules, []);
    assert.deepEqual(
      result.fresh.map((violation) => violation.key),
      ['cycle alpha -> beta', 'cycle beta -> gamma', 'cycle gamma -> alpha'],
    );
    const closing = result.fresh.find((violation) => violation.key === 'cycle gamma -> alpha');
    assert.match(closing?.message ?? '', /gamma -> alpha -> beta -> gamma/);
    assert.match(closing?.message ?? '', /src\/gamma\/service\.ts:3 imports src\/alpha\/index\.ts/);
  });

  it('reports a layer breach: platform importing a domain module, ledger importing a peer, a module importing the composition root', () => {
    const breaches = [
      ...clean,
      edge('src/platform/runtime.ts', 'src/alpha/index.ts'),
      edge('src/ledger/index.ts', 'src/alpha/index.ts', 2, true),
      edge('src/beta/service.ts', 'src/app.ts', 1, true),
    ];
    const result = checkBoundaries(breaches, rules, []);
    assert.deepEqual(
      result.fresh.map((violation) => violation.key),
      [
        'layer src/beta/service.ts -> src/app.ts',
        'layer src/ledger/index.ts -> src/alpha/index.ts',
        'layer src/platform/runtime.ts -> src/alpha/index.ts',
      ],
    );
    assert.ok(result.fresh.every((violation) => violation.kind === 'layer'));
    assert.match(result.fresh[1]?.message ?? '', /\(type-only\): ledger \(layer "ledger"\) may not import alpha/);
  });

  it('reports test support imported by production code', () => {
    const result = checkBoundaries([...clean, edge('src/alpha/service.ts', 'kit/index.ts')], rules, []);
    assert.deepEqual(
      result.fresh.map((violation) => violation.key),
      ['test src/alpha/service.ts -> kit/index.ts'],
    );
  });

  it('reports a module that is in no layer', () => {
    const result = checkBoundaries([...clean, edge('src/delta/index.ts', 'src/platform/ids.ts')], rules, []);
    assert.deepEqual(
      result.fresh.map((violation) => violation.key),
      ['unknown delta'],
    );
  });

  it('accepts a listed violation, and fails on a stale entry until it is deleted', () => {
    const deep = edge('src/alpha/routes.ts', 'src/beta/schemas.ts');
    const entry = 'door src/alpha/routes.ts -> src/beta/schemas.ts';
    const listed = checkBoundaries([...clean, deep], rules, [entry]);
    assert.deepEqual(listed.fresh, []);
    assert.deepEqual(
      listed.known.map((violation) => violation.key),
      [entry],
    );

    const fixed = checkBoundaries(clean, rules, [entry]);
    assert.deepEqual(fixed.stale, [entry]);
    const failure = describeFailure(fixed, 'rules.ts');
    assert.match(failure, /known violation\(s\) are gone; delete these lines from rules\.ts/);
    assert.match(failure, /'door src\/alpha\/routes\.ts -> src\/beta\/schemas\.ts',/);
  });

  it('fails on an entry listed twice', () => {
    const entry = 'door src/alpha/routes.ts -> src/beta/schemas.ts';
    const result = checkBoundaries([...clean, edge('src/alpha/routes.ts', 'src/beta/schemas.ts')], rules, [
      entry,
      entry,
    ]);
    assert.deepEqual(result.duplicates, [entry]);
    assert.notEqual(describeFailure(result, 'rules.ts'), '');
  });
});

describe('import parsing', () => {
  it('finds static, type-only, re-exported and dynamic imports with their lines', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from './b.ts';",
      "export { c } from './c.ts';",
      "const d = await import('./d.ts');",
      "let e: import('./e.ts').E;",
      "import { type F } from './f.ts';",
      "import './g.ts';",
    ].join('\n');
    assert.deepEqual(parseImports('x.ts', text), [
      { specifier: './a.ts', typeOnly: false, line: 1 },
      { specifier: './b.ts', typeOnly: true, line: 2 },
      { specifier: './c.ts', typeOnly: false, line: 3 },
      { specifier: './d.ts', typeOnly: false, line: 4 },
      { specifier: './e.ts', typeOnly: true, line: 5 },
      { specifier: './f.ts', typeOnly: true, line: 6 },
      { specifier: './g.ts', typeOnly: false, line: 7 },
    ]);
  });
});

describe("the project's rules", () => {
  it('map files to their modules', () => {
    assert.equal(boundaryRules.moduleOf('apps/api/src/payments/service.ts'), 'payments');
    assert.equal(boundaryRules.moduleOf('apps/api/src/platform/crypto/vault.ts'), 'platform');
    assert.equal(boundaryRules.moduleOf('apps/api/src/app.ts'), 'app');
    assert.equal(boundaryRules.moduleOf('apps/api/src/main.ts'), 'main');
    assert.equal(boundaryRules.moduleOf('packages/testkit/src/index.ts'), 'testkit');
  });

  it('put platform at the bottom, then ledger, with every module in exactly one layer', () => {
    const modules = boundaryRules.layers.flatMap((layer) => layer.modules);
    assert.equal(new Set(modules).size, modules.length);
    assert.deepEqual(boundaryRules.layers[0]?.modules, ['platform']);
    assert.deepEqual(boundaryRules.layers[1]?.modules, ['ledger']);
  });
});
