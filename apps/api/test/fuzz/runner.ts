import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../helper.ts';
import { oidcRequests } from './oidc.ts';
import type { ApiOperation } from './operations.ts';
import { aimedSweep, type Caller, describeRequest, type FuzzRequest, fuzzRequests } from './requests.ts';
import { changedTables, type StateSnapshot, stateSnapshot, tablesRememberingRefusals } from './state.ts';
import type { ValueContext } from './values.ts';

/**
 * Runs the fuzz against one operation as one caller and judges every answer: below 500; every 4xx
 * application/problem+json with a stable `code` (sign-in pages may answer a documented HTML page);
 * and a 4xx leaves every table exactly as it was. fuzz.test.ts runs it on the whole API;
 * fuzz-harness.test.ts runs it on planted faults to prove it catches them.
 */
const baseSeed = Number(process.env.FUZZ_SEED ?? 20_261_126);
const runsFactor = Number(process.env.FUZZ_RUNS ?? 1);

/**
 * Runs per operation and caller. The operation's own audience gets the most, plus more for each
 * parameter and body field it takes, so every input meets its aimed hostile values; other callers
 * are mostly refused at the door and need fewer.
 */
const runsForAudience = 16;
const runsPerInput = 4;
const runsForAudienceMax = 48;
const runsForOthers = 4;

const problemMediaType = 'application/problem+json';

/**
 * Tables a refusal may change, by problem code, each for a documented reason. A refused request
 * changes nothing else; an entry here is a design decision, not a way to quiet a finding.
 */
const changesAllowedOnRefusal: Readonly<Record<string, readonly string[]>> = {
  // The refusal carries a new passkey challenge for the customer to approve (identity/step-up.ts).
  step_up_required: ['step_up_challenges'],
  // A refused back-office request is itself audited (backoffice/guard.ts, ADR 0042 amendment).
  operator_role_missing: ['audit_pending'],
  operator_disabled: ['audit_pending'],
  backoffice_automation_disabled: ['audit_pending'],
};

function tablesAllowedToChange(request: FuzzRequest, code: string): readonly string[] {
  const remembered = request.headers['idempotency-key'] !== undefined ? tablesRememberingRefusals : [];
  return [...remembered, ...(changesAllowedOnRefusal[code] ?? [])];
}

export type Send = (options: InjectOptions) => Promise<LightMyRequestResponse>;

/** Derives a seed per operation and caller, so one operation's runs do not shift when another is added. */
function seedFor(operation: ApiOperation, caller: Caller): number {
  return createHash('sha256').update(`${baseSeed}:${operation.name}:${caller}`).digest().readInt32BE(0);
}

function runsFor(operation: ApiOperation, caller: Caller): number {
  const own =
    (operation.audience === 'public' && caller === 'anonymous') ||
    (operation.audience === 'operator' && caller === 'automation') ||
    (operation.audience !== 'public' && operation.audience === caller);
  const inputs =
    operation.pathParameters.length +
    operation.queryParameters.length +
    Object.keys(operation.body?.schema.properties ?? {}).length;
  const runs = own ? Math.min(runsForAudienceMax, runsForAudience + runsPerInput * inputs) : runsForOthers;
  return Math.max(1, Math.round(runs * runsFactor));
}

interface Outcome {
  readonly request: FuzzRequest;
  readonly response: LightMyRequestResponse;
  readonly changed: readonly string[];
}

/** Why the answer breaks a rule, or undefined when it keeps them all. */
function verdict(operation: ApiOperation, { request, response, changed }: Outcome): string | undefined {
  const status = response.statusCode;
  const mediaType = String(response.headers['content-type'] ?? '').split(';')[0];
  if (status >= 500) return `answered ${status}: ${response.body.slice(0, 300)}`;
  if (status < 400) return undefined;
  const htmlPage = operation.isPage && mediaType === 'text/html' && operation.responses[status]?.content?.['text/html'];
  if (!htmlPage) {
    if (mediaType !== problemMediaType) return `answered ${status} as ${mediaType}, not ${problemMediaType}`;
    const problem = response.json() as { code?: unknown; status?: unknown };
    if (typeof problem.code !== 'string' || problem.code === '') return `answered ${status} without a code`;
    if (problem.status !== status) return `answered ${status} with a problem saying status ${problem.status}`;
    const allowed = tablesAllowedToChange(request, problem.code);
    const unexpected = changed.filter((table) => !allowed.includes(table));
    if (unexpected.length > 0) return `answered ${status} ${problem.code} but changed ${unexpected.join(', ')}`;
    return undefined;
  }
  return changed.length > 0 ? `answered ${status} but changed ${changed.join(', ')}` : undefined;
}

