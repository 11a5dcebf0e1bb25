import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { bodyLimitBytes } from '../src/platform/constants.ts';
import { type IdKind, idPrefixes, newId } from '../src/platform/ids.ts';
import { createCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * /openapi.json is generated from the route schemas that validate requests. These tests hold the
 * document to what the routes really do: every status an operation can answer is documented with
 * its schema, every query and body is validated strictly, and probing each operation with bad
 * input, missing or wrong tokens, the wrong media type and an oversized body only ever produces
 * documented statuses whose bodies match their documented schema.
 */
interface MediaType {
  schema?: Record<string, unknown>;
}
interface Operation {
  tags?: string[];
  security?: unknown[];
  parameters?: { in: string; name: string; schema: { pattern?: string } }[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface DocumentedOperation {
  readonly path: string;
  readonly method: string;
  readonly operation: Operation;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const problemMediaType = 'application/problem+json';
/** The health probes are exempt from the rate limit (platform/rate-limit.ts); nothing else is. */
const rateLimitExemptPaths = new Set(['/healthz', '/readyz']);

async function documentedOperations(testApp: TestApp): Promise<DocumentedOperation[]> {
  const response = await testApp.app.inject({ url: '/openapi.json' });
  assert.equal(response.statusCode, 200);
  const paths = response.json().paths as Record<string, Record<string, Operation>>;
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
}

/** The hosted sign-in pages answer browsers with HTML; every other operation is a JSON API. */
const isPage = ({ operation }: DocumentedOperation) => operation.tags?.includes('sign-in') === true;

/** A URL for the operation with each path parameter filled by a well-formed id nobody owns. */
function urlOf({ path, operation }: DocumentedOperation): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const pattern = operation.parameters?.find((p) => p.in === 'path' && p.name === name)?.schema.pattern;
    assert.ok(pattern, `${path} documents the pattern of {${name}}`);
    const matches = (text: string) => new RegExp(pattern, 'u').test(text);
    const kinds = Object.keys(idPrefixes) as IdKind[];
    const id = kinds.map((kind) => newId(kind)).find(matches) ?? ['abcdef', 'a'.repeat(64)].find(matches);
    assert.ok(id, `an id for ${path} {${name}}`);
    return id;
  });
}

/** The error statuses any such operation can answer, whatever its own domain outcomes are. */
function statusesItCanAnswer({ path, method, operation }: DocumentedOperation): string[] {
  const statuses = ['400', '500', '503'];
  if (!rateLimitExemptPaths.has(path)) statuses.push('429');
  if (operation.security) statuses.push('401', '403');
  // Fastify reads the body of every POST, whether or not the route wants one.
  if (method === 'post') statuses.push('413', '415');
  if (!isPage({ path, method, operation }) && path.includes('{id}')) statuses.push('404');
  return statuses;
}

/** A body each body-taking operation accepts, so a probe of its query gets past body validation. */
const validBodies: Record<string, object> = {
  '/api/v1/customers': { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery staple' },
  '/api/v1/accounts': { type: 'savings', currency: 'EUR' },
  '/api/v1/payees': { name: 'Jane Doe', iban: 'DE89370400440532013000' },
  '/api/v1/transfers': {
    fromAccountId: newId('account'),
    to: { iban: 'DE89370400440532013000' },
    amount: { amount: '1.00', currency: 'EUR' },
  },
  '/backoffice/v1/credits': {
    accountId: newId('account'),
    amount: { amount: '1.00', currency: 'EUR' },
    description: 'Deposit',
  },
  '/backoffice/v1/approvals/{id}/reject': { reason: 'No ticket for this request' },
  '/backoffice/v1/fraud-reviews/{id}/reject': { freezeAccount: false },
  '/api/v1/me/kyc': {
    legalName: 'Ada Lovelace',
    documentType: 'passport',
    documentNumber: 'C01X00T47',
    issuingCountry: 'GB',
    expiresOn: '2036-05-31',
    dateOfBirth: '1990-12-10',
    nationality: 'GB',
  },
  '/backoffice/v1/customers/{id}/kyc/verify': { tier: 1, submissionId: newId('kycSubmission') },
  '/backoffice/v1/customers/{id}/kyc/reject': { reason: 'document_unreadable', submissionId: newId('kycSubmission') },
  '/backoffice/v1/customers/{id}/lock': { reason: 'Fraud case FR-4711' },
  '/backoffice/v1/customers/{id}/unlock': { reason: 'Fraud case FR-4711 closed' },
  '/backoffice/v1/customers/{id}/close': { reason: 'The customer ended the relationship' },
  '/backoffice/v1/customers/{id}/limit-overrides': {
    currency: 'EUR',
    perTransferMaximum: '5000.00',
    dailyMaximum: '8000.00',
    reason: 'Buying a car',
  },
  // Keyed by method too where one path takes bodies only on some methods.
  'patch /api/v1/customers/me': { name: 'Ada King' },
  '/api/v1/passkeys': {
    credential: {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' },
      clientExtensionResults: {},
    },
  },
  'patch /api/v1/passkeys/{id}': { name: 'My phone' },
  '/api/v1/budgets/{category}': { amount: { amount: '250.00', currency: 'EUR' } },
  '/api/v1/transactions/{id}/category': { category: 'groceries' },
};

describe('the OpenAPI document', () => {
  it('documents a problem+json schema for every error status each operation can answer', async (t) => {
    const operations = await documentedOperations(await buildTestApp(t));
    assert.ok(operations.length >= 19, `found ${operations.length} operations`);
    for (const entry of operations) {
      const name = `${entry.method.toUpperCase()} ${entry.path}`;
      const { responses } = entry.operation;
      for (const status of statusesItCanAnswer(entry)) {
        const schema = responses[status]?.content?.[problemMediaType]?.schema;
        assert.ok(schema, `${name} documents ${status} as ${problemMediaType}`);
        assert.ok((schema.required as string[]).includes('code'), `${name} ${status} carries a stable code`);
      }
      const success = Object.keys(responses).filter((status) => status.startsWith('2'));
      const redirects = Object.keys(responses).filter((status) => status.startsWith('3'));
      assert.ok(success.length + redirects.length > 0, `${name} documents its success`);
      for (const status of success) {
        // 204 No Content has, by definition, no body to describe.
        if (status === '204') {
          assert.equal(responses[status]?.content, undefined, `${name} 204 declares no body`);
          continue;
        }
        const content = Object.values(responses[status]?.content ?? {});
        assert.ok(content.length > 0 && content.every((media) => media.schema), `${name} ${status} has a schema`);
      }
    }
  });

  it('declares a strict JSON body schema for every API operation that takes one', async (t) => {
    const operations = (await documentedOperations(await buildTestApp(t))).filter((entry) => !isPage(entry));
    const posts = operations.filter((entry) => entry.method === 'post');
    assert.ok(posts.length >= 9, `found ${posts.length} POST operations`);
    for (const { path, operation } of posts) {
      const schema = operation.requestBody?.content['application/json']?.schema;
      assert.ok(schema, `POST ${path} declares its body`);
      assert.equal(schema.additionalProperties, false, `POST ${path} refuses unknown body fields`);
    }
  });

  it('refuses an unknown query parameter and an unknown body field on every API operation, naming it', async (t) => {
    const testApp = await buildTestApp(t);
    const operations = (await documentedOperations(testApp)).filter((entry) => !isPage(entry));
    for (const entry of operations) {
      const name = `${entry.method.toUpperCase()} ${entry.path}`;
      // Fastify checks the body before the query: only a valid body lets the query's problem show.
      const required = entry.operation.requestBody?.content['application/json']?.schema?.required;
      const validBody = validBodies[`${entry.method} ${entry.path}`] ?? validBodies[entry.path];
      assert.ok(validBody || !(Array.isArray(required) && required.length > 0), `validBodies has ${name}`);
      const query = await testApp.app.inject({
        method: entry.method.toUpperCase() as 'GET' | 'POST',
        url: `${urlOf(entry)}?unexpected=1`,
        ...(validBody ? { payload: validBody } : {}),
      });
      assert.equal(query.statusCode, 400, name);
      assert.equal(query.json().code, 'validation_failed', name);
      assert.ok(
        query.json().errors.some((e: { pointer: string }) => e.pointer === '/query/unexpected'),
        `${name} names the unknown query parameter`,
      );
      if (entry.method !== 'post') continue;
      const body = await testApp.app.inject({ method: 'POST', url: urlOf(entry), payload: { unexpected: 1 } });
      assert.equal(body.statusCode, 400, name);
      assert.ok(
        body.json().errors.some((e: { pointer: string }) => e.pointer === '/body/unexpected'),
        `${name} names the unknown body field`,
      );
    }
  });

  it('answers bad input, missing and wrong tokens, wrong media types and huge bodies only as documented', async (t) => {
    const testApp = await buildTestApp(t);
    const operations = await documentedOperations(testApp);
    const customerId = await createCustomer(testApp.deps.db);
    const customerToken = await testApp.customerToken(customerId);
    const operatorToken = await testApp.operatorToken();
    const callers: Record<string, (method: string, url: string) => Record<string, string>> = {
      anonymous: () => ({}),
      customer: (method, url) => testApp.dpopHeaders(customerToken, method, url),
      operator: () => ({ authorization: `Bearer ${operatorToken}` }),
    };
    const json = { 'content-type': 'application/json' };
    const probes: Record<string, { query?: string; postOnly?: boolean; headers?: object; payload?: string }> = {
      'an unknown query parameter': { query: '?unexpected=1' },
      'a well-formed request': {},
      'an empty JSON body': { postOnly: true, headers: json, payload: '{}' },
      'a text/plain body': { postOnly: true, headers: { 'content-type': 'text/plain' }, payload: 'hello' },
      'a body over the limit': { postOnly: true, headers: json, payload: `"${'x'.repeat(bodyLimitBytes)}"` },
    };
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const observed = new Set<number>();
    for (const entry of operations) {
      const method = entry.method.toUpperCase() as 'GET' | 'POST';
      for (const [caller, authenticate] of Object.entries(callers)) {
        for (const [what, probe] of Object.entries(probes)) {
          if (probe.postOnly && method !== 'POST') continue;
          const response = await testApp.app.inject({
            method,
            url: `${urlOf(entry)}${probe.query ?? ''}`,
            headers: { ...authenticate(method, urlOf(entry)), ...probe.headers },
            payload: probe.payload,
          });
          const name = `${method} ${entry.path} as ${caller} with ${what}: ${response.statusCode}`;
          observed.add(response.statusCode);
          const documented = entry.operation.responses[String(response.statusCode)];
          assert.ok(documented, `${name} is not documented`);
          const mediaType = String(response.headers['content-type'] ?? '').split(';')[0] ?? '';
          if (response.statusCode === 303 || response.statusCode === 204) continue;
          const schema = documented.content?.[mediaType]?.schema;
          assert.ok(schema, `${name} ${mediaType} is not documented`);
          if (mediaType === problemMediaType || mediaType === 'application/json') {
            assert.ok(ajv.validate(schema, response.json()), `${name} does not match its schema: ${ajv.errorsText()}`);
          }
        }
      }
    }
    // The probes reached every kind of refusal, so the checks above were not vacuous.
    for (const status of [200, 400, 401, 403, 404, 413, 415]) assert.ok(observed.has(status), `no probe got ${status}`);
  });
});
