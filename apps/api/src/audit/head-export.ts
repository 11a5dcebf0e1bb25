import { auditHeadsVerifiedMax } from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';
import {
  type AuditHeadSettings,
  type ExportedHead,
  type ExportedHeadFinding,
  headDocument,
  headNameOf,
  headSignatureValid,
  parseHeadDocument,
  signHead,
} from './heads.ts';
import * as repo from './repository.ts';

/**
 * The outcome of one export: `exported` wrote a new head; `already_exported` found this position's
 * head in the store already (another worker, or the chain has not moved since the last run);
 * `empty` means there is nothing sealed to anchor yet.
 */
export type ChainHeadExport =
  | { readonly outcome: 'exported' | 'already_exported'; readonly name: string; readonly head: ExportedHead }
  | { readonly outcome: 'empty' };

export interface ExportedHeadsVerification {
  /** Heads in the store. */
  readonly listed: number;
  /** The newest of them that were read and checked (at most auditHeadsVerifiedMax). */
  readonly checked: number;
  /** The highest position a validly signed head anchors and the chain still matches; 0n when none. */
  readonly anchoredPosition: bigint;
  readonly findings: readonly ExportedHeadFinding[];
}

/** The store holds a different head for a position the chain is at: the chain or the store was tampered with. */
export class ChainHeadConflict extends Error {
  constructor(name: string) {
    super(
      `the exported audit head ${name} does not match the chain at its position: run ./ng audit verify and investigate`,
    );
    this.name = 'ChainHeadConflict';
  }
}

const daysMs = 86_400_000;

export async function exportChainHead(db: Queryable, settings: AuditHeadSettings): Promise<ChainHeadExport> {
  const last = await repo.lastSealed(db);
  if (!last) return { outcome: 'empty' };
  const exportedAt = new Date();
  const head = await signHead(
    { position: last.position, hash: last.hash, count: last.count, sealedAt: last.sealed_at, exportedAt },
    settings.signingKey,
  );
  const name = headNameOf(head.position);
  const retainUntil = new Date(exportedAt.getTime() + settings.retentionDays * daysMs);
  if ((await settings.store.putOnce(name, headDocument(head), retainUntil)) === 'written') {
    return { outcome: 'exported', name, head };
  }
  // The name is taken. The same position with the same hash is an earlier export of this head
  // (times and ECDSA signatures differ run to run); anything else is a finding, not a retry.
  const stored = await readHead(settings, name);
  if (stored && stored.position === head.position && stored.hash === head.hash) {
    return { outcome: 'already_exported', name, head: stored };
  }
  throw new ChainHeadConflict(name);
}

/** The stored head under `name` if it is well formed, correctly named and signed by this deployment's key. */
async function readHead(settings: AuditHeadSettings, name: string): Promise<ExportedHead | undefined> {
  const bytes = await settings.store.get(name);
  const head = bytes && parseHeadDocument(bytes);
  if (!head || headNameOf(head.position) !== name) return undefined;
  return (await headSignatureValid(head, settings.signingKey)) ? head : undefined;
}

/** The newest `max` names of an ascending listing, without holding the whole listing. */
async function newestNames(store: AuditHeadSettings['store'], max: number) {
  const newest: string[] = [];
  let listed = 0;
  for await (const name of store.list()) {
    listed += 1;
    newest.push(name);
    if (newest.length > max) newest.shift();
  }
  return { listed, newest };
}

/**
 * Checks the newest exported heads against the chain's stored hashes. Sound together with the
 * chain walk (service.verify), which proves each stored hash matches its record and links to the
 * one before: a head whose hash is still at its position then anchors every record up to it.
 */
export async function verifyExportedHeads(
  db: Queryable,
  settings: AuditHeadSettings,
): Promise<ExportedHeadsVerification> {
  const { listed, newest } = await newestNames(settings.store, auditHeadsVerifiedMax);
  const heads: { name: string; head: ExportedHead | undefined }[] = [];
  for (const name of newest) heads.push({ name, head: await readHead(settings, name) });
  const lastPosition = await repo.lastSealedPosition(db);
  const valid = heads.flatMap(({ head }) => (head ? [head] : []));
  const stored = await repo.hashesAt(
    db,
    valid.map((head) => head.position),
  );
  const findings: ExportedHeadFinding[] = [];
  let anchoredPosition = 0n;
  for (const { name, head } of heads) {
    if (!head) {
      findings.push({ kind: 'exported_head_forged', name });
    } else if (head.position > lastPosition) {
      findings.push({ kind: 'exported_head_beyond_chain', position: head.position, lastPosition, name });
    } else if (stored.get(head.position) !== head.hash) {
      findings.push({ kind: 'exported_head_rewritten', position: head.position, name });
    } else if (head.position > anchoredPosition) {
      anchoredPosition = head.position;
    }
  }
  return { listed, checked: heads.length, anchoredPosition, findings };
}
