import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  encodeUrlText,
  freeTextSweep,
  hostileAuthorizations,
  hostileContentTypes,
  hostileCursors,
  hostileIdempotencyKeys,
  hostileNumbers,
  hostileRawBodies,
  hostileRawSegments,
  hostileStrings,
  hostileStructures,
  hostileTimestamps,
  idsOfEveryKind,
  isSendableHeader,
  numericStrings,
  RawJson,
} from './hostile.ts';
import { type ApiOperation, fillPath, type JsonSchema } from './operations.ts';
import { exampleValue, type ValueContext, validValue } from './values.ts';

/**
 * Fuzz requests for one operation: a valid request drawn from the operation's schemas, then zero,
 * one or two parts of it broken with hostile input (hostile.ts). Each request says what was broken,
 * so a failure names the input, and fast-check's seed and path replay it exactly.
 */
/**
 * Who sends: nobody signed in, a customer, a named back-office operator holding every role, or the
 * shared back-office automation client (acts without four-eyes where BACKOFFICE_AUTOMATION allows).
 */
export type Caller = 'anonymous' | 'customer' | 'operator' | 'automation';

export interface FuzzRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: string | undefined;
  /** What was broken, in order: `body /amount/amount ← "1e309"`; empty for a valid request. */
  readonly mutations: readonly string[];
}

/** A request being built: path segments and query values are already percent-encoded. */
interface Draft {
  readonly segments: Readonly<Record<string, string>>;
  readonly query: readonly (readonly [string, string])[];
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON or form body as a value (undefined: none), unless `rawBody` replaces it. */
  readonly body: unknown;
  readonly rawBody: string | undefined;
  readonly mutations: readonly string[];
}

type Mutation = (draft: Draft) => Draft;
type Path = readonly (string | number)[];

const previewLengthMax = 60;

export function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : jsonText(value);
  return text.length <= previewLengthMax ? text : `${text.slice(0, previewLengthMax)}… (${text.length} chars)`;
}

/** JSON text of a value that may hold RawJson numbers and own `__proto__` keys. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function formText(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return encodeUrlText(jsonText(value));
  return Object.entries(value)
    .map(([key, item]) => `${encodeUrlText(key)}=${encodeUrlText(typeof item === 'string' ? item : jsonText(item))}`)
    .join('&');
}

/** Every node of a value with its location, root included (`[]`). */
function locations(value: unknown, at: Path = []): Path[] {
  const here = [at];
  if (Array.isArray(value)) return here.concat(value.flatMap((item, index) => locations(item, [...at, index])));
  if (value !== null && typeof value === 'object' && !(value instanceof RawJson)) {
    return here.concat(Object.entries(value).flatMap(([key, item]) => locations(item, [...at, key])));
  }
  return here;
}

const pointerOf = (path: Path) => (path.length === 0 ? '/' : `/${path.join('/')}`);

