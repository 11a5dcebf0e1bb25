import { createHash, randomBytes } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Static } from 'typebox';
import type { AuditService } from '../audit/index.ts';
import { loginInteractionTtlS, passkeyChallengeTtlMs, passkeysPerCustomerMax } from '../platform/constants.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { badRequest, conflict, notFound } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { customerNotFound } from '../platform/problems.ts';
import { createLoginThrottle } from './login-throttle.ts';
import * as repository from './passkeys-repository.ts';
import type { PasskeyCreationOptionsSchema } from './passkeys-schemas.ts';
import { insertOutboxEvent } from './repository.ts';
import type { IdentityService } from './service.ts';

/**
 * Passkeys (WebAuthn, verified by @simplewebauthn/server; see ADR 0013): registration after sign-in,
 * the customer's list, rename and revoke, and the assertion check that sign-in (second factor or
 * passwordless) and step-up share. User verification is required in every ceremony: that is the
 * on-device biometric or PIN. The bank stores public keys, counters and metadata, nothing biometric.
 *
 * Challenges for registration and sign-in live in the shared cache for passkeyChallengeTtlMs and
 * are single-use (a set-if-absent marker). Step-up challenges are rows (identity/step-up.ts).
 */
export type PasskeyAssertion = AuthenticationResponseJSON;
export type PasskeyAttestation = RegistrationResponseJSON;
export type PasskeyCreationOptions = Static<typeof PasskeyCreationOptionsSchema>;

export interface PasskeyView {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly backedUp: boolean;
  readonly deviceType: 'singleDevice' | 'multiDevice';
  readonly transports: string[];
}

export interface CredentialDescriptor {
  readonly id: string;
  readonly type: 'public-key';
  readonly transports?: string[];
}

export interface PasskeyRequestOptions {
  readonly challenge: string;
  readonly rpId: string;
  readonly timeout: number;
  readonly userVerification: 'required';
  readonly allowCredentials: CredentialDescriptor[];
}

export type PasskeySignInOutcome =
  | { readonly kind: 'signed_in'; readonly customerId: string; readonly passkeyId: string }
  | { readonly kind: 'rejected' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'inactive'; readonly customerId: string; readonly status: 'locked' | 'closed' }
  | { readonly kind: 'throttled'; readonly retryAfterS: number };

const rpName = 'NextGen';
const defaultPasskeyName = 'Passkey';

const toView = (row: repository.PasskeyRow): PasskeyView => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  backedUp: row.backed_up,
  deviceType: row.device_type,
  transports: row.transports,
});

const descriptorOf = (row: repository.PasskeyRow): CredentialDescriptor => ({
  id: row.credential_id,
  type: 'public-key',
  ...(row.transports.length > 0 ? { transports: row.transports } : {}),
});

/** The WebAuthn user handle: the customer id's bytes (opaque, never personal data). */
const userHandleOf = (customerId: string) => Buffer.from(customerId, 'utf8');

const passkeyNotFound = () =>
  notFound('passkey_not_found', 'You have no passkey with this id. List your passkeys to see their ids.');

export interface PasskeyServiceOptions {
  readonly identity: IdentityService;
  readonly audit: Pick<AuditService, 'record'>;
  /** The clock in ms since the epoch (timestamps only; cache expiry follows the cache's clock). */
  readonly now?: () => number;
}

