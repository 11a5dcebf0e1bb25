import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { type OAuthTarget, oauthDriver } from './oauth.ts';

/**
 * A back-office operator's access token, as an operator's tool gets one: the client credentials
 * grant, authenticated with private_key_jwt (RFC 7523) signed by the operator's private key (the
 * JWK `./ng backoffice operator create` printed). `roles` are requested as `backoffice:<role>`
 * scopes; asking for a role the operator lacks is refused by the authorization server.
 */
export interface OperatorCredentialsInput {
  readonly clientId: string;
  readonly privateJwk: Record<string, unknown>;
  /** The authorization server's issuer (`${PUBLIC_URL}/oidc`): the assertion's audience. */
  readonly issuer: string;
  readonly roles: readonly string[];
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** An ES256 client assertion (JWT) naming the operator as issuer and subject, valid for a minute. */
export function operatorClientAssertion(input: Omit<OperatorCredentialsInput, 'roles'>): string {
  const nowS = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', typ: 'JWT', kid: input.privateJwk.kid };
  const claims = {
    iss: input.clientId,
    sub: input.clientId,
    aud: input.issuer,
    jti: randomBytes(16).toString('base64url'),
    iat: nowS,
    exp: nowS + 60,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const key = createPrivateKey({ key: input.privateJwk as never, format: 'jwk' });
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${base64url(signature)}`;
}

export async function operatorToken(target: OAuthTarget, input: OperatorCredentialsInput): Promise<string> {
  const response = await oauthDriver(target).tokenRequest(
    {
      grant_type: 'client_credentials',
      scope: ['backoffice', ...input.roles.map((role) => `backoffice:${role}`)].join(' '),
      client_id: input.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: operatorClientAssertion(input),
    },
    {},
    // Operator tokens are bearer tokens like the shared client's (ADR 0015).
    { dpop: false },
  );
  const body = JSON.parse(response.body) as { access_token?: unknown; error?: unknown };
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`operator token refused: ${response.status} ${String(body.error)}`);
  }
  return body.access_token;
}
