import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { operatorRoles } from '../src/backoffice/roles.ts';
import { type BankCustomer, bankCustomer } from './fuzz/bank-customer.ts';
import { type ApiOperation, apiOperations, fillPath, type JsonSchema } from './fuzz/operations.ts';
import { changedTables, stateSnapshot, tablesRememberingRefusals } from './fuzz/state.ts';
import { exampleValue, idKindOf } from './fuzz/values.ts';
import { buildTestApp, type TestApp } from './helper.ts';
import { signedInOperator } from './operators.ts';

/**
 * The IDOR matrix. Two customers, Alice and Bob, each hold one of every resource the API offers
 * (fuzz/bank-customer.ts). Every customer operation in /openapi.json that names a resource by id
 * (a path parameter, a query parameter or a body field whose pattern is an id kind) is called as
 * Alice with Bob's id there and Alice's own ids everywhere else: it must answer 404, as for an id
 * that does not exist (a 403 would tell Alice the id is real), and change nothing. A new route is
 * covered the moment it is declared; an id kind Bob does not hold fails the test until
 * bank-customer.ts learns to create one. Operator routes refuse customers and customer routes
 * refuse operators, with 403.
 */
interface IdLocation {
  /** `/path/id`, `/query/accountId`, `/body/to/accountId`. */
  readonly pointer: string;
  readonly kind: string;
}

