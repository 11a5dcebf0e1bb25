import type { FastifyInstance } from 'fastify';

/**
 * A `fetch` into the real test app (app.inject): the client's bytes reach the real routes and the
 * real authorization server, without a listening socket. Every exchange is recorded for assertions.
 */
export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: Headers;
  readonly requestBody: string;
  readonly status: number;
  readonly responseHeaders: Headers;
}

export function appFetch(app: FastifyInstance, log: Exchange[] = []): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const requestBody = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
    const response = await app.inject({
      method: request.method as 'GET',
      url: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(request.headers),
      ...(requestBody ? { payload: requestBody } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      for (const one of Array.isArray(value) ? value : [value])
        if (one !== undefined) headers.append(name, String(one));
    }
    log.push({
      method: request.method,
      url: request.url,
      requestHeaders: request.headers,
      requestBody,
      status: response.statusCode,
      responseHeaders: headers,
    });
    const empty = response.statusCode === 204 || response.statusCode === 304 || request.method === 'HEAD';
    return new Response(empty ? null : response.rawPayload, { status: response.statusCode, headers });
  };
}

/**
 * The customer's browser between the authorization URL and the redirect: follows redirects, keeps
 * cookies, posts the login form. Answers the redirect URL the app receives.
 */
export async function browserSignIn(
  fetchApp: typeof fetch,
  authorizationUrl: string,
  redirectUri: string,
  credentials: { email: string; password: string },
): Promise<string> {
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetchApp(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
    return response;
  };
  let url = authorizationUrl;
  for (let hop = 0; hop < 12; hop++) {
    if (url.startsWith(redirectUri)) return url;
    const response = await send(url);
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      continue;
    }
    const page = await response.text();
    const action = /action="(\/interaction\/[^"]+\/login)"/.exec(page)?.[1];
    if (!action) throw new Error(`the sign-in stopped at ${url}: HTTP ${response.status}`);
    const submitted = await send(new URL(action, url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(credentials).toString(),
    });
    const next = submitted.headers.get('location');
    if (!next) throw new Error(`the login form was refused: HTTP ${submitted.status}`);
    url = new URL(next, url).href;
  }
  throw new Error('too many redirects during sign-in');
}
