import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { InjectOptions } from 'fastify';
import { badRequest } from '../src/platform/errors.ts';
import { apiOperations } from './fuzz/operations.ts';
import { fuzzOperationAs } from './fuzz/runner.ts';
import { buildTestApp } from './helper.ts';

/**
 * The fuzz machinery must be able to fail. Each test plants one fault in a route of its own on the
 * real app (a crash on a quote, a write before a refusal, a refusal that is not problem+json, a
 * cursor decoder that throws on an impossible date: the defect the fuzz found in issue 3's code)
 * and runs the same runner fuzz.test.ts uses, which must report that fault by name.
 */
const noteBody = {
  type: 'object',
  required: ['note'],
  additionalProperties: false,
  properties: { note: { type: 'string', maxLength: 300 } },
} as const;

async function appWithTraps(t: TestContext) {
  const testApp = await buildTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  const { app, deps } = testApp;
  await deps.db.exec('CREATE TABLE fuzz_trap_marks (note text NOT NULL)');
  app.post('/test/trap-crash', { schema: { body: noteBody } }, async (request) => {
    const { note } = request.body as { note: string };
    if (note.includes("'")) throw new Error('planted: a quote reached a string-built query');
    return { ok: true };
  });
  app.post('/test/trap-write', { schema: { body: noteBody } }, async (request) => {
    const { note } = request.body as { note: string };
    if (note.includes('<')) {
      await deps.db.query('INSERT INTO fuzz_trap_marks (note) VALUES ($1)', [note]);
      throw badRequest('planted_refusal', 'Planted: refused after writing.');
    }
    return { ok: true };
  });
  app.post('/test/trap-format', { schema: { body: noteBody } }, async (request, reply) => {
    const { note } = request.body as { note: string };
    if (note.includes('%')) return reply.code(400).type('application/json').send({ error: 'bad note' });
    return { ok: true };
  });
  app.get(
    '/test/trap-cursor',
    { schema: { querystring: { type: 'object', properties: { cursor: { type: 'string', maxLength: 200 } } } } },
    async (request) => {
      const { cursor } = request.query as { cursor?: string };
      const time = cursor ? Buffer.from(cursor, 'base64url').toString('utf8').split('|')[0] : undefined;
      // The planted defect: toISOString throws a RangeError on an impossible date.
      return { after: time ? new Date(`${time}Z`).toISOString() : null };
    },
  );
  return testApp;
}

async function fuzzOnly(t: TestContext, name: string): Promise<unknown> {
  const testApp = await appWithTraps(t);
  const operation = (await apiOperations(testApp.app)).find((candidate) => candidate.name === name);
  assert.ok(operation, `${name} is in /openapi.json`);
  const send = (options: InjectOptions) => testApp.app.inject(options);
  return fuzzOperationAs(testApp, operation, 'anonymous', send, { knownIds: [] }, new Map());
}

describe('the fuzz runner', () => {
  it('reports a 500, naming the operation and the input', async (t) => {
    await assert.rejects(
      fuzzOnly(t, 'POST /test/trap-crash'),
      /POST \/test\/trap-crash as anonymous answered 500[\s\S]*input: \[body \/note/,
    );
  });

  it('reports a refusal that changed a table, naming the table', async (t) => {
    await assert.rejects(
      fuzzOnly(t, 'POST /test/trap-write'),
      /answered 400 planted_refusal but changed fuzz_trap_marks/,
    );
  });

  it('reports a 4xx that is not problem+json', async (t) => {
    await assert.rejects(
      fuzzOnly(t, 'POST /test/trap-format'),
      /answered 400 as application\/json, not application\/problem\+json/,
    );
  });

  it('finds a cursor decoder that throws on an impossible date', async (t) => {
    await assert.rejects(fuzzOnly(t, 'GET /test/trap-cursor'), /answered 500[\s\S]*query cursor/);
  });
});
