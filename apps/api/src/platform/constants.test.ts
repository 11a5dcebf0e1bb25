import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

const sourceRoot = join(import.meta.dirname, '..');

/**
 * A limit written as a number where it is used: a schema bound, a timer delay, a client timeout or
 * retry count. Each belongs in constants.ts, named with its unit and what raising it costs.
 */
const literalLimits = [
  /\b(?:maxLength|maxItems|maxProperties|maximum|maxParamLength)\s*:\s*\d[\d_]*/g,
  /\bset(?:Timeout|Interval)\([^,()]+,\s*\d[\d_]*\s*\)/g,
  /\b\w*(?:Timeout|TimeoutMillis|timeout|Attempts|RetriesPerRequest)\s*:\s*(?!1\b)\d[\d_]*/g,
  /\{\d+,\d{2,}\}/g,
];

/** Numbers that are not limits: enumerations and formats. Each says why. */
const notLimits = new Set([
  'compliance/kyc-routes.ts: maximum: 3', // the KYC tiers 1–3, an enumeration (compliance/limits.ts)
  'identity/customer-routes.ts: {6,14}', // E.164: a phone number has at most 15 digits
  'platform/logging.ts: {11,30}', // the shape of an IBAN inside free text
  'platform/money.ts: {0,17}', // decimal amount syntax (the value is bounded by amountMinorMax)
  'platform/money.ts: {1,18}',
  'accounts/schemas.ts: {0,17}', // the same syntax in the OpenAPI pattern
  'accounts/schemas.ts: {1,18}',
  'accounts/iban.ts: {1,30}', // ISO 13616: at most 30 BBAN characters
  'platform/config.ts: {0,14}', // the decimal syntax of a configured threshold
  'platform/config.ts: {1,11}', // the shape of a bank code (IBAN_BANK_CODE)
  'platform/crypto/vault.ts: {0,63}', // the shape of a field name
  'audit/heads.ts: {0,18}', // a bigint position or count in an exported head, at most 19 digits
  'platform/config.ts: {1,61}', // the shape of an S3 bucket name (3-63 characters)
  'platform/s3.ts: {1,61}', // the same, in an s3://bucket/key location
  'insights/schemas.ts: maximum: 1', // a category's share of the month's total: a ratio
  'insights/schemas.ts: {0,31}', // the shape of a category name (snake case, as the API lists them)
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('Limits', () => {
  it('are numbers only in platform/constants.ts', () => {
    const found: string[] = [];
    for (const path of sourceFiles(sourceRoot)) {
      const file = relative(sourceRoot, path);
      if (file === join('platform', 'constants.ts')) continue;
      const text = readFileSync(path, 'utf8');
      for (const pattern of literalLimits)
        for (const match of text.matchAll(pattern)) {
          const site = `${file}: ${match[0]}`;
          if (!notLimits.has(site)) found.push(site);
        }
    }
    assert.deepEqual(found, [], 'name these limits in platform/constants.ts and import them');
  });
});
