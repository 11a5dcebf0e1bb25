import { createHash } from 'node:crypto';
import type { AuditService } from '../audit/index.ts';
import type { CachedSecurityState } from '../platform/admission.ts';
import { accessTokenTtlS, customerStatusCachedMs, grantStateCachedMs } from '../platform/constants.ts';
import type { PersonalDataVault } from '../platform/crypto/index.ts';
import type { Queryable } from '../platform/database.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { badRequest, conflict } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { commonPasswords } from './common-passwords.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { dummyPasswordHash, hashPassword, passwordMatches } from './password-hashing.ts';
import { normalizeForComparison, passwordProblems } from './password-policy.ts';
import { encryptPlaintextCustomers } from './personal-data-backfill.ts';
import * as repository from './repository.ts';

/** A postal address, stored encrypted as one field. */
export interface PostalAddress {
  readonly line1: string;
  readonly line2?: string | undefined;
  readonly postalCode: string;
  readonly city: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
}

/** What the API shows of a customer. Never the password hash. */
export interface CustomerProfile {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
  readonly address: PostalAddress | null;
  readonly createdAt: string;
}

export interface Registration {
  readonly name: string;
  readonly email: string;
  readonly password: string;
}

/** A change to the profile: absent fields stay, null removes the phone or the address. */
export interface ProfileChange {
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | null | undefined;
  readonly address?: PostalAddress | null | undefined;
}

export type SignInOutcome =
  | { readonly kind: 'signed_in'; readonly customerId: string }
  | { readonly kind: 'rejected' }
  /**
   * The password was right but the customer is locked or closed. Only someone who knows the password
   * learns this, and the page tells it only after every factor the customer has (ADR 0105).
   */
  | { readonly kind: 'inactive'; readonly customerId: string; readonly status: 'locked' | 'closed' }
  | { readonly kind: 'throttled'; readonly retryAfterS: number };

/** An operator's change of a customer's status, bound to the status it was asked from. */
export interface StatusChangeInput {
  readonly customerId: string;
  readonly from: repository.CustomerStatus;
  readonly to: Exclude<repository.CustomerStatus, 'erased'>;
  readonly reason: string;
  /** Who asked for it (the requester of a four-eyes request). */
  readonly operatorId: string;
  /** The second operator, for a four-eyes change. */
  readonly approvedBy?: string | undefined;
}

export type StatusChangeResult =
  | { readonly kind: 'changed'; readonly before: repository.CustomerStatus }
  | { readonly kind: 'conflict'; readonly before: repository.CustomerStatus }
  | { readonly kind: 'not_found' };

export type CustomerStatus = repository.CustomerStatus;

/** The audit action of each status an operator sets: customer.locked, customer.unlocked, customer.closed. */
const statusChangeVerbs = { locked: 'locked', active: 'unlocked', closed: 'closed' } as const;

/** The name shown for an erased customer where another record (a statement line) still refers to them. */
export const erasedCustomerName = 'Erased customer';

const emailTaken = () =>
  conflict(
    'email_taken',
    'An account with this e-mail address already exists. Sign in instead, or use another address.',
  );

const blankName = () =>
  badRequest(
    'validation_failed',
    'Some fields are missing or invalid. Fix the fields listed in errors and try again.',
    {
      errors: [{ pointer: '/body/name', detail: 'must not be blank' }],
    },
  );

const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === '23505';

/** The normalized form that makes e-mails unique regardless of case or Unicode presentation. */
export const normalizeEmail = (email: string) => normalizeForComparison(email.trim());

/** How long a revoked grant is remembered: as long as any access token issued under it may live. */
const revokedGrantMemoryMs = (accessTokenTtlS + 60) * 1000;
/** The cached answer of revoked_grants for one grant: `revoked` or `live`. */
const grantStateKey = (grantId: string) => `oauth:grant-state:${grantId}`;
const customerStatusKey = (customerId: string) => `customer-status:${customerId}`;

/**
 * The identity module's only door: registration, profiles, and the sign-in check the hosted login
 * page uses. Other modules call these; none reads the customers table.
 */
