import {
  auditDetailLengthMax,
  auditDetailsMax,
  auditSealBatchSizeMax,
  auditSealIntervalMs,
  auditVerifyPageSize,
} from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { assert } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { type AuditDetailValue, genesisHash, recordHash, type SealedContent } from './chain.ts';
import {
  type ChainHeadExport,
  type ExportedHeadsVerification,
  exportChainHead,
  verifyExportedHeads,
} from './head-export.ts';
import { type AuditHeadSettings, auditHeadsFromConfig, type ExportedHeadFinding } from './heads.ts';
import * as repo from './repository.ts';

/**
 * The audit log (docs/adr/0040-audit-log-hash-chain-and-sealer.md). Other modules call
 * `services.audit.record(tx, event)` inside the transaction of the effect they audit: the record
 * commits or rolls back with it. A sealer (startSealer, or seal() in tests and the CLI) chains
 * committed records; `verify()` walks the chain and reports every break.
 *
 * Details never hold personal data, tokens, secrets or full account numbers: ids, codes, counts and
 * amounts only.
 */
export interface AuditEvent {
  readonly action: string;
  readonly actor: { readonly kind: 'customer' | 'operator' | 'system'; readonly id: string };
  readonly subject?: { readonly kind: string; readonly id: string };
  readonly details?: Readonly<Record<string, AuditDetailValue>>;
}

export type AuditFinding =
  | { readonly kind: 'tampered'; readonly position: bigint; readonly id: string }
  | { readonly kind: 'missing'; readonly afterPosition: bigint; readonly beforePosition: bigint }
  | { readonly kind: 'broken_link'; readonly position: bigint; readonly id: string; readonly previousPosition: bigint }
  | { readonly kind: 'missing_tail'; readonly lastPosition: bigint; readonly headPosition: bigint }
  | { readonly kind: 'head_mismatch'; readonly headPosition: bigint }
  | ExportedHeadFinding;

export interface AuditVerification {
  readonly sealed: bigint;
  readonly pending: number;
  readonly findings: readonly AuditFinding[];
}

export interface AuditRecordView {
  readonly id: string;
  readonly position: string;
  readonly occurredAt: string;
  readonly action: string;
  readonly actor: { kind: string; id: string };
  readonly subject: { kind: string; id: string } | null;
  readonly details: Record<string, AuditDetailValue>;
}

const actionPattern = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** Programmer errors crash loudly: an audit call with a malformed event is a bug, not client input. */
function checkEvent(event: AuditEvent): void {
  assert(actionPattern.test(event.action), `audit action "${event.action}" must look like "module.verb_noun"`);
  assert(event.actor.id.length > 0, 'an audit actor has an id');
  const entries = Object.entries(event.details ?? {});
  assert(entries.length <= auditDetailsMax, `at most ${auditDetailsMax} audit details`);
  for (const [key, value] of entries) {
    const ok =
      (typeof value === 'string' && value.length <= auditDetailLengthMax) ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isSafeInteger(value));
    assert(ok, `audit detail "${key}" must be a short string, a safe integer or a boolean`);
  }
}

function pendingOf(event: AuditEvent, occurredAt: Date): repo.PendingInsert {
  checkEvent(event);
  return {
    id: newId('auditRecord'),
    occurredAt,
    action: event.action,
    actorKind: event.actor.kind,
    actorId: event.actor.id,
    subjectKind: event.subject?.kind ?? null,
    subjectId: event.subject?.id ?? null,
    details: event.details ?? {},
  };
}

/** A stored record's own fields, the same in both audit tables. */
const recordOf = (row: repo.PendingRow | repo.SealedRow): repo.PendingInsert => ({
  id: row.id,
  occurredAt: row.occurred_at,
  action: row.action,
  actorKind: row.actor_kind,
  actorId: row.actor_id,
  subjectKind: row.subject_kind,
  subjectId: row.subject_id,
  details: row.details,
});

const contentOf = (row: repo.SealedRow): SealedContent => ({
  ...recordOf(row),
  position: row.position,
  previousHash: row.previous_hash,
  sealedAt: row.sealed_at,
});

/** Compares each record with its predecessor; pure, so the rules of a finding are in one place. */
function checkRecord(row: repo.SealedRow, previous: { position: bigint; hash: string }): AuditFinding[] {
  const findings: AuditFinding[] = [];
  if (row.position !== previous.position + 1n) {
    findings.push({ kind: 'missing', afterPosition: previous.position, beforePosition: row.position });
  } else if (row.previous_hash !== previous.hash) {
    findings.push({ kind: 'broken_link', position: row.position, id: row.id, previousPosition: previous.position });
  }
  if (recordHash(contentOf(row)) !== row.hash) findings.push({ kind: 'tampered', position: row.position, id: row.id });
  return findings;
}

/**
 * `heads` says where chain heads are exported and what signs them; without it they come from
 * `config` (auditHeadsFromConfig), and with neither, exporting and checking heads throws.
 */
export interface AuditServiceDependencies
  extends Pick<AppDependencies, 'db'>,
    Partial<Pick<AppDependencies, 'config'>> {
  readonly heads?: AuditHeadSettings;
}

