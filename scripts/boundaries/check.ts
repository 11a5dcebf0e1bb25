/**
 * The import-graph check behind `./ng boundaries` (docs/architecture.md). It parses every source
 * file with the TypeScript compiler (no type-checking, only the syntax tree), resolves the imports
 * between our own files, and checks the graph against rules.ts:
 *
 *   layer  a module imports only modules of lower layers (domain modules may import each other);
 *   door   an import into another module targets one of its doors (its index.ts), not an inner file;
 *   cycle  no cycle between modules among the imports the layers allow;
 *   test   test support (packages/testkit) is imported by test files only.
 *
 * Known violations are listed in rules.ts (the ratchet). The check fails on a violation that is not
 * listed and on a listed one that is gone, so the list only shrinks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One import of a file by a file, both as repository-relative paths with forward slashes. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  /** `import type`/`export type`: erased at run time, but still a dependency of the design. */
  readonly typeOnly: boolean;
  readonly line: number;
}

export interface Layer {
  readonly name: string;
  readonly modules: readonly string[];
  /** Modules of this layer may import each other (through their doors, without cycles). */
  readonly peers?: boolean;
}

export interface BoundaryRules {
  /** Bottom first: a module may import modules of the layers before its own. */
  readonly layers: readonly Layer[];
  /** The module a file belongs to; undefined for files outside every module (not checked). */
  moduleOf(file: string): string | undefined;
  /** The files (repository-relative) of `module` that other modules may import; '*' means every file. */
  doorsOf(module: string): readonly string[] | '*';
  /** Modules only test files may import (test support). */
  readonly testOnlyModules: readonly string[];
  isTestFile(file: string): boolean;
}

export type ViolationKind = 'layer' | 'door' | 'cycle' | 'test' | 'unknown';

export interface Violation {
  readonly kind: ViolationKind;
  /** Stable identity, as listed in the ratchet: `<kind> <from> -> <to>`. */
  readonly key: string;
  readonly message: string;
}

export interface CheckResult {
  /** Violations that are not in the ratchet: the check fails. */
  readonly fresh: readonly Violation[];
  /** Ratchet entries no longer found: the check fails until they are deleted from rules.ts. */
  readonly stale: readonly string[];
  /** Ratchet entries still present. */
  readonly known: readonly Violation[];
  /** Ratchet entries listed twice. */
  readonly duplicates: readonly string[];
}

// ---- Parsing -----------------------------------------------------------------------------------

export interface ParsedImport {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly line: number;
}

/** Every static import, re-export, dynamic `import('…')` and `import('…').T` type of one file. */
export function parseImports(fileName: string, text: string): ParsedImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: ParsedImport[] = [];
  const add = (literal: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(literal)) return;
    const line = source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1;
    found.push({ specifier: literal.text, typeOnly, line });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument) add(argument, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every .ts file under `<root>/<dir>` for each dir, as repository-relative paths, sorted. */
export function listSourceFiles(root: string, dirs: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(child);
    }
  };
  for (const dir of dirs) if (existsSync(path.join(root, dir))) walk(dir);
  return files.sort();
}

/**
 * The import edges between `files` (repository-relative). Relative specifiers resolve against the
 * importing file; `packages` maps workspace package names (`@nextgen/testkit`) to their entry file.
 * Imports of anything else (npm packages, node:, JSON, files outside the list) are not edges.
 */
export function collectEdges(
  root: string,
  files: readonly string[],
  packages: ReadonlyMap<string, string>,
): ImportEdge[] {
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    for (const parsed of parseImports(from, readFileSync(path.join(root, from), 'utf8'))) {
      const to = resolveSpecifier(from, parsed.specifier, known, packages);
      if (to !== undefined && to !== from) edges.push({ from, to, typeOnly: parsed.typeOnly, line: parsed.line });
    }
  }
  return edges;
}

function resolveSpecifier(
  from: string,
  specifier: string,
  known: ReadonlySet<string>,
  packages: ReadonlyMap<string, string>,
): string | undefined {
  if (!specifier.startsWith('.')) return packages.get(specifier);
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return [base, `${base}.ts`, `${base}/index.ts`].find((candidate) => known.has(candidate));
}

// ---- Checking ----------------------------------------------------------------------------------

const remedy = {
  layer:
    'Import only from lower layers (docs/architecture.md). Move what both sides need down to platform, or let the caller pass it in (app.ts wires modules together).',
  door: "Import the module's index.ts (export what you need from there), or move shared code to platform.",
  test: 'Test support (packages/testkit) is for *.test.ts files only; move what production code needs to platform.',
  unknown: 'Add the module to a layer in scripts/boundaries/rules.ts and to docs/architecture.md.',
} as const;