/**
 * Sends fuzz requests as one caller and judges each answer against the database state before it.
 * The snapshot is retaken after every request, so a 2xx's legitimate change never blames the next one.
 */
async function createJudge(
  testApp: TestApp,
  operation: ApiOperation,
  caller: Caller,
  send: Send,
  observed: Map<number, number>,
) {
  const db = testApp.deps.db;
  let before: StateSnapshot = await stateSnapshot(db);
  return async (request: FuzzRequest): Promise<void> => {
    const response = await send({
      method: request.method as InjectOptions['method'],
      url: request.url,
      headers: request.headers,
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
    observed.set(response.statusCode, (observed.get(response.statusCode) ?? 0) + 1);
    const after = await stateSnapshot(db);
    const changed = response.statusCode >= 400 ? changedTables(before, after) : [];
    before = after;
    const problem = verdict(operation, { request, response, changed });
    assert.equal(problem, undefined, `${operation.name} as ${caller} ${problem}\n  input: ${describeRequest(request)}`);
  };
}

async function fuzzOperation(
  judge: (request: FuzzRequest) => Promise<void>,
  operation: ApiOperation,
  caller: Caller,
  context: ValueContext,
): Promise<void> {
  const seed = seedFor(operation, caller);
  try {
    await fc.assert(fc.asyncProperty(fuzzRequests(operation, caller, context), judge), {
      seed,
      numRuns: runsFor(operation, caller),
      endOnFailure: true,
    });
  } catch (error) {
    const reproduce = `reproduce: FUZZ_SEED=${baseSeed} FUZZ_ONLY='${operation.name}' (fast-check seed ${seed})`;
    // fast-check keeps the property's own assertion (what was wrong, with the input) as the cause.
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : '';
    throw new Error(`${cause}\n${(error as Error).message}\n${reproduce}`);
  }
}

/** Every aimed value at every input, once; all failures are listed, not just the first. */
async function sweepOperation(
  judge: (request: FuzzRequest) => Promise<void>,
  operation: ApiOperation,
  context: ValueContext,
): Promise<void> {
  const failures: string[] = [];
  for (const request of aimedSweep(operation, context)) {
    await judge(request).catch((error: Error) => failures.push(error.message));
  }
  assert.deepEqual(failures, [], failures.join('\n'));
}

/** The caller an operation is written for: the one whose requests get past authentication. */
export function ownCaller(operation: ApiOperation): Caller {
  return operation.audience === 'public' ? 'anonymous' : operation.audience;
}

/** Random runs, then (for the operation's own caller) the aimed sweep, on one judge. */
export async function fuzzOperationAs(
  testApp: TestApp,
  operation: ApiOperation,
  caller: Caller,
  send: Send,
  context: ValueContext,
  observed: Map<number, number>,
): Promise<void> {
  const judge = await createJudge(testApp, operation, caller, send, observed);
  await fuzzOperation(judge, operation, caller, context);
  if (caller === ownCaller(operation)) await sweepOperation(judge, operation, context);
}

/** Runs per authorization-server endpoint. */
const runsPerOidcEndpoint = 40;

/**
 * The authorization server's endpoints answer OAuth errors, not problem+json (RFC 6749 §5.2), so
 * they are held to the rules that do not depend on the error format: no 5xx, no change on a 4xx.
 */
export async function fuzzOidcEndpoint(testApp: TestApp, path: string): Promise<void> {
  const db = testApp.deps.db;
  let before: StateSnapshot = await stateSnapshot(db);
  const seed = createHash('sha256').update(`${baseSeed}:oidc:${path}`).digest().readInt32BE(0);
  const property = fc.asyncProperty(oidcRequests(path), async (request) => {
    const response = await testApp.app.inject({
      method: request.method as InjectOptions['method'],
      url: request.url,
      headers: request.headers,
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
    const after = await stateSnapshot(db);
    const changed = response.statusCode >= 400 ? changedTables(before, after) : [];
    before = after;
    const name = `${request.method} ${path} answered ${response.statusCode}`;
    assert.ok(response.statusCode < 500, `${name}: ${response.body.slice(0, 300)}\n  input: ${String(request)}`);
    assert.deepEqual(changed, [], `${name} but changed ${changed.join(', ')}\n  input: ${String(request)}`);
  });
  try {
    await fc.assert(property, { seed, numRuns: Math.round(runsPerOidcEndpoint * runsFactor), endOnFailure: true });
  } catch (error) {
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : '';
    throw new Error(
      `${cause}\n${(error as Error).message}\nreproduce: FUZZ_SEED=${baseSeed} (fast-check seed ${seed})`,
    );
  }
}
