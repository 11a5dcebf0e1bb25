import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createTestDatabase, repositoryRoot, testRedisUrl } from '@nextgen/testkit';
import { humanNamePattern, nonBlankTextPattern, printableTextPattern } from '../src/platform/schemas.ts';
import { validatorCompiler } from '../src/platform/validation.ts';
import { createCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * Human-readable fields (names, references, descriptions, reasons, labels) refuse control
 * characters, format characters (U+202E right-to-left override, U+200B zero-width space: text that
 * displays as something else) and lone surrogates, through one of the shared patterns of
 * platform/schemas.ts (issue 12, defect 11).
 */
type Schema = Record<string, unknown>;

const sharedPatterns = new Set([printableTextPattern, humanNamePattern, nonBlankTextPattern]);
const disguised = ['Ada\u202eKing', 'Ada\u200bKing', 'Ada\u2066King\u2069', 'Ada\ufeffKing', 'Ada\u0007King'];

/** Fields that are not text shown to people, each with the reason they need no text pattern. */
const notHumanText: Readonly<Record<string, string>> = {
  password: 'a secret that is hashed, never shown; any character is allowed (NIST SP 800-63B)',
  cursor: 'opaque; decodeCursor answers anything it did not issue with 400 invalid_cursor',
  'idempotency-key': 'checked by the handler: visible ASCII only, else 400 idempotency_key_invalid',
  amount: 'parsed as a decimal string (parseAmountInput), anything else is 400 amount_malformed',
  perTransferMaximum: 'an amount, parsed like amount',
  dailyMaximum: 'an amount, parsed like amount',
  iban: 'checked by the IBAN rules (letters, digits, spaces, check digits), else 400 invalid_iban',
};

interface Field {
  readonly where: string;
  readonly name: string;
  readonly schema: Schema;
}

function stringFields(where: string, name: string, schema: Schema | undefined): Field[] {
  if (!schema) return [];
  const nested = [
    ...Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {}).flatMap(([key, value]) =>
      stringFields(`${where}/${key}`, key, value),
    ),
    ...stringFields(`${where}/items`, name, schema.items as Schema | undefined),
    ...(['anyOf', 'oneOf', 'allOf'] as const).flatMap((key) =>
      ((schema[key] as Schema[] | undefined) ?? []).flatMap((branch) => stringFields(where, name, branch)),
    ),
  ];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes('string') ? [{ where, name, schema }, ...nested] : nested;
}

async function requestStringFields(testApp: TestApp): Promise<Field[]> {
  const response = await testApp.app.inject({ url: '/openapi.json' });
  const paths = response.json().paths as Record<string, Record<string, Schema>>;
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).flatMap(([method, operation]) => {
      const at = `${method.toUpperCase()} ${path}`;
      const parameters = (operation.parameters as { in: string; name: string; schema: Schema }[] | undefined) ?? [];
      const content = (operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content;
      return [
        ...parameters.flatMap((p) => stringFields(`${at} ${p.in} ${p.name}`, p.name, p.schema)),
        ...Object.entries(content ?? {}).flatMap(([type, media]) =>
          stringFields(`${at} body(${type})`, '', media.schema),
        ),
      ];
    }),
  );
}

const accepts = (schema: Schema, value: string) =>
  (validatorCompiler({ schema, httpPart: 'body', url: '/', method: 'POST' }) as (value: unknown) => boolean)(value);

describe('human-readable text', () => {
  it('is refused with format and control characters in every request field of the OpenAPI document', async (t) => {
    const testApp = await buildTestApp(t);
    const fields = await requestStringFields(testApp);
    assert.ok(fields.length > 30, `found ${fields.length} string fields`);
    const problems: string[] = [];
    let humanFields = 0;
    for (const field of fields) {
      if (field.name in notHumanText) continue;
      // Text in any script with a space: what a token, id, code or number pattern refuses.
      const acceptsText = accepts(field.schema, 'Zoë Ødegård');
      if (acceptsText) {
        humanFields++;
        if (!sharedPatterns.has(String(field.schema.pattern)))
          problems.push(`${field.where}: takes text without a shared pattern (${String(field.schema.pattern)})`);
      }
      for (const value of disguised) {
        if (accepts(field.schema, value)) problems.push(`${field.where}: accepts ${JSON.stringify(value)}`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(humanFields >= 8, `found ${humanFields} human-readable fields`);
  });

  it('refuses a name with a right-to-left override or a zero-width space, and keeps names in any script', async (t) => {
    const testApp = await buildTestApp(t);
    const register = (name: string) =>
      testApp.app.inject({
        method: 'POST',
        url: '/api/v1/customers',
        payload: {
          name,
          email: `${Math.random().toString(36).slice(2)}@example.com`,
          password: 'correct horse battery staple',
        },
      });
    for (const name of ['Ada\u202eecalevoL', 'Ada\u200bLovelace']) {
      const response = await register(name);
      assert.equal(response.statusCode, 400, name);
      assert.equal(response.json().code, 'validation_failed');
      assert.deepEqual(
        response.json().errors.map((e: { pointer: string }) => e.pointer),
        ['/body/name'],
      );
    }
    for (const name of ['Zoë Ødegård', 'محمد علي', '李小龍', 'Ada 👩 King']) {
      assert.equal((await register(name)).statusCode, 201, name);
    }

    const customerId = await createCustomer(testApp.deps.db);
    const patch = await testApp.injectAs(customerId, {
      method: 'PATCH',
      url: '/api/v1/customers/me',
      payload: { name: 'Ada\u202eKing' },
    });
    assert.equal(patch.statusCode, 400);
    const payee = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/payees',
      payload: { name: 'Jane\u200bDoe', iban: 'DE89 3704 0044 0532 0130 00' },
    });
    assert.equal(payee.statusCode, 400);
    assert.equal(payee.json().errors[0].pointer, '/body/name');
    const account = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { type: 'savings', currency: 'EUR', name: 'Holiday\u202e' },
    });
    assert.equal(account.statusCode, 400);
  });

  it('refuses a disguised operator name on the command line', async (t) => {
    const database = await createTestDatabase();
    t.after(() => database.drop());
    const run = (name: string) =>
      spawnSync(
        process.execPath,
        [
          path.join(repositoryRoot, 'apps/api/src/cli/backoffice.ts'),
          'operator',
          'create',
          '--name',
          name,
          '--roles',
          'support',
        ],
        {
          env: { ...process.env, DATABASE_URL: database.url, REDIS_URL: testRedisUrl, NG_ENV: 'test' },
          encoding: 'utf8',
        },
      );
    const disguisedName = run('Alice\u202eecilA');
    assert.equal(disguisedName.status, 1, disguisedName.stderr);
    assert.match(disguisedName.stderr, /--name .*no control or format characters/);
    const plain = run('Zoë, payments desk');
    assert.equal(plain.status, 0, plain.stderr);
  });
});