/** Every place an operation takes an id, found from its schemas. */
function idLocations(operation: ApiOperation): IdLocation[] {
  // A cursor is a position in the caller's own list, compared and never looked up (sessions use
  // an id as the position), so another customer's id there selects nothing of theirs.
  const parameters = [
    ...operation.pathParameters,
    ...operation.queryParameters.filter((p) => p.name !== 'cursor'),
  ].flatMap((parameter) => {
    const kind = idKindOf(parameter.schema);
    return kind ? [{ pointer: `/${parameter.in}/${parameter.name}`, kind }] : [];
  });
  const inBody = (schema: JsonSchema, at: string): IdLocation[] => {
    const kind = idKindOf(schema);
    if (kind) return [{ pointer: at, kind }];
    const alternatives = [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
    return [
      ...alternatives.flatMap((alternative) => inBody(alternative, at)),
      ...Object.entries(schema.properties ?? {}).flatMap(([name, property]) => inBody(property, `${at}/${name}`)),
    ];
  };
  return [...parameters, ...(operation.body ? inBody(operation.body.schema, '/body') : [])];
}

/**
 * Operations whose request must be more than the schema's example for the check to mean anything.
 * A transfer above the step-up threshold (500.00) to a payee paid for the first time (Bob, by his
 * IBAN: paying someone is not reaching into their resources) needs a step-up,
 * so Bob's challenge is really verified. A case's own pointers replace these where they overlap.
 */
const exampleOverrides = (payeeIban: string): Readonly<Record<string, Readonly<Record<string, unknown>>>> => ({
  'POST /api/v1/transfers': { '/body/amount/amount': '600.00', '/body/to': { iban: payeeIban } },
});

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/** A valid request for the operation with `ids` everywhere and `overrides` (by pointer) in place. */
function exampleRequest(
  operation: ApiOperation,
  idsByKind: BankCustomer['idsByKind'],
  payeeIban: string,
  overrides: ReadonlyMap<string, unknown> = new Map(),
): InjectOptions {
  const fixed = Object.entries(exampleOverrides(payeeIban)[operation.name] ?? {}).filter(
    ([pointer]) => ![...overrides.keys()].some((target) => overlaps(pointer, target)),
  );
  const all = new Map([...fixed, ...overrides]);
  const under = (root: string) =>
    new Map([...all].filter(([pointer]) => pointer.startsWith(`${root}/`)).map(([p, v]) => [p.slice(root.length), v]));
  const textAt = (root: string, name: string, schema: JsonSchema) =>
    String(all.get(`${root}/${name}`) ?? exampleValue(schema, idsByKind));
  const segments = Object.fromEntries(
    operation.pathParameters.map((p) => [p.name, encodeURIComponent(textAt('/path', p.name, p.schema))]),
  );
  const query = new URLSearchParams(
    operation.queryParameters
      .filter((p) => p.required || all.has(`/query/${p.name}`))
      .map((p): [string, string] => [p.name, textAt('/query', p.name, p.schema)]),
  ).toString();
  const headers: Record<string, string> = Object.fromEntries(
    operation.headerParameters.map((p) => [
      p.name,
      p.name === 'idempotency-key' ? `idor-${randomBytes(8).toString('hex')}` : textAt('/header', p.name, p.schema),
    ]),
  );
  const body = operation.body ? exampleValue(operation.body.schema, idsByKind, under('/body')) : undefined;
  const path = fillPath(operation.path, segments);
  return {
    method: operation.method as InjectOptions['method'],
    url: query ? `${path}?${query}` : path,
    headers: operation.body ? { ...headers, 'content-type': operation.body.mediaType } : headers,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  };
}

/**
 * Bob's id for the location, as Alice would send it. A step-up challenge is not looked up as
 * Alice's resource but verified: she sends Bob's challenge approved with her own passkey.
 */
function bobsValueAt(location: IdLocation, alice: BankCustomer, bob: BankCustomer): Map<string, unknown> | undefined {
  const bobsId = bob.idsByKind[location.kind]?.[0];
  if (!bobsId) return undefined;
  if (location.kind === 'sup' && location.pointer.endsWith('/challengeId')) {
    const credentialId = alice.authenticator.credentialIds()[0];
    const assertion = alice.authenticator.getAssertion(bob.stepUp.publicKey, { credentialId });
    const approval = { challengeId: bobsId, assertion };
    return new Map([[location.pointer.slice(0, -'/challengeId'.length), approval]]);
  }
  return new Map([[location.pointer, bobsId]]);
}

function problemCode(response: LightMyRequestResponse): string | undefined {
  if (!String(response.headers['content-type']).startsWith('application/problem+json')) return undefined;
  return (response.json() as { code?: string }).code;
}

/** Why Alice's answer breaks the rule, or undefined. */
function idorVerdict(location: IdLocation, response: LightMyRequestResponse, bob: BankCustomer): string | undefined {
  const code = problemCode(response);
  if (code === undefined) return `answered ${response.statusCode} without problem+json: ${response.body.slice(0, 200)}`;
  if (location.kind === 'sup') {
    if (response.statusCode < 400 || !code.startsWith('step_up_')) return `answered ${response.statusCode} ${code}`;
  } else if (response.statusCode !== 404) return `answered ${response.statusCode} ${code}, not 404`;
  if (response.body.includes(bob.iban) || response.body.includes(bob.customerId)) return "showed Bob's details";
  return undefined;
}

async function sendAsOperator(testApp: TestApp, authorization: string, options: InjectOptions) {
  return testApp.app.inject({ ...options, headers: { ...options.headers, authorization } });
}

describe('the IDOR matrix (every operation of /openapi.json that takes an id)', () => {
  it("answers 404 and changes nothing when a customer names another customer's resource", async (t) => {
    const testApp = await buildTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
    const alice = await bankCustomer(testApp, 'Alice Able');
    const bob = await bankCustomer(testApp, 'Bob Baker');
    const operations = (await apiOperations(testApp.app)).filter((operation) => operation.audience === 'customer');
    const cases = operations.flatMap((operation) =>
      idLocations(operation).map((location) => ({ operation, location })),
    );
    assert.ok(cases.length >= 12, `only ${cases.length} id-taking customer operations found`);
    const failures: string[] = [];
    for (const { operation, location } of cases) {
      const name = `${operation.name} ${location.pointer}`;
      const bobs = bobsValueAt(location, alice, bob);
      if (!bobs) {
        failures.push(`${name}: Bob holds no ${location.kind}_ resource; teach test/fuzz/bank-customer.ts to make one`);
        continue;
      }
      const request = exampleRequest(operation, alice.idsByKind, bob.iban, bobs);
      const before = await stateSnapshot(testApp.deps.db);
      const response = await testApp.injectAs(alice.customerId, request);
      const remembered = request.headers?.['idempotency-key'] ? tablesRememberingRefusals : [];
      const changed = changedTables(before, await stateSnapshot(testApp.deps.db)).filter(
        (table) => !remembered.includes(table),
      );
      const wrong = idorVerdict(location, response, bob);
      if (wrong) failures.push(`${name} as Alice with Bob's ${location.kind}_ id ${wrong}`);
      if (changed.length > 0) failures.push(`${name} as Alice with Bob's ${location.kind}_ id changed ${changed}`);
      // Control for reads: the same request with Alice's own id succeeds, so the 404 came from ownership.
      if (operation.method === 'GET') {
        const own = await testApp.injectAs(alice.customerId, exampleRequest(operation, alice.idsByKind, bob.iban));
        if (own.statusCode !== 200)
          failures.push(`${name} with Alice's own id answered ${own.statusCode}: the probe is broken`);
      }
    }
    t.diagnostic(
      `${cases.length} id inputs checked: ${cases.map((c) => `${c.operation.name} ${c.location.pointer}`).join(', ')}`,
    );
    assert.deepEqual(failures, [], failures.join('\n'));
  });

  it("shows none of another customer's ids or account number in any list, profile or export", async (t) => {
    const testApp = await buildTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
    const alice = await bankCustomer(testApp, 'Alice Able');
    const bob = await bankCustomer(testApp, 'Bob Baker');
    const reads = (await apiOperations(testApp.app)).filter(
      (operation) =>
        operation.audience === 'customer' && operation.method === 'GET' && operation.pathParameters.length === 0,
    );
    assert.ok(reads.length >= 5, `only ${reads.length} customer reads found`);
    const bobs = [...Object.values(bob.idsByKind).flat(), bob.iban];
    const failures: string[] = [];
    for (const operation of reads) {
      const response = await testApp.injectAs(alice.customerId, exampleRequest(operation, alice.idsByKind, bob.iban));
      if (response.statusCode !== 200) failures.push(`${operation.name} answered Alice ${response.statusCode}`);
      const shown = bobs.filter((value) => response.body.includes(value));
      if (shown.length > 0) failures.push(`${operation.name} showed Alice Bob's ${shown.join(', ')}`);
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });

  it('refuses customers on operator routes and operators on customer routes with 403, and strangers with 401', async (t) => {
    const testApp = await buildTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
    const alice = await bankCustomer(testApp, 'Alice Able');
    const operator = await signedInOperator(testApp, operatorRoles);
    const operations = await apiOperations(testApp.app);
    const failures: string[] = [];
    for (const operation of operations.filter((o) => o.audience !== 'public')) {
      const request = exampleRequest(operation, { ...alice.idsByKind, opr: [operator.id] }, alice.iban);
      const wrongCaller =
        operation.audience === 'operator'
          ? await testApp.injectAs(alice.customerId, request)
          : await sendAsOperator(testApp, operator.authorization, request);
      const stranger = await testApp.app.inject(request);
      const who = operation.audience === 'operator' ? 'a customer' : 'an operator';
      if (wrongCaller.statusCode !== 403 || !problemCode(wrongCaller)) {
        failures.push(
          `${operation.name} as ${who} answered ${wrongCaller.statusCode}: ${wrongCaller.body.slice(0, 160)}`,
        );
      }
      if (stranger.statusCode !== 401 || !problemCode(stranger)) {
        failures.push(
          `${operation.name} without a token answered ${stranger.statusCode}: ${stranger.body.slice(0, 160)}`,
        );
      }
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });
});