export function createIdentityService(
  deps: AppDependencies,
  modules: { vault: PersonalDataVault; audit: Pick<AuditService, 'record' | 'recordNow'> },
) {
  const { db, cache, keys } = deps;
  const { vault } = modules;
  // Cookie secrets are already the deployment's secret material; derive the throttle's HMAC key from them.
  const throttleKey = createHash('sha256')
    .update(`login-throttle:${keys.cookieSecrets[0] ?? ''}`)
    .digest('hex');
  const throttle = createLoginThrottle(cache, db, throttleKey);
  // Compute the dummy hash now, so the first sign-in with an unknown e-mail is not the slow one.
  dummyPasswordHash().catch(() => {});
  const emailIndexOf = (email: string) => vault.blindIndex('email', normalizeEmail(email));

  /** Decrypts a row into the profile; undefined for an erased customer (their key is gone). */
  async function toProfile(row: repository.CustomerRow): Promise<CustomerProfile | undefined> {
    if (row.status === 'erased') return undefined;
    const open = (field: string, ciphertext: string) => vault.decryptUnlessErased(row.id, field, ciphertext);
    const [name, email, phone, address] = await Promise.all([
      open('name', row.name_ciphertext),
      open('email', row.email_ciphertext),
      row.phone_ciphertext === null ? null : open('phone', row.phone_ciphertext),
      row.address_ciphertext === null ? null : open('address', row.address_ciphertext),
    ]);
    if (name === undefined || email === undefined || phone === undefined || address === undefined) return undefined;
    const postal = address === null ? null : (JSON.parse(address) as PostalAddress);
    return { id: row.id, name, email, phone, address: postal, createdAt: row.created_at.toISOString() };
  }

  async function registerCustomer(input: Registration): Promise<CustomerProfile> {
    const name = input.name.trim();
    const email = input.email.trim();
    if (name.length === 0) throw blankName();
    const problems = passwordProblems(input.password, { name, email }, commonPasswords());
    if (problems.length > 0) {
      throw badRequest('weak_password', 'Choose a stronger password: see errors for what to change.', {
        errors: problems,
      });
    }
    const emailIndex = await emailIndexOf(email);
    // Checked before encrypting, so a taken e-mail costs no data key; the unique index still decides races.
    if (await repository.emailIndexTaken(db, emailIndex)) throw emailTaken();
    const id = newId('customer');
    const passwordHash = await hashPassword(input.password);
    const [nameCiphertext, emailCiphertext] = await Promise.all([
      vault.encrypt(id, 'name', name),
      vault.encrypt(id, 'email', email),
    ]);
    const row = await db.transaction(async (tx) => {
      const inserted = await repository.insertCustomer(tx, {
        id,
        nameCiphertext,
        emailCiphertext,
        emailIndex,
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
    // A lost race leaves the new id's data key unused: it protects nothing and is never handed out.
    if (!row) throw emailTaken();
    const profile = await toProfile(row);
    if (!profile) throw new Error('a customer just registered decrypts');
    return profile;
  }

  async function findCustomerById(id: string): Promise<CustomerProfile | undefined> {
    const row = await repository.findCustomerById(db, id);
    return row && toProfile(row);
  }

  /** Changes the signed-in customer's profile; undefined when there is no such (unerased) customer. */
  async function updateProfile(id: string, change: ProfileChange): Promise<CustomerProfile | undefined> {
    const name = change.name?.trim();
    const email = change.email?.trim();
    if (name !== undefined && name.length === 0) throw blankName();
    const seal = async (field: string, value: string | undefined) =>
      value === undefined ? undefined : vault.encrypt(id, field, value);
    const sealNullable = async (field: string, value: string | null | undefined) =>
      value === null ? null : seal(field, value);
    const existing = await repository.findCustomerById(db, id);
    if (!existing || existing.status === 'erased') return undefined;
    const [nameCiphertext, emailCiphertext, emailIndex, phoneCiphertext, addressCiphertext] = await Promise.all([
      seal('name', name),
      seal('email', email),
      email === undefined ? undefined : emailIndexOf(email),
      sealNullable('phone', change.phone),
      sealNullable('address', change.address && JSON.stringify(change.address)),
    ]);
    try {
      const updated = await repository.updatePersonalData(db, id, {
        nameCiphertext,
        emailCiphertext,
        emailIndex,
        phoneCiphertext,
        addressCiphertext,
      });
      if (!updated) throw emailTaken();
    } catch (error) {
      throw isUniqueViolation(error) ? emailTaken() : error;
    }
    // The e-mail is a sign-in credential: its change is audited (which fields changed, never the values).
    const fields = Object.keys(change).filter((field) => change[field as keyof ProfileChange] !== undefined);
    await modules.audit.recordNow({
      action: 'customer.profile_changed',
      actor: { kind: 'customer', id },
      subject: { kind: 'customer', id },
      details: { fields: fields.sort().join(' ') },
    });
    return findCustomerById(id);
  }

  /** Holders' names for statements and confirmation of payee; erased customers show a placeholder. */
  async function holderNames(ids: readonly string[]): Promise<Map<string, string>> {
    const rows = await repository.findCustomersByIds(db, [...new Set(ids)]);
    const names = await Promise.all(
      rows.map(
        async (row) =>
          [
            row.id,
            (await vault.decryptUnlessErased(row.id, 'name', row.name_ciphertext)) ?? erasedCustomerName,
          ] as const,
      ),
    );
    return new Map(names);
  }

  /** The same names from ciphertexts another module's query carried (holderNameCiphertextSql). */
  async function holderNamesOf(
    rows: readonly { customerId: string; nameCiphertext: string | null }[],
  ): Promise<Map<string, string>> {
    const unique = new Map(
      rows.flatMap((row) => (row.nameCiphertext === null ? [] : [[row.customerId, row.nameCiphertext]])),
    );
    const names = await Promise.all(
      [...unique].map(
        async ([id, ciphertext]) =>
          [id, (await vault.decryptUnlessErased(id, 'name', ciphertext)) ?? erasedCustomerName] as const,
      ),
    );
    return new Map(names);
  }

  /**
   * Erasure's identity part, in the caller's transaction: status erased, e-mail index gone, and the
   * customer's data key destroyed (crypto-shredding), so every ciphertext of theirs, here and in
   * other modules, is unreadable from now on. False when there is no such customer or already erased.
   */
  async function erasePersonalData(tx: Queryable, id: string): Promise<boolean> {
    const row = await repository.lockCustomer(tx, id);
    if (!row || row.status === 'erased') return false;
    await repository.markErased(tx, id);
    await vault.destroyCustomerKey(id, tx);
    // Before the commit, so no request between the commit and this write finds "active" cached; if
    // the erasure rolls back the customer is refused for customerStatusCachedMs at most (fail closed).
    await rememberStatus(id, 'erased');
    return true;
  }

  /** Overwrites the cached status: every pod's admission sees the change from the next request. */
  async function rememberStatus(id: string, status: repository.CustomerStatus): Promise<void> {
    await cache.set(customerStatusKey(id), status, customerStatusCachedMs);
  }

  /**
   * Sets a customer's status unconditionally, without audit or event (tests of admission): tokens and
   * refresh tokens stop (or work again) from the next request. The bank's operators change it
   * through changeCustomerStatus (audited, bound to the status it was asked from). False when there
   * is no such customer, or it was erased (which is final).
   */
  async function setCustomerStatus(id: string, status: Exclude<repository.CustomerStatus, 'erased'>) {
    const changed = await repository.setCustomerStatus(db, id, status);
    if (changed) await rememberStatus(id, status);
    return changed;
  }

  /**
   * An operator's change of a customer's status (lock, unlock, close: customer-status.ts decides which
   * apply), as a compare-and-set from `from`, with its audit record and outbox event in the same
   * transaction. The cached status that admission reads is written so that a failure fails closed:
   * a stricter status before the commit (a rollback leaves the customer refused for
   * customerStatusCachedMs at most, never admitted), a lighter one after it (a lost write leaves the
   * stricter status cached for that long).
   */
  async function changeCustomerStatus(input: StatusChangeInput): Promise<StatusChangeResult> {
    const { customerId, from, to } = input;
    const stricter = to !== 'active';
    const result = await db.transaction(async (tx) => {
      const changed = await repository.changeCustomerStatus(tx, customerId, { from, to });
      if (!changed?.changed) return changed;
      await modules.audit.record(tx, {
        action: `customer.${statusChangeVerbs[to]}`,
        actor: { kind: 'operator', id: input.operatorId },
        subject: { kind: 'customer', id: customerId },
        details: {
          from,
          reason: input.reason,
          ...(input.approvedBy ? { approvedBy: input.approvedBy } : {}),
        },
      });
      // No personal data and no reason text: consumers (notifications, other channels) look the customer up.
      await repository.insertOutboxEvent(tx, {
        id: newId('outboxEvent'),
        topic: 'customer.status_changed',
        aggregateId: customerId,
        payload: { customerId, from, to },
      });
      if (stricter) await rememberStatus(customerId, to);
      return changed;
    });
    if (result?.changed && !stricter) {
      await rememberStatus(customerId, to).catch(() => {
        // Fails closed: the stricter status stays cached for customerStatusCachedMs at most.
      });
    }
    return result === undefined
      ? { kind: 'not_found' }
      : { kind: result.changed ? 'changed' : 'conflict', before: result.before };
  }

  /** True when the customer exists and may sign in and use tokens. */
  async function isCustomerActive(id: string): Promise<boolean> {
    return (await repository.customerStatus(db, id)) === 'active';
  }

  /**
   * The admission check (platform/admission.ts): is the token's customer still active? PostgreSQL
   * decides; its answer is cached for customerStatusCachedMs. The cached value is written only when
   * absent, so a status change written meanwhile (setCustomerStatus, erasure) is never overwritten
   * by an older read. Any failure propagates (503): an unknown status never admits.
   */
  async function isCustomerAdmitted(id: string): Promise<boolean> {
    const cached = await cache.get(customerStatusKey(id));
    return cached !== undefined ? cached === 'active' : customerAdmittedOnMiss(id);
  }

  /** The cache had no answer: ask PostgreSQL and cache it (only if still absent). */
  async function customerAdmittedOnMiss(id: string): Promise<boolean> {
    const status = (await repository.customerStatus(db, id)) ?? 'unknown';
    await cache.setIfAbsent(customerStatusKey(id), status, customerStatusCachedMs);
    return status === 'active';
  }

  /**
   * Checks an e-mail and password for the hosted login page. Unknown e-mails, wrong passwords and
   * erased customers all answer `rejected` after the same argon2 work, so neither the answer nor
   * its timing reveals which e-mails have accounts; `inactive` needs the right password.
   */
  async function signIn(input: { email: string; password: string; ip: string }): Promise<SignInOutcome> {
    const emailNormalized = normalizeEmail(input.email);
    const verdict = await throttle.admit(emailNormalized, input.ip);
    if (!verdict.allowed) return { kind: 'throttled', retryAfterS: verdict.retryAfterS };
    const customer = await repository.findCustomerByEmailIndex(db, await vault.blindIndex('email', emailNormalized));
    const matches = await passwordMatches(customer?.password_hash ?? (await dummyPasswordHash()), input.password);
    if (customer && matches && customer.status === 'active') {
      await throttle.recordSuccess(emailNormalized);
      return { kind: 'signed_in', customerId: customer.id };
    }
    // Counted as a failure: a locked customer's attempts stay under the throttle like any refusal.
    await throttle.recordFailure(emailNormalized, input.ip);
    if (customer && matches && (customer.status === 'locked' || customer.status === 'closed')) {
      return { kind: 'inactive', customerId: customer.id, status: customer.status };
    }
    return { kind: 'rejected' };
  }

  /**
   * Records a revoked grant in PostgreSQL (the source of truth, ADR 0065) long enough for every
   * access token issued under it to expire, then overwrites the cached answer so every pod refuses
   * its tokens from the next request.
   */
  async function markGrantRevoked(grantId: string): Promise<void> {
    await repository.insertRevokedGrant(db, grantId, revokedGrantMemoryMs / 1000);
    await cache.set(grantStateKey(grantId), 'revoked', revokedGrantMemoryMs);
  }

  /**
   * True when the grant was revoked. The cache holds PostgreSQL's answer (`live` for
   * grantStateCachedMs, written only when absent so it never overwrites a revocation); a miss, for
   * whatever reason (expiry, eviction, a flushed or restarted Redis), asks PostgreSQL again.
   */
  async function isGrantRevoked(grantId: string): Promise<boolean> {
    const cached = await cache.get(grantStateKey(grantId));
    return cached !== undefined ? cached !== 'live' : grantRevokedOnMiss(grantId);
  }

  async function grantRevokedOnMiss(grantId: string): Promise<boolean> {
    const key = grantStateKey(grantId);
    const revoked = await repository.isGrantRevoked(db, grantId);
    if (revoked) await cache.set(key, 'revoked', revokedGrantMemoryMs);
    else await cache.setIfAbsent(key, 'live', grantStateCachedMs);
    return revoked;
  }

  /**
   * The same two checks as admission reads them (platform/admission.ts): the cached answers' keys
   * and admitting values, read in admission's one cache call, and PostgreSQL on a miss.
   */
  const admissionStates: { grantState: CachedSecurityState; customerStatus: CachedSecurityState } = {
    grantState: { keyOf: grantStateKey, admits: 'live', admitsOnMiss: async (id) => !(await grantRevokedOnMiss(id)) },
    customerStatus: { keyOf: customerStatusKey, admits: 'active', admitsOnMiss: customerAdmittedOnMiss },
  };

  return {
    registerCustomer,
    findCustomerById,
    updateProfile,
    holderNames,
    holderNamesOf,
    erasePersonalData,
    /** True when the customer's personal data was erased (their data key destroyed). */
    isErased: (id: string) => vault.isErased(id),
    /** Start-up: encrypts rows written before personal data was encrypted (idempotent, batched). */
    encryptPlaintextCustomers: () => encryptPlaintextCustomers(db, vault),
    isCustomerActive,
    isCustomerAdmitted,
    setCustomerStatus,
    changeCustomerStatus,
    /** The customer's status as stored; undefined when there is no such customer. */
    customerStatusOf: (id: string) => repository.customerStatus(db, id),
    signIn,
    markGrantRevoked,
    isGrantRevoked,
    admissionStates,
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
