import { createHash, randomBytes } from 'node:crypto';
import type { AuditService } from '../audit/index.ts';
import {
  stepUpChallengeRetentionMs,
  stepUpChallengeTtlMs,
  stepUpPurgeBatchSize,
  stepUpPurgeEveryIssues,
} from '../platform/constants.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { DomainError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { PasskeyAssertion, PasskeyService } from './passkeys.ts';
import * as repository from './passkeys-repository.ts';

export { PasskeyAssertionSchema, StepUpChallengeSchema, StepUpProofSchema } from './passkeys-schemas.ts';

/**
 * Step-up authentication with dynamic linking (PSD2 RTS art. 5): before a sensitive action (a payment
 * above the exemption rules, revealing a full account number) the customer approves exactly its
 * details with a passkey, unlocked on the device by biometrics or PIN (user verification).
 *
 * Exposed as `services.stepUp` (app.ts createServices). The API, for callers such as payments:
 *
 *   issueChallenge({ customerId, purpose, binding }): Promise<StepUpChallenge>
 *     purpose: StepUpPurpose ('payment' | 'reveal_account' | 'add_passkey': enrolling another passkey).
 *     binding: StepUpBinding, a flat record of what the customer approves, e.g. for a payment
 *       { amount: '500.00', currency: 'EUR', payeeIban: 'DE89…' } (values: string, number, bigint
 *       or boolean; key order does not matter). Only its SHA-256 is stored, never the details.
 *     Answers the challenge to put in a `step_up_required` problem (`StepUpChallengeSchema` types it):
 *       { challengeId: 'sup_…', purpose, expiresAt (ISO), publicKey: WebAuthn request options
 *         (challenge, rpId, allowCredentials = the customer's passkeys, userVerification 'required') }
 *     The client passes `publicKey` to navigator.credentials.get() / the platform passkey API.
 *     Throws 403 `passkey_required` when the customer has no active passkey to approve with.
 *
 *   verifyAssertion({ customerId, challengeId, purpose, binding, assertion }): Promise<StepUpVerified>
 *     assertion: the WebAuthn AuthenticationResponseJSON the client got (`PasskeyAssertionSchema`;
 *       `StepUpProofSchema` = { challengeId, assertion } is ready for a request body).
 *     Resolves { challengeId, passkeyId, verifiedAt } only when the assertion signs exactly this
 *     challenge with one of the customer's non-revoked passkeys, user verification done, within
 *     stepUpChallengeTtlMs (5 minutes), for the same purpose and binding, never used before; the
 *     challenge is then spent. Otherwise throws a DomainError, all 403, and changes nothing:
 *       step_up_invalid   unknown challenge, another customer's, or a bad/unknown-passkey signature
 *       step_up_expired   older than 5 minutes
 *       step_up_replayed  already used once
 *       step_up_mismatch  other purpose, or other details (amount, currency, payee…) than approved
 *
 * Dynamic linking: the WebAuthn challenge is nonce (32 random bytes) || SHA-256(canonical JSON of
 * { purpose, binding }), so the authenticator's signature covers the details themselves, and a
 * signature made for one amount or payee cannot approve another.
 */
export type StepUpPurpose = 'payment' | 'reveal_account' | 'add_passkey';
export const stepUpPurposes: readonly StepUpPurpose[] = ['payment', 'reveal_account', 'add_passkey'];

export type StepUpBinding = Readonly<Record<string, string | number | bigint | boolean>>;

export interface StepUpChallenge {
  readonly challengeId: string;
  readonly purpose: StepUpPurpose;
  readonly expiresAt: string;
  readonly publicKey: {
    readonly challenge: string;
    readonly rpId: string;
    readonly timeout: number;
    readonly userVerification: 'required';
    readonly allowCredentials: readonly {
      readonly id: string;
      readonly type: 'public-key';
      readonly transports?: string[];
    }[];
  };
}

export interface StepUpVerified {
  readonly challengeId: string;
  readonly passkeyId: string;
  readonly verifiedAt: string;
}

/**
 * The 403 a caller answers when an action needs an approval: `detail` says what is approved and how;
 * the challenge travels in `stepUp`, and the client calls again with `stepUp: { challengeId, assertion }`.
 */
export const stepUpRequired = (detail: string, challenge: StepUpChallenge) =>
  new DomainError(403, 'step_up_required', 'Approval required', detail, { extensions: { stepUp: challenge } });

const stepUpRefused = (code: string, detail: string) => new DomainError(403, code, 'Step-up refused', detail);

const invalid = () =>
  stepUpRefused(
    'step_up_invalid',
    'The passkey approval could not be verified. Ask for a new approval and confirm it with one of your passkeys.',
  );

/** The bytes the binding is hashed from: sorted keys, bigints as decimal strings, purpose included. */
export function canonicalBinding(purpose: StepUpPurpose, binding: StepUpBinding): string {
  const entries = Object.keys(binding)
    .sort()
    .map((key) => {
      const value = binding[key];
      // JSON writes NaN and ±Infinity all as null: such values would collide, and no detail is one.
      if (typeof value === 'number' && !Number.isFinite(value))
        throw new Error(`binding ${key} is not a finite number`);
      return [key, typeof value === 'bigint' ? value.toString() : value];
    });
  return JSON.stringify({ purpose, binding: Object.fromEntries(entries) });
}

