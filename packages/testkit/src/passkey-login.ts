import {
  type DriverResponse,
  OAuthDriverError,
  type oauthDriver,
  type SignedInCustomer,
  type SignInAttempt,
} from './oauth.ts';
import type { CeremonyOverrides, RequestOptionsJson, SoftwareAuthenticator } from './passkey.ts';

/**
 * Drives the hosted sign-in page's passkey step without a browser, as a native app does: POST
 * /interaction/:uid/passkey/options → the authenticator signs → POST /interaction/:uid/passkey →
 * `{ redirectTo }`, from where the OAuth flow continues to the authorization code.
 */
type Driver = ReturnType<typeof oauthDriver>;

const jsonHeaders = { 'content-type': 'application/json', accept: 'application/json' };

/** Runs the passkey step on an open sign-in page; on success `attempt.finish()` gets the tokens. */
export async function passkeyStep(
  attempt: SignInAttempt,
  authenticator: SoftwareAuthenticator,
  overrides: CeremonyOverrides = {},
): Promise<DriverResponse> {
  const optionsResponse = await attempt.request({
    method: 'POST',
    path: `${attempt.loginPath}/passkey/options`,
    headers: { accept: 'application/json' },
  });
  if (optionsResponse.status !== 200) throw new OAuthDriverError('passkey options were refused', optionsResponse);
  const options = JSON.parse(optionsResponse.body) as RequestOptionsJson;
  const credential = authenticator.getAssertion(options, overrides);
  const response = await attempt.request({
    method: 'POST',
    path: `${attempt.loginPath}/passkey`,
    headers: jsonHeaders,
    body: JSON.stringify({ credential }),
  });
  if (response.status === 200) attempt.continueAt((JSON.parse(response.body) as { redirectTo: string }).redirectTo);
  return response;
}

/** Passwordless: "Sign in with a passkey" on the login page, no e-mail or password. */
export async function signInWithPasskey(
  driver: Driver,
  authenticator: SoftwareAuthenticator,
): Promise<SignedInCustomer> {
  const attempt = await driver.beginSignIn();
  const response = await passkeyStep(attempt, authenticator);
  if (response.status !== 200) throw new OAuthDriverError('passkey sign-in was refused', response);
  return attempt.finish();
}

/** Password, then the passkey step the page asks for once the customer has a passkey. */
export async function signInWithPasswordAndPasskey(
  driver: Driver,
  credentials: { email: string; password: string },
  authenticator: SoftwareAuthenticator,
): Promise<SignedInCustomer> {
  const attempt = await driver.beginSignIn();
  const submitted = await attempt.submit(credentials.email, credentials.password);
  if (submitted.status !== 303) throw new OAuthDriverError('sign-in was refused', submitted);
  const response = await passkeyStep(attempt, authenticator);
  if (response.status !== 200) throw new OAuthDriverError('the passkey step was refused', response);
  return attempt.finish();
}
