/**
 * The API as screen tests see it: a real ApiClient (DPoP signing, problem+json parsing, retries)
 * over a fetch that answers from a route table instead of the network. A test states exactly what
 * the API answers for each call it expects; a call nobody expected answers 404 `route_not_faked`
 * and is recorded, so a screen calling something unplanned fails visibly.
 *
 *   const server = fakeServer({
 *     'GET /api/v1/accounts': () => ({ body: { data: [account], nextCursor: null } }),
 *     'POST /api/v1/transfers': (call) => problem(422, 'insufficient_funds', 'Not enough money.'),
 *   });
 *   renderInApp(<HomeScreen />, { api: server.api });
 *   expect(server.calls('POST /api/v1/transfers')[0]?.body).toEqual({ … });
 */
import { type ApiClient, createApiClient, createMemoryTokenStore, type DpopKeyPair } from '@nextgen/api-client';

/**
 * The fake answers without checking proofs, so its key signs with zeros: DPoP itself is proven
 * against the real API in packages/api-client's tests and the browser journeys.
 */
const unverifiedKey: DpopKeyPair = {
  publicJwk: {
    kty: 'EC',
    crv: 'P-256',
    x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
    y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  },
  sign: async () => new Uint8Array(64),
};

export const fakeBaseUrl = 'https://bank.test';

export interface FakeCall {
  readonly method: string;
  /** The route pattern it matched, e.g. `/api/v1/accounts/:id`. */
  readonly route: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: Headers;
  readonly body: unknown;
}

export interface FakeAnswer {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type FakeHandler = (call: FakeCall) => FakeAnswer | Promise<FakeAnswer>;

/** An RFC 9457 answer as the API sends it. */
export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): FakeAnswer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: { type: `/problems/${code}`, title: code, status, code, detail, ...extra },
  };
}

/** A handler that never answers: the screen stays in its loading state. */
export const pending: FakeHandler = () => new Promise<FakeAnswer>(() => {});

export interface FakeServer {
  readonly api: ApiClient;
  /** Every call made, in order; or only those to one `'METHOD /pattern'`. */
  calls(route?: string): readonly FakeCall[];
  /** Replace or add answers while the test runs (e.g. the list after a create). */
  answer(route: string, handler: FakeHandler): void;
}

export function fakeServer(routes: Readonly<Record<string, FakeHandler>> = {}): FakeServer {
  const table = new Map(Object.entries(routes));
  const made: FakeCall[] = [];

  const match = (method: string, path: string) => {
    for (const [key, handler] of table) {
      const [routeMethod, pattern = ''] = key.split(' ');
      if (routeMethod !== method) continue;
      const names: string[] = [];
      const regex = new RegExp(
        `^${pattern.replace(/:(\w+)/g, (_, name: string) => {
          names.push(name);
          return '([^/]+)';
        })}$`,
      );
      const found = regex.exec(path);
      if (found) {
        const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]));
        return { route: pattern, handler, params };
      }
    }
    return undefined;
  };

  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
    const found = match(request.method, url.pathname);
    const call: FakeCall = {
      method: request.method,
      route: found?.route ?? url.pathname,
      path: url.pathname,
      params: found?.params ?? {},
      query: url.searchParams,
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    made.push(call);
    const answer = found
      ? await found.handler(call)
      : problem(404, 'route_not_faked', `No fake answer for ${request.method} ${url.pathname}.`);
    const status = answer.status ?? 200;
    return new Response(answer.body === undefined || status === 204 ? null : JSON.stringify(answer.body), {
      status,
      headers: { 'content-type': 'application/json', ...answer.headers },
    });
  };

  const api = createApiClient({
    baseUrl: fakeBaseUrl,
    dpop: unverifiedKey,
    tokens: createMemoryTokenStore({
      accessToken: 'signed-in',
      refreshToken: 'refresh',
      accessTokenExpiresAtMs: Date.now() + 3_600_000,
    }),
    fetch: fetchImpl as typeof fetch,
  });
  return {
    api,
    calls: (route) =>
      route ? made.filter((c) => `${c.method} ${c.route}` === route || `${c.method} ${c.path}` === route) : made,
    answer: (route, handler) => {
      table.set(route, handler);
    },
  };
}