const bindingHash = (purpose: StepUpPurpose, binding: StepUpBinding) =>
  createHash('sha256').update(canonicalBinding(purpose, binding)).digest();

export interface StepUpOptions {
  readonly passkeys: PasskeyService;
  readonly audit: Pick<AuditService, 'record'>;
  /** The clock in ms since the epoch; tests move it to expire challenges. */
  readonly now?: () => number;
  /** Told when the opportunistic clean-up of old challenges failed (it never fails an approval). */
  readonly onPurgeFailed?: (error: unknown) => void;
}

export function createStepUpService(deps: AppDependencies, options: StepUpOptions) {
  const { db } = deps;
  const { passkeys, audit } = options;
  const now = options.now ?? Date.now;
  let issuedSincePurge = 0;

  /** Deletes challenges expired for longer than stepUpChallengeRetentionMs (one batch). */
  async function purgeExpired(): Promise<number> {
    return repository.purgeStepUpChallenges(db, new Date(now() - stepUpChallengeRetentionMs), stepUpPurgeBatchSize);
  }

  async function issueChallenge(input: {
    customerId: string;
    purpose: StepUpPurpose;
    binding: StepUpBinding;
  }): Promise<StepUpChallenge> {
    const allowCredentials = await passkeys.activeCredentialDescriptors(input.customerId);
    if (allowCredentials.length === 0) {
      throw new DomainError(
        403,
        'passkey_required',
        'Passkey required',
        'This needs your approval with a passkey, and you have none. Add a passkey in the app’s security settings, then try again.',
      );
    }
    const nonce = randomBytes(32);
    const hash = bindingHash(input.purpose, input.binding);
    const challenge = Buffer.concat([nonce, hash]).toString('base64url');
    const challengeId = newId('stepUpChallenge');
    const expiresAtMs = now() + stepUpChallengeTtlMs;
    await repository.insertStepUpChallenge(db, {
      id: challengeId,
      customerId: input.customerId,
      purpose: input.purpose,
      bindingHash: hash,
      challenge,
      createdAt: new Date(now()),
      expiresAt: new Date(expiresAtMs),
    });
    issuedSincePurge += 1;
    if (issuedSincePurge >= stepUpPurgeEveryIssues) {
      issuedSincePurge = 0;
      await purgeExpired().catch((error: unknown) => options.onPurgeFailed?.(error));
    }
    return {
      challengeId,
      purpose: input.purpose,
      expiresAt: new Date(expiresAtMs).toISOString(),
      publicKey: {
        challenge,
        rpId: passkeys.rpId,
        timeout: stepUpChallengeTtlMs,
        userVerification: 'required',
        allowCredentials,
      },
    };
  }

  /**
   * Checks, in order: the challenge is the customer's, for this purpose, unused, unexpired and for
   * these details; then the signature. The challenge is spent only by a valid assertion, in one
   * conditional UPDATE, so two concurrent submissions of one approval cannot both pass.
   */
  async function verifyAssertion(input: {
    customerId: string;
    challengeId: string;
    purpose: StepUpPurpose;
    binding: StepUpBinding;
    assertion: PasskeyAssertion;
  }): Promise<StepUpVerified> {
    const row = await repository.findStepUpChallenge(db, input.challengeId);
    if (!row || row.customer_id !== input.customerId) throw invalid();
    if (row.purpose !== input.purpose) {
      throw stepUpRefused(
        'step_up_mismatch',
        'This approval was given for another kind of action. Ask for a new approval for this one.',
      );
    }
    if (row.used_at) {
      throw stepUpRefused('step_up_replayed', 'This approval was already used. Ask for a new approval and confirm it.');
    }
    if (row.expires_at.getTime() <= now()) {
      throw stepUpRefused(
        'step_up_expired',
        'This approval expired after 5 minutes. Ask for a new one and confirm it.',
      );
    }
    if (!bindingHash(input.purpose, input.binding).equals(row.binding_hash)) {
      throw stepUpRefused(
        'step_up_mismatch',
        'The details differ from the ones you approved. Ask for a new approval for these exact details.',
      );
    }
    const passkey = await passkeys.verifyAssertion({
      assertion: input.assertion,
      expectedChallenge: row.challenge,
      customerId: input.customerId,
    });
    if (!passkey) throw invalid();
    const spent = await db.transaction(async (tx) => {
      if (!(await repository.spendStepUpChallenge(tx, row.id, passkey.passkeyId, new Date(now())))) return false;
      await audit.record(tx, {
        action: 'step_up.approved',
        actor: { kind: 'customer', id: input.customerId },
        subject: { kind: 'step_up_challenge', id: row.id },
        details: { purpose: input.purpose, passkeyId: passkey.passkeyId },
      });
      return true;
    });
    if (!spent) {
      throw stepUpRefused('step_up_replayed', 'This approval was already used. Ask for a new approval and confirm it.');
    }
    return { challengeId: row.id, passkeyId: passkey.passkeyId, verifiedAt: new Date(now()).toISOString() };
  }

  return { issueChallenge, verifyAssertion, purgeExpired };
}

export type StepUpService = ReturnType<typeof createStepUpService>;
