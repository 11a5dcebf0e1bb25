import { createHash } from 'node:crypto';

/**
 * The audit chain's canonical encoding, version 1 (docs/operations/audit.md repeats it so anyone can
 * re-check the chain without this code):
 *
 *   hash = lowercase hex SHA-256 of the UTF-8 bytes of JSON.stringify([
 *     "nextgen-audit/1", position (decimal string), previousHash, id, occurredAt, sealedAt,
 *     action, actorKind, actorId, subjectKind or null, subjectId or null,
 *     details as [key, value] pairs sorted by key (UTF-16 code unit order)
 *   ])
 *
 * Timestamps are ISO 8601 UTC with milliseconds (`2026-11-26T08:53:39.123Z`). The first record's
 * previousHash is 64 zeros. A JSON array, not concatenated text, so no field can bleed into the next.
 */
export const genesisHash = '0'.repeat(64);
export const chainVersion = 'nextgen-audit/1';

export type AuditDetailValue = string | number | boolean;

export interface SealedContent {
  readonly position: bigint;
  readonly previousHash: string;
  readonly id: string;
  readonly occurredAt: Date;
  readonly sealedAt: Date;
  readonly action: string;
  readonly actorKind: string;
  readonly actorId: string;
  readonly subjectKind: string | null;
  readonly subjectId: string | null;
  readonly details: Readonly<Record<string, AuditDetailValue>>;
}

export function canonicalEncoding(record: SealedContent): string {
  const details = Object.keys(record.details)
    .sort()
    .map((key) => [key, record.details[key]]);
  return JSON.stringify([
    chainVersion,
    record.position.toString(),
    record.previousHash,
    record.id,
    record.occurredAt.toISOString(),
    record.sealedAt.toISOString(),
    record.action,
    record.actorKind,
    record.actorId,
    record.subjectKind,
    record.subjectId,
    details,
  ]);
}

export function recordHash(record: SealedContent): string {
  return createHash('sha256').update(canonicalEncoding(record), 'utf8').digest('hex');
}
