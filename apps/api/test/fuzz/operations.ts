import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';

/**
 * The API's operations as its own /openapi.json describes them, with every `$ref` inlined, so the
 * fuzz test and the IDOR matrix cover a route the moment it is declared, with no list to update.
 */

/** The subset of JSON Schema the route schemas use (TypeBox writes plain JSON Schema). */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly minProperties?: number;
  readonly maxItems?: number;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly $ref?: string;
  readonly example?: unknown;
  readonly default?: unknown;
}

export interface Parameter {
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly name: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface DocumentedResponse {
  readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>>;
}

/** Who an operation is for: nobody signed in, a customer, or a back-office operator. */
export type Audience = 'public' | 'customer' | 'operator';

export interface ApiOperation {
  /** `GET /api/v1/accounts/{id}`: how failures and the IDOR map name it. */
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly audience: Audience;
  /** A hosted sign-in page (HTML for browsers) rather than a JSON API operation. */
  readonly isPage: boolean;
  readonly pathParameters: readonly Parameter[];
  readonly queryParameters: readonly Parameter[];
  readonly headerParameters: readonly Parameter[];
  readonly body: { readonly mediaType: string; readonly schema: JsonSchema } | undefined;
  readonly responses: Readonly<Record<string, DocumentedResponse>>;
}

interface RawOperation {
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, DocumentedResponse>;
}

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** Replaces every local `$ref` with the schema it names (route schemas have no cycles). */
function inlineRefs(value: unknown, root: unknown, depth = 0): unknown {
  assert.ok(depth < 64, 'the OpenAPI document nests too deep (a $ref cycle?)');
  if (Array.isArray(value)) return value.map((item) => inlineRefs(item, root, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], root);
    assert.ok(target !== undefined, `the OpenAPI document defines ${ref}`);
    return inlineRefs(target, root, depth + 1);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inlineRefs(item, root, depth + 1)]));
}

function audienceOf(path: string, operation: RawOperation): Audience {
  if (!operation.security || operation.security.length === 0) return 'public';
  return path.startsWith('/backoffice/') ? 'operator' : 'customer';
}

export async function apiOperations(app: FastifyInstance): Promise<ApiOperation[]> {
  const response = await app.inject({ url: '/openapi.json' });
  assert.equal(response.statusCode, 200, 'the app serves /openapi.json');
  const document = inlineRefs(response.json(), response.json()) as {
    paths: Record<string, Record<string, RawOperation>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => httpMethods.has(method))
      .map(([method, operation]): ApiOperation => {
        const parameters = operation.parameters ?? [];
        const [mediaType, media] = Object.entries(operation.requestBody?.content ?? {})[0] ?? [];
        return {
          name: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          audience: audienceOf(path, operation),
          isPage: operation.tags?.includes('sign-in') === true,
          pathParameters: parameters.filter((p) => p.in === 'path'),
          queryParameters: parameters.filter((p) => p.in === 'query'),
          headerParameters: parameters.filter((p) => p.in === 'header'),
          body: mediaType && media?.schema ? { mediaType, schema: media.schema } : undefined,
          responses: operation.responses,
        };
      }),
  );
}

/** A path with each `{name}` replaced by the already percent-encoded segment `segments[name]`. */
export function fillPath(path: string, segments: Readonly<Record<string, string>>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const segment = segments[name];
    assert.ok(segment !== undefined, `a value for {${name}} in ${path}`);
    return segment;
  });
}