/** Checks `edges` against `rules`; `ratchet` lists the violations known and accepted for now. */
export function checkBoundaries(
  edges: readonly ImportEdge[],
  rules: BoundaryRules,
  ratchet: readonly string[],
): CheckResult {
  const layerIndex = new Map<string, number>();
  rules.layers.forEach((layer, index) => {
    for (const module of layer.modules) layerIndex.set(module, index);
  });
  const found = new Map<string, Violation>();
  const report = (violation: Violation) => {
    if (!found.has(violation.key)) found.set(violation.key, violation);
  };
  /** Module edges the layers allow, with the file imports behind each: the graph cycles are searched in. */
  const allowed = new Map<string, Map<string, ImportEdge[]>>();

  for (const edge of edges) {
    const fromModule = rules.moduleOf(edge.from);
    const toModule = rules.moduleOf(edge.to);
    if (fromModule === undefined || toModule === undefined || fromModule === toModule) continue;
    const what = `${edge.from}:${edge.line} imports ${edge.to}${edge.typeOnly ? ' (type-only)' : ''}`;
    const pair = `${edge.from} -> ${edge.to}`;
    const unknown = [fromModule, toModule].filter((module) => !layerIndex.has(module));
    if (unknown.length > 0) {
      for (const module of unknown) {
        report({
          kind: 'unknown',
          key: `unknown ${module}`,
          message: `module "${module}" is in no layer (${what}). ${remedy.unknown}`,
        });
      }
      continue;
    }
    if (rules.testOnlyModules.includes(toModule)) {
      if (!rules.isTestFile(edge.from)) {
        report({ kind: 'test', key: `test ${pair}`, message: `${what}: ${remedy.test}` });
      }
      continue;
    }
    const fromLayer = layerIndex.get(fromModule) ?? 0;
    const toLayer = layerIndex.get(toModule) ?? 0;
    const peers = fromLayer === toLayer && rules.layers[fromLayer]?.peers === true;
    if (toLayer > fromLayer || (toLayer === fromLayer && !peers)) {
      const fromName = rules.layers[fromLayer]?.name;
      const toName = rules.layers[toLayer]?.name;
      report({
        kind: 'layer',
        key: `layer ${pair}`,
        message: `${what}: ${fromModule} (layer "${fromName}") may not import ${toModule} (layer "${toName}"). ${remedy.layer}`,
      });
      continue;
    }
    const doors = rules.doorsOf(toModule);
    if (doors !== '*' && !doors.includes(edge.to)) {
      report({
        kind: 'door',
        key: `door ${pair}`,
        message: `${what}: that file is inside ${toModule}, whose door is ${doors.join(' or ')}. ${remedy.door}`,
      });
    }
    const targets = allowed.get(fromModule) ?? new Map<string, ImportEdge[]>();
    allowed.set(fromModule, targets);
    targets.set(toModule, [...(targets.get(toModule) ?? []), edge]);
  }

  for (const component of stronglyConnected(allowed)) {
    const members = new Set(component);
    for (const from of component) {
      for (const [to, behind] of allowed.get(from) ?? []) {
        if (!members.has(to)) continue;
        const loop = [from, ...pathWithin(allowed, members, to, from)].join(' -> ');
        const files = behind
          .slice(0, 3)
          .map((edge) => `${edge.from}:${edge.line} imports ${edge.to}`)
          .join('; ');
        report({
          kind: 'cycle',
          key: `cycle ${from} -> ${to}`,
          message: `${from} -> ${to} closes a cycle between modules (${loop}): ${files}${behind.length > 3 ? ` (and ${behind.length - 3} more)` : ''}. Break it: one side stops importing the other (the caller passes a function in, or the shared code moves to platform).`,
        });
      }
    }
  }

  const listed = new Set<string>();
  const duplicates: string[] = [];
  for (const entry of ratchet) {
    if (listed.has(entry)) duplicates.push(entry);
    listed.add(entry);
  }
  const violations = [...found.values()].sort((a, b) => a.key.localeCompare(b.key));
  return {
    fresh: violations.filter((violation) => !listed.has(violation.key)),
    known: violations.filter((violation) => listed.has(violation.key)),
    stale: [...listed].filter((entry) => !found.has(entry)),
    duplicates,
  };
}

/** The shortest module path from `start` to `goal` inside `members` (both ends included). */
function pathWithin(
  graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>,
  members: ReadonlySet<string>,
  start: string,
  goal: string,
): string[] {
  const previous = new Map<string, string>([[start, start]]);
  const queue = [start];
  for (let node = queue.shift(); node !== undefined && node !== goal; node = queue.shift()) {
    for (const target of [...(graph.get(node)?.keys() ?? [])].sort()) {
      if (!members.has(target) || previous.has(target)) continue;
      previous.set(target, node);
      queue.push(target);
    }
  }
  const route = [goal];
  for (let node = goal; node !== start; ) {
    node = previous.get(node) ?? start;
    route.unshift(node);
  }
  return route;
}

/** Tarjan's algorithm: the components of more than one module, each sorted, in a stable order. */
function stronglyConnected(graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const connect = (node: string) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of [...(graph.get(node)?.keys() ?? [])].sort()) {
      if (!index.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) components.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return components.sort((a, b) => a.join().localeCompare(b.join()));
}

/** The report `./ng boundaries` prints; empty when the check passes. */
export function describeFailure(result: CheckResult, ratchetFile: string): string {
  const lines: string[] = [];
  if (result.fresh.length > 0) {
    lines.push(`${result.fresh.length} new boundary violation(s):`);
    for (const violation of result.fresh) lines.push(`  ✗ ${violation.message}`, `    [${violation.key}]`);
    lines.push(
      `Fix the import as the message says. The list of known violations in ${ratchetFile} only shrinks: do not add to it.`,
    );
  }
  if (result.stale.length > 0) {
    lines.push(`${result.stale.length} known violation(s) are gone; delete these lines from ${ratchetFile}:`);
    for (const entry of result.stale) lines.push(`  '${entry}',`);
  }
  if (result.duplicates.length > 0) {
    lines.push(`Listed twice in ${ratchetFile}; keep one of each:`);
    for (const entry of result.duplicates) lines.push(`  '${entry}',`);
  }
  return lines.join('\n');
}
