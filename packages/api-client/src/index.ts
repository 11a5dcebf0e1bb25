/**
 * @nextgen/api-client: the typed NextGen API client (generated from /openapi.json), DPoP signing,
 * sign-in primitives and the problem+json error. See packages/api-client/README.md.
 */
export {
  type ApiClient,
  type ApiClientOptions,
  createApiClient,
  type RetryLimits,
  retryLimits,
  type SignedOutReason,
} from './client.ts';
export {
  createDpopProof,
  type DpopKeyPair,
  DpopNonces,
  dpopKeyPairOf,
  generateDpopKeys,
  htuOf,
  jwkThumbprint,
  type PublicJwk,
} from './dpop.ts';
export type { components, paths } from './generated/api.ts';
export {
  type AuthClient,
  authorizationCodeOf,
  type BeginSignInOptions,
  createAuthClient,
  createPkce,
  mobileClientId,
  type PendingSignIn,
  type Pkce,
  SignInRedirectError,
} from './oauth.ts';
export { ApiProblem, type FieldProblem, type StepUpChallenge } from './problem.ts';
export { createMemoryTokenStore, type TokenSet, type TokenStore } from './tokens.ts';

/** A new Idempotency-Key for one money movement: keep it for every retry and the step-up resubmission. */
export const newIdempotencyKey = (): string => crypto.randomUUID();
