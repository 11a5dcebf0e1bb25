import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import {
  blindIndexBytes,
  dataKeyCacheTtlMs,
  dataKeysCachedMax,
  decryptedFieldsPerKeyMax,
  personalFieldLengthMax,
} from '../constants.ts';
import type { Queryable } from '../database.ts';
import { assert, DomainError } from '../errors.ts';
import type { KeyManagement } from './key-management.ts';
import * as repo from './repository.ts';

/**
 * The personal-data vault: AES-256-GCM field encryption under per-customer data keys (envelope
 * encryption, ADR 0030), keyed blind indexes for equality lookups (ADR 0031), and crypto-shredding
 * (ADR 0032).
 *
 * Ciphertext format `pd1.<base64url(iv 12 | ciphertext | tag 16)>`, text so it fits any column.
 * The additional authenticated data is `nextgen/pd1|<customerId>|<field>`: a ciphertext moved to
 * another customer's row or another field fails to decrypt. Unwrapped data keys live in a bounded
 * LRU with a TTL, so a warm request costs no KMS call.
 */
export interface PersonalDataVault {
  /** Encrypts one field of a customer's personal data (creates the customer's data key on first use). */
  encrypt(customerId: string, field: string, plaintext: string): Promise<string>;
  /** Decrypts; throws `customer_erased` (410) when the customer's key was destroyed. */
  decrypt(customerId: string, field: string, ciphertext: string): Promise<string>;
  /** Decrypts, or undefined when the customer was erased: for readers that show a placeholder instead. */
  decryptUnlessErased(customerId: string, field: string, ciphertext: string): Promise<string | undefined>;
  /** Keyed blind index of an already-normalized value: 32 hex characters, equal for equal values. */
  blindIndex(field: string, value: string): Promise<string>;
  /** Crypto-shredding: destroys the customer's data key, in `q`'s transaction when given. True when destroyed now. */
  destroyCustomerKey(customerId: string, q?: Queryable): Promise<boolean>;
  /** True when the customer's data key was destroyed. */
  isErased(customerId: string): Promise<boolean>;
}

export const customerErased = () =>
  new DomainError(
    410,
    'customer_erased',
    'Gone',
    "This customer's personal data was erased at their request and can no longer be shown or changed.",
  );

const formatPrefix = 'pd1.';
const ivBytes = 12;
const tagBytes = 16;
const fieldPattern = /^[a-z][a-z0-9_.]{0,63}$/;
const dataKeyContext = (customerId: string) => ({ purpose: 'customer-data-key', customerId });
const aadOf = (customerId: string, field: string) => Buffer.from(`nextgen/pd1|${customerId}|${field}`);

/**
 * Bounded LRU with expiry: Map keeps insertion order, so the first key is the least recently used.
 * Each entry also memoises the fields decrypted under its key (`plaintexts`), so a holder's name read
 * on every payment and history page is decrypted once per cached lifetime; the memo goes with the key.
 */