export function createPasskeyService(deps: AppDependencies, options: PasskeyServiceOptions) {
  const { db, cache, config, keys } = deps;
  const { identity, audit } = options;
  const now = options.now ?? Date.now;
  const rpId = config.webauthnRpId;
  const expectedOrigin = [...config.webauthnOrigins];
  // Passkey attempts are throttled like passwords, in their own counters (see login-throttle.ts).
  const throttle = createLoginThrottle(
    cache,
    db,
    createHash('sha256')
      .update(`passkey-throttle:${keys.cookieSecrets[0] ?? ''}`)
      .digest('hex'),
  );

  /**
   * `authorize` runs after the limit check and before any options exist: it throws unless the caller
   * may enrol another authenticator given how many active passkeys the customer holds (ADR 0013).
   */
  async function registrationOptions(
    customerId: string,
    authorize: (activePasskeys: number) => Promise<void>,
  ): Promise<PasskeyCreationOptions> {
    const customer = await identity.findCustomerById(customerId);
    if (!customer) throw customerNotFound('customer');
    const existing = await repository.listActivePasskeys(db, customerId);
    if (existing.length >= passkeysPerCustomerMax) throw tooManyPasskeys();
    await authorize(existing.length);
    const registration = await generateRegistrationOptions({
      rpName,
      rpID: rpId,
      userID: userHandleOf(customerId),
      userName: customer.email,
      userDisplayName: customer.name,
      timeout: passkeyChallengeTtlMs,
      attestationType: 'none',
      excludeCredentials: existing.map(descriptorOf),
      // Discoverable credentials make passwordless, usernameless sign-in possible.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    // One registration in flight per customer: new options replace older ones.
    await cache.set(`passkey:registration:${customerId}`, registration.challenge, passkeyChallengeTtlMs);
    return {
      challenge: registration.challenge,
      rp: { id: rpId, name: rpName },
      user: registration.user,
      pubKeyCredParams: registration.pubKeyCredParams,
      timeout: passkeyChallengeTtlMs,
      attestation: 'none',
      excludeCredentials: existing.map(descriptorOf),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      extensions: { credProps: true },
    };
  }

  async function registerPasskey(
    customerId: string,
    input: { credential: PasskeyAttestation; name?: string },
  ): Promise<PasskeyView> {
    const expectedChallenge = await cache.get(`passkey:registration:${customerId}`);
    if (
      !expectedChallenge ||
      !(await cache.setIfAbsent(`passkey:used:${expectedChallenge}`, '1', passkeyChallengeTtlMs))
    ) {
      throw badRequest(
        'passkey_registration_expired',
        'This passkey registration expired or was already completed. Ask for new registration options and try again.',
      );
    }
    await cache.delete(`passkey:registration:${customerId}`);
    const info = await verifiedRegistration(input.credential, expectedChallenge);
    const inserted = await db.transaction(async (tx) => {
      const row = await repository.insertPasskey(
        tx,
        {
          id: newId('passkey'),
          customerId,
          credentialId: info.credential.id,
          publicKey: info.credential.publicKey,
          signCount: info.credential.counter,
          transports: info.credential.transports ?? input.credential.response.transports ?? [],
          aaguid: info.aaguid,
          deviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
          name: input.name?.trim() || defaultPasskeyName,
        },
        passkeysPerCustomerMax,
      );
      if (typeof row !== 'string') {
        // A new passkey can sign in: the customer is told through the outbox (notifications).
        await insertOutboxEvent(tx, {
          id: newId('outboxEvent'),
          topic: 'security.passkey_added',
          aggregateId: customerId,
          payload: { customerId, passkeyId: row.id },
        });
        await audit.record(tx, {
          action: 'passkey.registered',
          actor: { kind: 'customer', id: customerId },
          subject: { kind: 'passkey', id: row.id },
          details: { deviceType: row.device_type, backedUp: row.backed_up },
        });
      }
      return row;
    });
    if (inserted === 'limit') throw tooManyPasskeys();
    if (inserted === 'duplicate') {
      throw conflict('passkey_exists', 'This passkey is already registered. Use it to sign in, or create another one.');
    }
    return toView(inserted);
  }

  async function verifiedRegistration(credential: PasskeyAttestation, expectedChallenge: string) {
    try {
      const result = await verifyRegistrationResponse({
        response: credential,
        expectedChallenge,
        expectedOrigin,
        expectedRPID: rpId,
        requireUserVerification: true,
      });
      if (result.verified) return result.registrationInfo;
    } catch {
      // The library throws on every malformed or mismatching field; all are the client's problem.
    }
    throw badRequest(
      'passkey_invalid',
      'The passkey could not be verified (wrong site, no biometric or PIN check, or a damaged answer). Ask for new registration options and try again.',
    );
  }

  async function listPasskeys(customerId: string): Promise<PasskeyView[]> {
    return (await repository.listActivePasskeys(db, customerId)).map(toView);
  }

  async function renamePasskey(customerId: string, passkeyId: string, name: string): Promise<PasskeyView> {
    const row = await repository.renamePasskey(db, customerId, passkeyId, name.trim() || defaultPasskeyName);
    if (!row) throw passkeyNotFound();
    return toView(row);
  }

  async function revokePasskey(customerId: string, passkeyId: string): Promise<void> {
    const revoked = await db.transaction(async (tx) => {
      if (!(await repository.revokePasskey(tx, customerId, passkeyId, new Date(now())))) return false;
      await insertOutboxEvent(tx, {
        id: newId('outboxEvent'),
        topic: 'security.passkey_revoked',
        aggregateId: customerId,
        payload: { customerId, passkeyId },
      });
      await audit.record(tx, {
        action: 'passkey.revoked',
        actor: { kind: 'customer', id: customerId },
        subject: { kind: 'passkey', id: passkeyId },
      });
      return true;
    });
    if (!revoked) throw passkeyNotFound();
  }

  async function activeCredentialDescriptors(customerId: string): Promise<CredentialDescriptor[]> {
    return (await repository.listActivePasskeys(db, customerId)).map(descriptorOf);
  }

  async function hasActivePasskey(customerId: string): Promise<boolean> {
    return (await repository.listActivePasskeys(db, customerId)).length > 0;
  }

  /**
   * The passkey that made this assertion, if it is active (and the customer's, when given), signed
   * `expectedChallenge` for our RP id from an allowed origin with user verification, and its counter
   * moved forward (a counter that goes back means a cloned authenticator). Undefined otherwise; the
   * reasons are not told apart, so an answer never helps an attacker tune a forgery.
   */
  async function verifyAssertion(input: {
    assertion: PasskeyAssertion;
    expectedChallenge: string;
    customerId?: string;
  }): Promise<{ passkeyId: string; customerId: string } | undefined> {
    const row = await repository.findPasskeyByCredentialId(db, input.assertion.id);
    if (!row || row.revoked_at || (input.customerId !== undefined && row.customer_id !== input.customerId)) {
      return undefined;
    }
    const userHandle = input.assertion.response.userHandle;
    if (userHandle && !Buffer.from(userHandle, 'base64url').equals(userHandleOf(row.customer_id))) return undefined;
    let newCounter: number;
    try {
      const result = await verifyAuthenticationResponse({
        response: input.assertion,
        expectedChallenge: input.expectedChallenge,
        expectedOrigin,
        expectedRPID: rpId,
        credential: {
          id: row.credential_id,
          publicKey: new Uint8Array(row.public_key),
          counter: Number(row.sign_count),
          transports: row.transports,
        },
        requireUserVerification: true,
      });
      if (!result.verified || !result.authenticationInfo.userVerified) return undefined;
      newCounter = result.authenticationInfo.newCounter;
    } catch {
      return undefined;
    }
    if (!(await repository.recordPasskeyUse(db, row.id, newCounter, new Date(now())))) return undefined;
    return { passkeyId: row.id, customerId: row.customer_id };
  }

  const signInKey = (interactionId: string) => `passkey:sign-in:${interactionId}`;
  const passwordStepKey = (interactionId: string) => `passkey:password-verified:${interactionId}`;

  /** Remembers, for the life of the sign-in page, whose password was right: the passkey step must be theirs. */
  async function rememberPasswordStep(interactionId: string, customerId: string): Promise<void> {
    await cache.set(passwordStepKey(interactionId), customerId, loginInteractionTtlS * 1000);
  }

  async function passwordStepOf(interactionId: string): Promise<string | undefined> {
    return cache.get(passwordStepKey(interactionId));
  }

  /**
   * Options for a sign-in on the hosted page: the customer's passkeys when the password step named
   * them (second factor), any discoverable passkey otherwise (passwordless).
   */
  async function signInOptions(interactionId: string, customerId?: string): Promise<PasskeyRequestOptions> {
    const challenge = randomBytes(32).toString('base64url');
    await cache.set(signInKey(interactionId), challenge, Math.min(passkeyChallengeTtlMs, loginInteractionTtlS * 1000));
    return {
      challenge,
      rpId,
      timeout: passkeyChallengeTtlMs,
      userVerification: 'required',
      allowCredentials: customerId ? await activeCredentialDescriptors(customerId) : [],
    };
  }

  /** Checks a sign-in assertion against the page's last options, under the login throttle. */
  async function signIn(input: {
    interactionId: string;
    assertion: PasskeyAssertion;
    ip: string;
    customerId?: string;
  }): Promise<PasskeySignInOutcome> {
    const challenge = await cache.get(signInKey(input.interactionId));
    if (!challenge || !(await cache.setIfAbsent(`passkey:used:${challenge}`, '1', passkeyChallengeTtlMs))) {
      return { kind: 'expired' };
    }
    await cache.delete(signInKey(input.interactionId));
    // The account counted is the customer the password named, or the credential tried (passwordless).
    const account = input.customerId ? `customer:${input.customerId}` : `credential:${input.assertion.id}`;
    const verdict = await throttle.admit(account, input.ip);
    if (!verdict.allowed) return { kind: 'throttled', retryAfterS: verdict.retryAfterS };
    const passkey = await verifyAssertion({
      assertion: input.assertion,
      expectedChallenge: challenge,
      customerId: input.customerId,
    });
    const status = passkey && (await identity.customerStatusOf(passkey.customerId));
    if (!passkey || status !== 'active') {
      await throttle.recordFailure(account, input.ip);
      // Every factor was right: a locked or closed customer is told to contact the bank (ADR 0105).
      if (passkey && (status === 'locked' || status === 'closed'))
        return { kind: 'inactive', customerId: passkey.customerId, status };
      return { kind: 'rejected' };
    }
    await throttle.recordSuccess(account);
    return { kind: 'signed_in', ...passkey };
  }

  return {
    rpId,
    registrationOptions,
    registerPasskey,
    listPasskeys,
    renamePasskey,
    revokePasskey,
    activeCredentialDescriptors,
    hasActivePasskey,
    verifyAssertion,
    signInOptions,
    signIn,
    rememberPasswordStep,
    passwordStepOf,
  };
}

const tooManyPasskeys = () =>
  conflict(
    'passkey_limit_reached',
    `You already have ${passkeysPerCustomerMax} passkeys. Remove one you no longer use, then add the new one.`,
  );

export type PasskeyService = ReturnType<typeof createPasskeyService>;
