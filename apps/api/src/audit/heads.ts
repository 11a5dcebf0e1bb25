import path from 'node:path';
import type { Config } from '../platform/config.ts';
import { auditHeadBytesMax } from '../platform/constants.ts';
import {
  awsDefaultCredentials,
  createAwsSigningKey,
  createLocalSigningKey,
  type SigningKey,
} from '../platform/crypto/signing.ts';
import { chainVersion } from './chain.ts';
import { createLocalHeadStore, createS3HeadStore, type HeadStore } from './head-store.ts';

/**
 * Signed chain heads (docs/adr/0055-signed-audit-chain-heads.md). A head says "at exportedAt the
 * audit chain held `count` records and its record at `position` hashed to `hash`", signed with a
 * key the database role cannot use (KMS in production) and written where nobody can replace it
 * (S3 Object Lock). Because every record's hash covers its predecessor's, a head that still
 * matches the chain anchors every record up to its position.
 *
 * The signed bytes, format version 1 (docs/operations/audit.md repeats them for auditors):
 *
 *   UTF-8 of JSON.stringify(["nextgen-audit-head/1", "nextgen-audit/1", position, hash, count,
 *     sealedAt, exportedAt, algorithm, keyId])
 *
 * position and count as decimal strings, timestamps ISO 8601 UTC with milliseconds; the signature
 * is ES256 (ECDSA P-256 SHA-256), DER, base64 in the stored document.
 */
export const headFormat = 'nextgen-audit-head/1';

export interface ChainHead {
  readonly position: bigint;
  readonly hash: string;
  /** Sealed records in the chain when the head was exported (positions are dense, so normally = position). */
  readonly count: bigint;
  /** When the record at `position` was sealed. */
  readonly sealedAt: Date;
  readonly exportedAt: Date;
}

export interface ExportedHead extends ChainHead {
  readonly algorithm: 'ES256';
  readonly keyId: string;
  readonly signature: Buffer;
}

/** What the export needs: where heads go, what signs them, how long the store must keep them. */
export interface AuditHeadSettings {
  readonly store: HeadStore;
  readonly signingKey: SigningKey;
  readonly retentionDays: number;
}

export const headNameOf = (position: bigint) => `${position.toString().padStart(20, '0')}.json`;

export function signedBytes(head: ChainHead, algorithm: string, keyId: string): Buffer {
  return Buffer.from(
    JSON.stringify([
      headFormat,
      chainVersion,
      head.position.toString(),
      head.hash,
      head.count.toString(),
      head.sealedAt.toISOString(),
      head.exportedAt.toISOString(),
      algorithm,
      keyId,
    ]),
    'utf8',
  );
}

/** The stored document: the signed fields, readable, and the signature. */
export function headDocument(head: ExportedHead): Buffer {
  return Buffer.from(
    `${JSON.stringify(
      {
        format: headFormat,
        chain: chainVersion,
        position: head.position.toString(),
        hash: head.hash,
        count: head.count.toString(),
        sealedAt: head.sealedAt.toISOString(),
        exportedAt: head.exportedAt.toISOString(),
        algorithm: head.algorithm,
        keyId: head.keyId,
        signature: head.signature.toString('base64'),
      },
      null,
      2,
    )}\n`,
    'utf8',
  );
}

const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Parses a stored document; undefined when it is not one (a forged or damaged head). */
export function parseHeadDocument(bytes: Buffer): ExportedHead | undefined {
  if (bytes.length > auditHeadBytesMax) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { format, chain, position, hash, count, sealedAt, exportedAt, algorithm, keyId, signature } = parsed;
  const wellFormed =
    format === headFormat &&
    chain === chainVersion &&
    typeof position === 'string' &&
    /^[1-9][0-9]{0,18}$/.test(position) &&
    typeof hash === 'string' &&
    /^[0-9a-f]{64}$/.test(hash) &&
    typeof count === 'string' &&
    /^(0|[1-9][0-9]{0,18})$/.test(count) &&
    typeof sealedAt === 'string' &&
    isoPattern.test(sealedAt) &&
    typeof exportedAt === 'string' &&
    isoPattern.test(exportedAt) &&
    algorithm === 'ES256' &&
    typeof keyId === 'string' &&
    keyId.length > 0 &&
    typeof signature === 'string' &&
    /^[A-Za-z0-9+/]+={0,2}$/.test(signature);
  if (!wellFormed) return undefined;
  return {
    position: BigInt(position),
    hash,
    count: BigInt(count),
    sealedAt: new Date(sealedAt),
    exportedAt: new Date(exportedAt),
    algorithm,
    keyId,
    signature: Buffer.from(signature, 'base64'),
  };
}

export async function signHead(head: ChainHead, signingKey: SigningKey): Promise<ExportedHead> {
  const keyId = await signingKey.keyId();
  const signed = await signingKey.sign(signedBytes(head, 'ES256', keyId));
  return { ...head, algorithm: signed.algorithm, keyId: signed.keyId, signature: signed.signature };
}

export async function headSignatureValid(head: ExportedHead, signingKey: SigningKey): Promise<boolean> {
  return signingKey.verify(signedBytes(head, head.algorithm, head.keyId), head);
}

/**
 * The head store and signing key the configuration names. Built without any I/O: keys load and
 * stores connect on first use.
 */
export function auditHeadsFromConfig(config: Config): AuditHeadSettings {
  const heads = config.auditHeads;
  const store =
    heads.store === 's3'
      ? createS3HeadStore({
          bucket: required(heads.bucket, 'AUDIT_HEAD_BUCKET'),
          region: required(heads.region, 'AUDIT_HEAD_REGION'),
          prefix: heads.prefix,
          endpoint: heads.endpoint,
          credentials: awsDefaultCredentials(required(heads.region, 'AUDIT_HEAD_REGION')),
        })
      : createLocalHeadStore(heads.dir);
  const signingKey =
    heads.signing === 'aws'
      ? createAwsSigningKey({
          keyId: required(heads.kmsKeyId, 'AUDIT_HEAD_KMS_KEY_ID'),
          region: required(config.awsRegion, 'AWS_REGION'),
          endpoint: config.kmsEndpoint,
        })
      : createLocalSigningKey(
          heads.signingKeyFile ??
            (config.environment === 'test' ? undefined : path.join(config.dataDir, 'audit-head-key.json')),
        );
  return { store, signingKey, retentionDays: heads.retentionDays };
}

function required<T>(value: T | undefined, setting: string): T {
  if (value === undefined) throw new Error(`config.ts guarantees ${setting} here`);
  return value;
}

/** What verifying the exported heads can find (docs/operations/audit.md explains each). */
export type ExportedHeadFinding =
  /** The chain no longer holds the signed hash at the head's position: rewritten (or that record deleted). */
  | { readonly kind: 'exported_head_rewritten'; readonly position: bigint; readonly name: string }
  /** A signed head lies beyond the chain's last record: the tail was cut off. */
  | {
      readonly kind: 'exported_head_beyond_chain';
      readonly position: bigint;
      readonly lastPosition: bigint;
      readonly name: string;
    }
  /** A stored head that is not a head this deployment signed (bad signature, unknown key, damaged, misnamed). */
  | { readonly kind: 'exported_head_forged'; readonly name: string };
