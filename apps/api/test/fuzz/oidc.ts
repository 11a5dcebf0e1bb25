import fc from 'fast-check';
import { encodeUrlText, freeTextSweep, hostileAuthorizations, hostileStrings, isSendableHeader } from './hostile.ts';
import type { FuzzRequest } from './requests.ts';

/**
 * Fuzz requests for the authorization server's own endpoints (oidc-provider under /oidc), which
 * are not in /openapi.json: the endpoints come from its discovery document, the parameters from
 * RFC 6749, 7009, 7636, 9126 and 9449. Answers there are OAuth errors (`{ error }`), not problem+json,
 * so the fuzz test holds them to "no 5xx and no change on a 4xx" only.
 */
const oauthParameters = [
  'grant_type',
  'code',
  'redirect_uri',
  'code_verifier',
  'client_id',
  'refresh_token',
  'token',
  'token_type_hint',
  'scope',
  'request_uri',
  'response_type',
  'code_challenge',
  'code_challenge_method',
  'state',
  'nonce',
  'client_assertion',
  'client_assertion_type',
  'resource',
  'dpop_jkt',
  'id_token_hint',
  'post_logout_redirect_uri',
];

/** Plausible values, so a request gets past the first check and meets the hostile one later. */
const plausibleValues = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'nextgen-mobile',
  'nextgen-backoffice',
  'nextgen://oauth/callback',
  'openid offline_access',
  'backoffice',
  'code',
  'S256',
  'plain',
  'urn:ietf:params:oauth:request_uri:abc',
  'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
];

const parameterValue = fc.oneof(
  { arbitrary: fc.constantFrom(...plausibleValues), weight: 2 },
  { arbitrary: fc.constantFrom(...freeTextSweep), weight: 2 },
  { arbitrary: fc.constantFrom(...hostileStrings), weight: 1 },
);

const parameters = fc.uniqueArray(fc.tuple(fc.constantFrom(...oauthParameters), parameterValue), {
  maxLength: 8,
  selector: ([name]) => name,
});

function formOf(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([name, value]) => `${name}=${encodeUrlText(value)}`).join('&');
}

const describe = (request: Omit<FuzzRequest, 'mutations'>, label: string): FuzzRequest => {
  const described: FuzzRequest = { ...request, mutations: [label] };
  return Object.assign(described, {
    [fc.toStringMethod]: () =>
      `${request.method} ${request.url.slice(0, 200)} ${JSON.stringify(request.headers).slice(0, 200)} ${String(request.payload).slice(0, 300)}`,
  });
};

/** Form posts (token, PAR, revocation) and query strings (authorization, end session) with hostile values. */
export function oidcRequests(path: string): fc.Arbitrary<FuzzRequest> {
  const headers = fc.record(
    {
      authorization: fc.constantFrom(...hostileAuthorizations),
      dpop: fc.constantFrom(...hostileStrings.filter(isSendableHeader), 'eyJhbGciOiJub25lIn0.e30.'),
      'content-type': fc.constantFrom(
        'application/x-www-form-urlencoded',
        'application/json',
        'text/plain',
        'multipart/form-data; boundary=x',
      ),
    },
    { requiredKeys: [] },
  );
  const post = fc.tuple(parameters, headers).map(([pairs, extra]) =>
    describe(
      {
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra },
        payload: formOf(pairs),
      },
      `POST ${path} ${formOf(pairs).slice(0, 80)}`,
    ),
  );
  const get = parameters.map((pairs) =>
    describe({ method: 'GET', url: `${path}?${formOf(pairs)}`, headers: {}, payload: undefined }, `GET ${path}`),
  );
  return fc.oneof(post, get);
}
