import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { operatorRoles } from '../src/backoffice/roles.ts';
import { bankCustomer } from './fuzz/bank-customer.ts';
import { apiOperations } from './fuzz/operations.ts';
import type { Caller } from './fuzz/requests.ts';
import { fuzzOidcEndpoint, fuzzOperationAs, type Send } from './fuzz/runner.ts';
import type { ValueContext } from './fuzz/values.ts';
import { buildTestApp } from './helper.ts';
import { signedInOperator } from './operators.ts';

/**
 * The API fuzz test. For every operation in the app's own /openapi.json (so routes added later are
 * fuzzed without touching this file), as an anonymous caller, a signed-in customer, a back-office
 * operator with every role and the back-office automation client, fast-check draws valid requests from the operation's schemas and breaks them with
 * hostile input (fuzz/hostile.ts). Every answer must be below 500; every 4xx must be
 * application/problem+json with a stable `code` (sign-in pages may answer a documented HTML page);
 * and a 4xx must leave every table of the database exactly as it was.
 *
 * Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> FUZZ_ONLY='<operation>' node
 * scripts/test.ts apps/api/test/fuzz.test.ts. FUZZ_RUNS multiplies the number of runs.
 */
const only = process.env.FUZZ_ONLY;

describe('the API under hostile input (fuzzed from /openapi.json)', () => {
  it('never answers 5xx, answers each 4xx as problem+json with a code, and changes nothing on a 4xx', async (t) => {
    const testApp = await buildTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
    const operations = (await apiOperations(testApp.app)).filter((operation) => !only || operation.name === only);
    assert.ok(operations.length > 0, `no operation matches FUZZ_ONLY=${only}`);
    // The customer holds one of everything and the operator every role, so ids and roles reach past the door.
    const customer = await bankCustomer(testApp, 'Fuzz Customer');
    const customerId = customer.customerId;
    const context: ValueContext = { knownIds: Object.values(customer.idsByKind).flat(), idsByKind: customer.idsByKind };
    const operator = await signedInOperator(testApp, operatorRoles);
    const automation = `Bearer ${await testApp.operatorToken()}`;
    const callers: Record<Caller, Send> = {
      anonymous: (options) => testApp.app.inject(options),
      customer: (options) => testApp.injectAs(customerId, options),
      operator: (options) =>
        testApp.app.inject({ ...options, headers: { ...options.headers, authorization: operator.authorization } }),
      automation: (options) =>
        testApp.app.inject({ ...options, headers: { ...options.headers, authorization: automation } }),
    };
    const observed = new Map<number, number>();
    for (const operation of operations) {
      for (const caller of Object.keys(callers) as Caller[]) {
        await t.test(`${operation.name} as ${caller}`, async () => {
          await fuzzOperationAs(testApp, operation, caller, callers[caller], context, observed);
        });
      }
    }
    t.diagnostic(`answers by status: ${JSON.stringify(Object.fromEntries(observed))}`);
    // The inputs reached past validation to the handlers, so the checks above were not vacuous.
    if (!only)
      for (const status of [200, 201, 400, 401, 403, 404]) assert.ok(observed.has(status), `no run got ${status}`);
  });

  it('answers hostile requests to the authorization server (outside /openapi.json) without 5xx or change', async (t) => {
    const testApp = await buildTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
    const discovery = await testApp.app.inject({ url: '/oidc/.well-known/openid-configuration' });
    assert.equal(discovery.statusCode, 200);
    const endpoints = Object.entries(discovery.json() as Record<string, unknown>)
      .filter(([key, value]) => (key.endsWith('_endpoint') || key === 'jwks_uri') && typeof value === 'string')
      .map(([, value]) => new URL(String(value)).pathname);
    assert.ok(endpoints.length >= 5, `discovery names ${endpoints.join(', ')}`);
    for (const path of endpoints) await t.test(path, () => fuzzOidcEndpoint(testApp, path));
  });
});
