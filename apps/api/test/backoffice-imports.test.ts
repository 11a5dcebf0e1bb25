import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';

/**
 * Issue 12 (module boundaries): the back office decides approvals but imports no domain module;
 * each module registers its executors with the approvals registry (ADR 0072). Below the back
 * office sit only the platform and the audit module (every module records audit events).
 */
const srcDir = path.resolve(import.meta.dirname, '../src');
const allowed = [/^\.\/[^/]+\.ts$/, /^\.\.\/platform\//, /^\.\.\/audit\/index\.ts$/];

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => String(m[1]));
}

describe('the back office', () => {
  it('imports no domain module: approval executors come from the registry', async () => {
    const dir = path.join(srcDir, 'backoffice');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    const offending: string[] = [];
    for (const file of files) {
      for (const specifier of await importsOf(path.join(dir, file))) {
        if (!specifier.startsWith('.')) continue;
        if (allowed.some((rule) => rule.test(specifier))) continue;
        offending.push(`backoffice/${file} imports ${specifier}`);
      }
    }
    assert.deepEqual(offending, []);
  });
});
