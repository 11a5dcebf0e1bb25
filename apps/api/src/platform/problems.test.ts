import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { accountClosed, accountNotFound, currencyMismatch, customerNotFound } from './problems.ts';

const sourceRoot = join(import.meta.dirname, '..');

/** A problem built with a literal code: `notFound('x', …)`, `new DomainError(404, 'x', …)`, across lines too. */
const construction =
  /\b(?:new DomainError|badRequest|unauthorized|forbidden|notFound|conflict|unprocessable)\(\s*(?:\d+\s*,\s*)?'([a-z0-9_]+)'/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Each problem code built from a literal, with the source files that build it. */
function filesByCode(files: readonly { path: string; text: string }[]): Map<string, Set<string>> {
  const byCode = new Map<string, Set<string>>();
  for (const { path, text } of files) {
    for (const match of text.matchAll(construction)) {
      const code = match[1] as string;
      const where = byCode.get(code) ?? new Set<string>();
      where.add(path);
      byCode.set(code, where);
    }
  }
  return byCode;
}

describe('The problem catalogue', () => {
  it('builds every problem code in one source file only (shared ones in platform/problems.ts)', () => {
    const files = sourceFiles(sourceRoot).map((path) => ({
      path: relative(sourceRoot, path),
      text: readFileSync(path, 'utf8'),
    }));
    const byCode = filesByCode(files);
    assert.ok(byCode.size > 50, `the scan found only ${byCode.size} codes: has the pattern stopped matching?`);
    const repeated = [...byCode]
      .filter(([, where]) => where.size > 1)
      .map(([code, where]) => `${code}: ${[...where].sort().join(', ')}`);
    assert.deepEqual(repeated, [], 'import the factory from platform/problems.ts instead of building the code again');
  });

  it('the scan sees constructions spread over lines and through DomainError', () => {
    const byCode = filesByCode([
      { path: 'a.ts', text: "throw notFound('account_not_found', 'x');" },
      { path: 'b.ts', text: "new DomainError(\n  404,\n  'account_not_found',\n  'Not found',\n  'x',\n)" },
      { path: 'c.ts', text: "unprocessable(\n    'account_closed',\n 'x')" },
    ]);
    assert.deepEqual([...(byCode.get('account_not_found') ?? [])], ['a.ts', 'b.ts']);
    assert.deepEqual([...(byCode.get('account_closed') ?? [])], ['c.ts']);
  });

  it('keeps one code and status per problem whoever reads it', () => {
    for (const problem of [accountNotFound('customer'), accountNotFound('operator'), accountNotFound('customer', '/p')])
      assert.deepEqual([problem.status, problem.code], [404, 'account_not_found']);
    assert.deepEqual(accountNotFound('customer', '/body/fromAccountId').errors, [
      { pointer: '/body/fromAccountId', detail: 'is not one of your accounts' },
    ]);
    assert.deepEqual(
      [customerNotFound('customer').status, customerNotFound('operator').code],
      [404, 'customer_not_found'],
    );
    assert.equal(accountClosed().status, 409);
    const paying = accountClosed({ side: 'from', errors: [] });
    assert.deepEqual([paying.status, paying.code, paying.extensions], [422, 'account_closed', { side: 'from' }]);
    assert.deepEqual(currencyMismatch('credit', '/body/amount/currency', 'EUR').extensions, {});
    assert.deepEqual(currencyMismatch('to', '/body/amount/currency', 'EUR').extensions, { side: 'to' });
  });
});