/** A copy of `value` with the node at `path` replaced (`undefined` removes it). */
function replaced(value: unknown, path: Path, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  // An earlier mutation may have removed or replaced the parent: rebuild it as an object.
  if (value === null || typeof value !== 'object' || value instanceof RawJson) return replaced({}, path, replacement);
  if (Array.isArray(value)) {
    const copy = [...value];
    if (replacement === undefined && rest.length === 0) copy.splice(Number(head), 1);
    else copy[Number(head)] = replaced(value[Number(head)], rest, replacement);
    return copy;
  }
  const entries = Object.entries(value).filter(
    ([key]) => !(key === head && replacement === undefined && rest.length === 0),
  );
  const object = Object.fromEntries(entries);
  if (replacement !== undefined || rest.length > 0) {
    Object.defineProperty(object, head, {
      value: replaced((value as Record<string, unknown>)[head], rest, replacement),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

const withMutation = (draft: Draft, label: string, change: Partial<Draft>): Draft => ({
  ...draft,
  ...change,
  mutations: [...draft.mutations, label],
});

/** Any hostile value a JSON field might receive, plus random ones. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...hostileStrings),
  fc.constantFrom(...hostileNumbers),
  fc.constantFrom(...hostileStructures),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => new RawJson(n.toString())),
);

/** The schema of the node at `path` in a value valid against `schema` (first matching alternative). */
function schemaAt(schema: JsonSchema | undefined, path: Path): JsonSchema | undefined {
  const [head, ...rest] = path;
  if (schema === undefined || head === undefined) return schema;
  const alternatives = [schema, ...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])];
  for (const alternative of alternatives) {
    const next = typeof head === 'number' ? alternative.items : alternative.properties?.[head];
    if (next) return schemaAt(next, rest);
  }
  return undefined;
}

const lastKey = (path: Path) => String(path[path.length - 1] ?? '');

/**
 * Hostile text aimed at what a field is, by its schema and name: forged cursors at cursors,
 * impossible dates at timestamps, overflowing numbers at numbers and amounts, wrong ids at ids.
 * Free text gets one representative of each attack (freeTextSweep); other types get none.
 */
export function aimedValuesFor(name: string, schema: JsonSchema | undefined): readonly string[] | undefined {
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  if (/cursor/i.test(name)) return hostileCursors;
  if (schema?.format === 'date-time' || schema?.format === 'date') return hostileTimestamps;
  if (type === 'integer' || type === 'number' || /amount|limit|balance/i.test(name)) return numericStrings;
  if (/^\^[a-z]{3}_/.test(schema?.pattern ?? '') || /id$/i.test(name)) {
    return [...idsOfEveryKind(), ...hostileRawSegments.map((segment) => decodeURIComponentSafe(segment))];
  }
  if (type === 'string') return freeTextSweep;
  return undefined;
}

/** Random runs would rarely pick the aimed values out of the whole catalogue; weighting makes them common. */
function hostileTextFor(name: string, schema: JsonSchema | undefined): fc.Arbitrary<string> {
  const catalogue = fc.constantFrom(...hostileStrings);
  const values = aimedValuesFor(name, schema);
  return values ? fc.oneof({ arbitrary: fc.constantFrom(...values), weight: 3 }, catalogue) : catalogue;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Mutations that put a value aimed at one field, parameter or path segment: drawn three times as
 * often as the others (raw bodies, headers), since that is where handlers parse, look up and store.
 */
const aimedMutations = new WeakSet<fc.Arbitrary<Mutation>>();
function aimed(mutation: fc.Arbitrary<Mutation>): fc.Arbitrary<Mutation> {
  aimedMutations.add(mutation);
  return mutation;
}

const hostileKeys = ['unexpected', '__proto__', 'constructor', 'prototype', '$where', '', '\u0000', 'a'.repeat(300)];

function bodyMutations(operation: ApiOperation, draft: Draft): fc.Arbitrary<Mutation>[] {
  if (draft.body === undefined) return [];
  const all = locations(draft.body);
  const inner = all.filter((path) => path.length > 0);
  const objects = all.filter((path) => {
    const node = path.reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], draft.body);
    return node !== null && typeof node === 'object' && !Array.isArray(node);
  });
  const mutations: fc.Arbitrary<Mutation>[] = [
    aimed(
      fc
        .constantFrom(...all)
        .chain((path) =>
          fc.tuple(
            fc.constant(path),
            fc.oneof(hostileValue, hostileTextFor(lastKey(path), schemaAt(operation.body?.schema, path))),
          ),
        )
        .map(
          ([path, value]) =>
            (d: Draft) =>
              withMutation(d, `body ${pointerOf(path)} ← ${preview(value)}`, { body: replaced(d.body, path, value) }),
        ),
    ),
  ];
  if (inner.length > 0) {
    mutations.push(
      fc
        .constantFrom(...inner)
        .map(
          (path) => (d: Draft) =>
            withMutation(d, `body ${pointerOf(path)} removed`, { body: replaced(d.body, path, undefined) }),
        ),
    );
  }
  if (objects.length > 0) {
    mutations.push(
      fc.tuple(fc.constantFrom(...objects), fc.constantFrom(...hostileKeys), hostileValue).map(
        ([path, key, value]) =>
          (d: Draft) =>
            withMutation(d, `body ${pointerOf([...path, key])} added ← ${preview(value)}`, {
              body: replaced(d.body, [...path, key], value),
            }),
      ),
    );
  }
  return mutations;
}

function rawBodyMutations(operation: ApiOperation): fc.Arbitrary<Mutation>[] {
  if (operation.method === 'GET') return [];
  const mediaType = operation.body?.mediaType ?? 'application/json';
  return [
    fc.constantFrom(...hostileRawBodies).map(
      (text) => (d: Draft) =>
        withMutation(d, `whole body ← ${preview(text)}`, {
          rawBody: text,
          headers: { ...d.headers, 'content-type': mediaType },
        }),
    ),
    fc.constantFrom(...hostileContentTypes).map(
      (type) => (d: Draft) =>
        withMutation(d, `content-type ← ${preview(type)}`, {
          headers: { ...d.headers, 'content-type': type },
          rawBody: d.rawBody ?? (d.body === undefined ? '{}' : undefined),
        }),
    ),
  ];
}

function pathMutations(operation: ApiOperation, context: ValueContext): fc.Arbitrary<Mutation>[] {
  const names = operation.pathParameters.map((parameter) => parameter.name);
  if (names.length === 0) return [];
  const segment = fc.oneof(
    { arbitrary: fc.constantFrom(...hostileRawSegments), weight: 2 },
    { arbitrary: fc.constantFrom(...hostileStrings).map(encodeUrlText), weight: 1 },
    { arbitrary: fc.constantFrom(...idsOfEveryKind(), ...context.knownIds), weight: 2 },
  );
  return [
    aimed(
      fc.tuple(fc.constantFrom(...names), segment).map(
        ([name, value]) =>
          (d: Draft) =>
            withMutation(d, `path {${name}} ← ${preview(value)}`, { segments: { ...d.segments, [name]: value } }),
      ),
    ),
  ];
}

function queryMutations(operation: ApiOperation): fc.Arbitrary<Mutation>[] {
  const names = operation.queryParameters.map((parameter) => parameter.name);
  const some = names[0] ?? 'limit';
  const rawAdditions = [
    `${some}=1&${some}=2`,
    `${some}[]=1`,
    `${some}[$gt]=`,
    `${some}`,
    `${some}=`,
    '__proto__[polluted]=1',
    'constructor[prototype][polluted]=1',
    '%',
    '=%ZZ',
    '&&&',
    'a=%ED%A0%80',
    `${'q'.repeat(5_000)}=1`,
  ];
  const mutations: fc.Arbitrary<Mutation>[] = [
    fc
      .constantFrom(...rawAdditions)
      .map((raw) => (d: Draft) => withMutation(d, `query += ${preview(raw)}`, { query: [...d.query, ['', raw]] })),
  ];
  if (names.length > 0) {
    const parameter = fc
      .constantFrom(...operation.queryParameters)
      .chain((p) => fc.tuple(fc.constant(p.name), hostileTextFor(p.name, p.schema)));
    mutations.push(
      aimed(
        parameter.map(
          ([name, text]) =>
            (d: Draft) =>
              withMutation(d, `query ${name} ← ${preview(text)}`, {
                query: [...d.query.filter(([key]) => key !== name), [name, encodeUrlText(text)]],
              }),
        ),
      ),
    );
  }
  return mutations;
}

function headerMutations(caller: Caller): fc.Arbitrary<Mutation>[] {
  const sendable = hostileStrings.filter(isSendableHeader);
  const header = fc.oneof(
    fc.tuple(fc.constant('idempotency-key'), fc.constantFrom(...hostileIdempotencyKeys)),
    fc.tuple(
      fc.constantFrom('accept', 'x-http-method-override', 'x-request-id', 'traceparent'),
      fc.constantFrom(...sendable),
    ),
  );
  const mutations: fc.Arbitrary<Mutation>[] = [
    header.map(
      ([name, value]) =>
        (d: Draft) =>
          withMutation(d, `header ${name} ← ${preview(value)}`, { headers: { ...d.headers, [name]: value } }),
    ),
    fc.constant((d: Draft) => {
      const { 'idempotency-key': _dropped, ...headers } = d.headers;
      return withMutation(d, 'header idempotency-key removed', { headers });
    }),
  ];
  if (caller === 'anonymous') {
    mutations.push(
      fc.constantFrom(...hostileAuthorizations).map(
        (value) => (d: Draft) =>
          withMutation(d, `header authorization ← ${preview(value)}`, {
            headers: { ...d.headers, authorization: value },
          }),
      ),
    );
  }
  return mutations;
}

/** A valid request for the operation: every required part present and well-formed. */
function validDraft(operation: ApiOperation, context: ValueContext): fc.Arbitrary<Draft> {
  const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const segments = fc.record(
    Object.fromEntries(
      operation.pathParameters.map((p) => [p.name, validValue(p.schema, context).map((v) => encodeUrlText(asText(v)))]),
    ),
  );
  const query = fc.record(
    Object.fromEntries(operation.queryParameters.map((p) => [p.name, validValue(p.schema, context).map(asText)])),
    { requiredKeys: operation.queryParameters.filter((p) => p.required).map((p) => p.name) },
  );
  const headerValues = fc.record(
    Object.fromEntries(
      operation.headerParameters.map((p) => [
        p.name,
        p.name === 'idempotency-key'
          ? fc.uuid().map((uuid) => `fuzz-${uuid}`)
          : validValue(p.schema, context).map(asText).filter(isSendableHeader),
      ]),
    ),
  );
  const body = operation.body ? validValue(operation.body.schema, context) : fc.constant(undefined);
  return fc.record({ segments, query, headerValues, body }).map(
    ({ segments, query, headerValues, body }): Draft => ({
      segments,
      query: Object.entries(query).map(([name, value]) => [name, encodeUrlText(value as string)] as const),
      headers: {
        ...(headerValues as Record<string, string>),
        ...(operation.body ? { 'content-type': operation.body.mediaType } : {}),
      },
      body,
      rawBody: undefined,
      mutations: [],
    }),
  );
}

function rendered(operation: ApiOperation, draft: Draft): FuzzRequest {
  // A nameless entry is a raw piece of query string, sent as it is.
  const query = draft.query.map(([name, value]) => (name === '' ? value : `${name}=${value}`));
  const path = fillPath(operation.path, draft.segments);
  const mediaType = operation.body?.mediaType ?? 'application/json';
  const payload =
    draft.rawBody ??
    (draft.body === undefined
      ? undefined
      : mediaType === 'application/x-www-form-urlencoded'
        ? formText(draft.body)
        : jsonText(draft.body));
  const request: FuzzRequest = {
    method: operation.method,
    url: query.length > 0 ? `${path}?${query.join('&')}` : path,
    headers: draft.headers,
    payload,
    mutations: draft.mutations,
  };
  // fast-check prints counterexamples with this method: keep megabyte bodies out of the report.
  return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
}

export function describeRequest(request: FuzzRequest): string {
  const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}… (${text.length})`);
  const { authorization: _hidden, ...headers } = request.headers;
  return [
    `[${request.mutations.join('; ') || 'valid input'}]`,
    `${request.method} ${cut(request.url, 200)}`,
    `headers ${cut(JSON.stringify(headers), 200)}`,
    request.payload === undefined ? 'no body' : `body ${cut(JSON.stringify(request.payload), 300)}`,
  ].join(' ');
}

/** Valid requests broken in one place, sometimes two; one in six is left valid. */
export function fuzzRequests(
  operation: ApiOperation,
  caller: Caller,
  context: ValueContext,
): fc.Arbitrary<FuzzRequest> {
  return validDraft(operation, context).chain((draft) => {
    const candidates = [
      ...bodyMutations(operation, draft),
      ...rawBodyMutations(operation),
      ...pathMutations(operation, context),
      ...queryMutations(operation),
      ...headerMutations(caller),
    ];
    const weighted = candidates.map((arbitrary) => ({ arbitrary, weight: aimedMutations.has(arbitrary) ? 3 : 1 }));
    const mutations = fc.oneof(
      { arbitrary: fc.constant<Mutation[]>([]), weight: 1 },
      // One broken part at a time mostly: a second one often stops the request before the first is reached.
      { arbitrary: fc.array(fc.oneof(...weighted), { minLength: 1, maxLength: 1 }), weight: 4 },
      { arbitrary: fc.array(fc.oneof(...weighted), { minLength: 2, maxLength: 2 }), weight: 1 },
    );
    return mutations.map((list) =>
      rendered(
        operation,
        list.reduce((d, mutate) => mutate(d), draft),
      ),
    );
  });
}

/** A valid request as a careful client sends it: schema examples, the caller's own ids, required parts only. */
function exampleDraft(operation: ApiOperation, context: ValueContext): Draft {
  const ids = context.idsByKind ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const segments = Object.fromEntries(
    operation.pathParameters.map((p) => [p.name, encodeUrlText(text(exampleValue(p.schema, ids)))]),
  );
  const query = operation.queryParameters
    .filter((p) => p.required)
    .map((p) => [p.name, encodeUrlText(text(exampleValue(p.schema, ids)))] as const);
  const headers: Record<string, string> = Object.fromEntries(
    operation.headerParameters.map((p) => [
      p.name,
      p.name === 'idempotency-key' ? `fuzz-sweep-${randomUUID()}` : text(exampleValue(p.schema, ids)),
    ]),
  );
  if (operation.body) headers['content-type'] = operation.body.mediaType;
  const body = operation.body ? exampleValue(operation.body.schema, ids) : undefined;
  return { segments, query, headers, body, rawBody: undefined, mutations: [] };
}

/**
 * The deterministic half of the fuzz: one valid request about the caller's own resources
 * (exampleDraft), then each aimed value
 * (aimedValuesFor) put in turn into each path parameter, query parameter and body field it aims at,
 * and each hostile raw segment into each path parameter. Random runs sample; this sweep guarantees
 * every input met its aimed values at least once.
 */
export function aimedSweep(operation: ApiOperation, context: ValueContext): FuzzRequest[] {
  const draft = exampleDraft(operation, context);
  const requests: FuzzRequest[] = [];
  const send = (label: string, change: Partial<Draft>) =>
    requests.push(rendered(operation, withMutation(draft, label, change)));
  for (const { name, schema } of operation.pathParameters) {
    // Every kind of id and every raw segment; a parameter that is not an id gets the whole catalogue too.
    const values = [
      ...idsOfEveryKind(),
      ...hostileRawSegments,
      ...(aimedValuesFor(name, schema) ? [] : hostileStrings.map(encodeUrlText)),
    ];
    for (const value of new Set(values)) {
      send(`path {${name}} ← ${preview(value)}`, { segments: { ...draft.segments, [name]: value } });
    }
  }
  for (const { name, schema } of operation.queryParameters) {
    for (const value of aimedValuesFor(name, schema) ?? []) {
      const query = [...draft.query.filter(([key]) => key !== name), [name, encodeUrlText(value)] as const];
      send(`query ${name} ← ${preview(value)}`, { query });
    }
  }
  if (draft.body === undefined) return requests;
  for (const path of locations(draft.body).filter((at) => at.length > 0)) {
    for (const value of aimedValuesFor(lastKey(path), schemaAt(operation.body?.schema, path)) ?? []) {
      send(`body ${pointerOf(path)} ← ${preview(value)}`, { body: replaced(draft.body, path, value) });
    }
  }
  return requests;
}
