import { randomBytes } from 'node:crypto';

/**
 * Opaque, prefixed, time-ordered identifiers: `acc_01jf8x…`. The body is a UUIDv7 (RFC 9562) in
 * Crockford base32, so ids sort by creation time (good B-tree locality) and cannot be enumerated
 * (74 random bits). The prefix says what the id names, as Stripe's do.
 */
export const idPrefixes = {
  customer: 'cus',
  account: 'acc',
  ledgerAccount: 'lac',
  journalEntry: 'jnl',
  posting: 'pst',
  transfer: 'trf',
  accountTransaction: 'txn',
  outboxEvent: 'evt',
  session: 'ses',
  auditRecord: 'aud',
  operator: 'opr',
  approval: 'apr',
  passkey: 'pky',
  stepUpChallenge: 'sup',
  payee: 'pye',
  kycSubmission: 'kys',
  insight: 'ins',
} as const;
export type IdKind = keyof typeof idPrefixes;

const crockford = '0123456789abcdefghjkmnpqrstvwxyz';
let lastMs = 0;
let lastCounter = 0;

function uuidv7Bytes(): Buffer {
  const bytes = randomBytes(16);
  let ms = Date.now();
  // Monotonic within the process: same millisecond bumps a 12-bit counter in rand_a.
  if (ms <= lastMs) {
    lastCounter += 1;
    if (lastCounter > 0xfff) {
      lastMs += 1;
      lastCounter = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    lastCounter = 0;
  }
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (lastCounter >> 8);
  bytes[7] = lastCounter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  return bytes;
}

function base32(bytes: Buffer): string {
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  for (let i = 0; i < 26; i += 1) {
    out = crockford[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${base32(uuidv7Bytes())}`;
}

const idPattern = /^[a-z]{3}_[0-9a-hjkmnp-tv-z]{26}$/;

/** True when `value` is shaped like an id of `kind`; used before touching the database. */
export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${idPrefixes[kind]}_`) && idPattern.test(value);
}

/** JSON schema pattern for an id of `kind`, used in route schemas. */
export function idSchemaPattern(kind: IdKind): string {
  return `^${idPrefixes[kind]}_[0-9a-hjkmnp-tv-z]{26}$`;
}