export function createAuditService(deps: AuditServiceDependencies) {
  const { db } = deps;
  let heads = deps.heads;
  const headSettings = (): AuditHeadSettings => {
    if (!deps.config && !heads) throw new Error('the audit service was built without head export settings');
    heads ??= auditHeadsFromConfig(deps.config as NonNullable<typeof deps.config>);
    return heads;
  };

  /** Chains up to auditSealBatchSizeMax committed pending records; returns how many it sealed. */
  async function sealOnce(): Promise<number> {
    return db.transaction(async (tx) => {
      let head = await repo.lockChainHead(tx);
      const pending = await repo.oldestPending(tx, auditSealBatchSizeMax);
      if (pending.length === 0) return 0;
      const sealedAt = new Date();
      const sealed = pending.map((row) => {
        const content: SealedContent = {
          ...recordOf(row),
          position: head.position + 1n,
          previousHash: head.hash,
          sealedAt,
        };
        const hash = recordHash(content);
        head = { position: content.position, hash };
        return { ...content, hash };
      });
      await repo.appendSealed(
        tx,
        sealed,
        pending.map((row) => row.seq),
      );
      return sealed.length;
    });
  }

  /** Seals every committed pending record; returns how many. */
  async function seal(): Promise<number> {
    let total = 0;
    for (;;) {
      const sealed = await sealOnce();
      total += sealed;
      if (sealed < auditSealBatchSizeMax) return total;
    }
  }

  return {
    /** Records an audit event in the caller's transaction (pass the transaction, not the pool). */
    async record(q: Queryable, event: AuditEvent): Promise<void> {
      await repo.insertPending(q, [pendingOf(event, new Date())]);
    },

    /**
     * Records an event that has no transaction of its own (a refused sign-in changes nothing
     * else); prefer `record(tx, …)` inside the effect's transaction wherever there is one.
     */
    async recordNow(event: AuditEvent): Promise<void> {
      await repo.insertPending(db, [pendingOf(event, new Date())]);
    },

    /** Records many events with one statement (a transfer batch's trail). */
    async recordMany(q: Queryable, events: readonly AuditEvent[]): Promise<void> {
      if (events.length === 0) return;
      const occurredAt = new Date();
      await repo.insertPending(
        q,
        events.map((event) => pendingOf(event, occurredAt)),
      );
    },

    seal,

    /**
     * Runs the sealer every auditSealIntervalMs until the returned stop() is awaited. Several
     * processes may run it: the chain head's row lock lets one seal at a time.
     */
    startSealer(onError: (error: unknown) => void): () => Promise<void> {
      let running: Promise<unknown> = Promise.resolve();
      const timer = setInterval(() => {
        running = running.then(seal).catch(onError);
      }, auditSealIntervalMs);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await running;
      };
    },

    /** Walks the whole chain and reports every tampered, missing or unlinked record. */
    async verify(): Promise<AuditVerification> {
      const findings: AuditFinding[] = [];
      let previous = { position: 0n, hash: genesisHash };
      for (;;) {
        const page = await repo.sealedPage(db, previous.position, auditVerifyPageSize);
        for (const row of page) {
          findings.push(...checkRecord(row, previous));
          previous = { position: row.position, hash: row.hash };
        }
        if (page.length < auditVerifyPageSize) break;
      }
      const head = await repo.readChainHead(db);
      if (head.position > previous.position) {
        findings.push({ kind: 'missing_tail', lastPosition: previous.position, headPosition: head.position });
      } else if (head.position === previous.position && head.hash !== previous.hash) {
        findings.push({ kind: 'head_mismatch', headPosition: head.position });
      }
      return { sealed: previous.position, pending: await repo.countPending(db), findings };
    },

    /**
     * Signs the chain's current head (its last sealed record) and writes it to the write-once head
     * store (docs/adr/0055-signed-audit-chain-heads.md). Safe to run from several workers at once and
     * to repeat: a position already exported answers `already_exported`. Throws ChainHeadConflict
     * when the store holds a different head for the chain's position (a finding to investigate),
     * and the store's or KMS's errors when they are unavailable (the next run retries).
     * It does not seal: call seal() first to anchor records still pending.
     */
    exportChainHead(): Promise<ChainHeadExport> {
      return exportChainHead(db, headSettings());
    },

    /** Checks the newest exported heads against the chain (see verify() for the chain itself). */
    verifyExportedHeads(): Promise<ExportedHeadsVerification> {
      return verifyExportedHeads(db, headSettings());
    },

    /** Sealed records about one subject, newest first. */
    async recordsAbout(subject: { kind: string; id: string }, limit: number): Promise<AuditRecordView[]> {
      const rows = await repo.sealedAbout(db, subject, limit);
      return rows.map((row) => ({
        id: row.id,
        position: row.position.toString(),
        occurredAt: row.occurred_at.toISOString(),
        action: row.action,
        actor: { kind: row.actor_kind, id: row.actor_id },
        subject: row.subject_kind && row.subject_id ? { kind: row.subject_kind, id: row.subject_id } : null,
        details: row.details,
      }));
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