function createKeyCache(maxEntries: number, ttlMs: number) {
  const entries = new Map<string, { key: Buffer; expiresAtMs: number; plaintexts: Map<string, string> }>();
  return {
    get(id: string): Buffer | undefined {
      const entry = entries.get(id);
      if (!entry) return undefined;
      entries.delete(id);
      if (entry.expiresAtMs <= Date.now()) return undefined;
      entries.set(id, entry);
      return entry.key;
    },
    /** The decrypted-field memo of the entry holding exactly `key`, if it is still cached. */
    plaintexts(id: string, key: Buffer): Map<string, string> | undefined {
      const entry = entries.get(id);
      return entry && entry.key === key && entry.expiresAtMs > Date.now() ? entry.plaintexts : undefined;
    },
    set(id: string, key: Buffer) {
      entries.delete(id);
      entries.set(id, { key, expiresAtMs: Date.now() + ttlMs, plaintexts: new Map() });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    delete(id: string) {
      entries.get(id)?.key.fill(0);
      entries.delete(id);
    },
  };
}

export function encryptField(key: Buffer, customerId: string, field: string, plaintext: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadOf(customerId, field));
  const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${formatPrefix}${body.toString('base64url')}`;
}

export function decryptField(key: Buffer, customerId: string, field: string, ciphertext: string): string {
  assert(ciphertext.startsWith(formatPrefix), `personal data field ${field} is in a known ciphertext format`);
  const body = Buffer.from(ciphertext.slice(formatPrefix.length), 'base64url');
  assert(body.length >= ivBytes + tagBytes, `personal data field ${field} holds iv and tag`);
  const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, ivBytes));
  decipher.setAAD(aadOf(customerId, field));
  decipher.setAuthTag(body.subarray(-tagBytes));
  return Buffer.concat([decipher.update(body.subarray(ivBytes, -tagBytes)), decipher.final()]).toString('utf8');
}

export function createPersonalDataVault(deps: { db: Queryable; kms: KeyManagement }): PersonalDataVault {
  const { db, kms } = deps;
  const cache = createKeyCache(dataKeysCachedMax, dataKeyCacheTtlMs);
  // Concurrent requests for one customer's cold key share one KMS call.
  const inFlight = new Map<string, Promise<Buffer | undefined>>();

  /** The customer's data key; undefined when erased; created when `create` and none exists yet. */
  async function dataKey(customerId: string, create: boolean): Promise<Buffer | undefined> {
    const cached = cache.get(customerId);
    if (cached) return cached;
    let pending = inFlight.get(customerId);
    if (!pending) {
      pending = loadDataKey(customerId, create).finally(() => inFlight.delete(customerId));
      inFlight.set(customerId, pending);
    }
    const key = await pending;
    if (key === undefined && create && !(await isErased(customerId))) return dataKey(customerId, true);
    return key;
  }

  async function loadDataKey(customerId: string, create: boolean): Promise<Buffer | undefined> {
    let stored = await repo.findDataKey(db, customerId);
    if (!stored && create) {
      const generated = await kms.generateDataKey(dataKeyContext(customerId));
      if (await repo.insertDataKey(db, customerId, generated)) {
        cache.set(customerId, generated.plaintextKey);
        return generated.plaintextKey;
      }
      generated.plaintextKey.fill(0);
      stored = await repo.findDataKey(db, customerId); // another request created it first
    }
    if (!stored || stored.state === 'destroyed') return undefined;
    const key = await kms.unwrapDataKey(stored.key, dataKeyContext(customerId));
    cache.set(customerId, key);
    return key;
  }

  async function isErased(customerId: string): Promise<boolean> {
    return (await repo.findDataKey(db, customerId))?.state === 'destroyed';
  }

  async function decryptUnlessErased(customerId: string, field: string, ciphertext: string) {
    assert(fieldPattern.test(field), `field name ${field} is valid`);
    const key = await dataKey(customerId, false);
    if (!key) {
      assert(await isErased(customerId), `customer ${customerId} has a data key for their ${field}`);
      return undefined;
    }
    const memo = cache.plaintexts(customerId, key);
    const memoKey = `${field}|${ciphertext}`;
    const memoised = memo?.get(memoKey);
    if (memoised !== undefined) return memoised;
    const plaintext = decryptField(key, customerId, field, ciphertext);
    if (memo && memo.size < decryptedFieldsPerKeyMax) memo.set(memoKey, plaintext);
    return plaintext;
  }

  let indexKey: Promise<Buffer> | undefined;
  const indexSubkeys = new Map<string, Buffer>();
  function blindIndexKey(): Promise<Buffer> {
    indexKey ??= loadVaultKey('blind_index');
    indexKey.catch(() => {
      indexKey = undefined;
    });
    return indexKey;
  }

  /** A platform key wrapped in vault_keys, created on first use; every process converges on the stored one. */
  async function loadVaultKey(name: string): Promise<Buffer> {
    const context = { purpose: 'vault-key', name };
    let stored = await repo.findVaultKey(db, name);
    if (!stored) {
      const generated = await kms.generateDataKey(context);
      generated.plaintextKey.fill(0);
      await repo.insertVaultKey(db, name, generated);
      stored = await repo.findVaultKey(db, name);
      assert(stored, `vault key ${name} exists after insert`);
    }
    return kms.unwrapDataKey(stored, context);
  }

  return {
    async encrypt(customerId, field, plaintext) {
      assert(fieldPattern.test(field), `field name ${field} is valid`);
      assert(plaintext.length <= personalFieldLengthMax, `personal data field ${field} is within its length limit`);
      const key = await dataKey(customerId, true);
      if (!key) throw customerErased();
      return encryptField(key, customerId, field, plaintext);
    },
    async decrypt(customerId, field, ciphertext) {
      const plaintext = await decryptUnlessErased(customerId, field, ciphertext);
      if (plaintext === undefined) throw customerErased();
      return plaintext;
    },
    decryptUnlessErased,
    async blindIndex(field, value) {
      assert(fieldPattern.test(field), `field name ${field} is valid`);
      let subkey = indexSubkeys.get(field);
      if (!subkey) {
        // One subkey per field, so equal values in different fields do not share an index.
        subkey = createHmac('sha256', await blindIndexKey())
          .update(`nextgen/bi1|${field}`)
          .digest();
        indexSubkeys.set(field, subkey);
      }
      return createHmac('sha256', subkey).update(value, 'utf8').digest().subarray(0, blindIndexBytes).toString('hex');
    },
    async destroyCustomerKey(customerId, q = db) {
      const destroyed = await repo.destroyDataKey(q, customerId);
      cache.delete(customerId);
      return destroyed;
    },
    isErased,
  };
}
