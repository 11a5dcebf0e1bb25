import { createHash } from 'node:crypto';
import type { AppDependencies } from '../app.ts';
import { accessTokenTtlS } from '../platform/constants.ts';
import { badRequest, conflict } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { commonPasswords } from './common-passwords.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { dummyPasswordHash, hashPassword, passwordMatches } from './password-hashing.ts';
import { normalizeForComparison, passwordProblems } from './password-policy.ts';
import * as repository from './repository.ts';

/** What the API shows of a customer. Never the password hash. */
export interface CustomerProfile {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly createdAt: string;
}

export interface Registration {
  readonly name: string;
  readonly email: string;
  readonly password: string;
}

export type SignInOutcome =
  | { readonly kind: 'signed_in'; readonly customerId: string }
  | { readonly kind: 'rejected' }
  | { readonly kind: 'throttled'; readonly retryAfterS: number };

const toProfile = (row: repository.CustomerRow): CustomerProfile => ({
  id: row.id,
  name: row.name,
  email: row.email,
  createdAt: row.created_at.toISOString(),
});

/** The normalized form that makes e-mails unique regardless of case or Unicode presentation. */
export const normalizeEmail = (email: string) => normalizeForComparison(email.trim());

/** Seconds a revoked grant is remembered: as long as any access token issued under it may live. */
const revokedGrantMemoryMs = (accessTokenTtlS + 60) * 1000;
const revokedGrantKey = (grantId: string) => `oauth:revoked-grant:${grantId}`;

/**
 * The identity module's only door: registration, profiles, and the sign-in check the hosted login
 * page uses. Other modules call these; none reads the customers table.
 */
export function createIdentityService(deps: AppDependencies) {
  const { db, cache, keys } = deps;
  // Cookie secrets are already the deployment's secret material; derive the throttle's HMAC key from them.
  const throttleKey = createHash('sha256')
    .update(`login-throttle:${keys.cookieSecrets[0] ?? ''}`)
    .digest('hex');
  const throttle = createLoginThrottle(cache, throttleKey);
  // Compute the dummy hash now, so the first sign-in with an unknown e-mail is not the slow one.
  dummyPasswordHash().catch(() => {});

  async function registerCustomer(input: Registration): Promise<CustomerProfile> {
    const name = input.name.trim();
    const email = input.email.trim();
    if (name.length === 0) {
      throw badRequest(
        'validation_failed',
        'Some fields are missing or invalid. Fix the fields listed in errors and try again.',
        {
          errors: [{ pointer: '/body/name', detail: 'must not be blank' }],
        },
      );
    }
    const problems = passwordProblems(input.password, { name, email }, commonPasswords());
    if (problems.length > 0) {
      throw badRequest('weak_password', 'Choose a stronger password: see errors for what to change.', {
        errors: problems,
      });
    }
    const id = newId('customer');
    const passwordHash = await hashPassword(input.password);
    const row = await db.transaction(async (tx) => {
      const inserted = await repository.insertCustomer(tx, {
        id,
        name,
        email,
        emailNormalized: normalizeEmail(email),
        passwordHash,
      });
      // Other modules (welcome message, KYC) learn of the customer through the outbox; no personal data in it.
      if (inserted) {
        await repository.insertOutboxEvent(tx, {
          id: newId('outboxEvent'),
          topic: 'customer.registered',
          aggregateId: id,
          payload: { customerId: id },
        });
      }
      return inserted;
    });
    if (!row) {
      throw conflict(
        'email_taken',
        'An account with this e-mail address already exists. Sign in instead, or use another address.',
      );
    }
    return toProfile(row);
  }

  async function findCustomerById(id: string): Promise<CustomerProfile | undefined> {
    const row = await repository.findCustomerById(db, id);
    return row && toProfile(row);
  }

  /** True when the customer exists and may sign in and use tokens. */
  async function isCustomerActive(id: string): Promise<boolean> {
    return (await repository.findCustomerById(db, id))?.status === 'active';
  }

  /**
   * Checks an e-mail and password for the hosted login page. Unknown e-mails, wrong passwords and
   * inactive customers all answer `rejected` after the same argon2 work, so neither the answer nor
   * its timing reveals which e-mails have accounts.
   */
  async function signIn(input: { email: string; password: string; ip: string }): Promise<SignInOutcome> {
    const emailNormalized = normalizeEmail(input.email);
    const verdict = await throttle.admit(emailNormalized, input.ip);
    if (!verdict.allowed) return { kind: 'throttled', retryAfterS: verdict.retryAfterS };
    const customer = await repository.findCustomerByEmail(db, emailNormalized);
    const matches = await passwordMatches(customer?.password_hash ?? (await dummyPasswordHash()), input.password);
    if (customer && matches && customer.status === 'active') {
      await throttle.recordSuccess(emailNormalized);
      return { kind: 'signed_in', customerId: customer.id };
    }
    await throttle.recordFailure(emailNormalized, input.ip);
    return { kind: 'rejected' };
  }

  /** Remembers a revoked grant long enough for every access token issued under it to expire. */
  async function markGrantRevoked(grantId: string): Promise<void> {
    await cache.set(revokedGrantKey(grantId), '1', revokedGrantMemoryMs);
  }

  async function isGrantRevoked(grantId: string): Promise<boolean> {
    return (await cache.get(revokedGrantKey(grantId))) !== undefined;
  }

  return { registerCustomer, findCustomerById, isCustomerActive, signIn, markGrantRevoked, isGrantRevoked };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
