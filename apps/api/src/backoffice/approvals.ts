import type { AuditDetailValue, AuditService } from '../audit/index.ts';
import type {
  ApprovalAction,
  ApprovalOutcome,
  ApprovalRegistry,
  ApprovalRequestValues,
} from '../platform/approvals.ts';
import { approvalClaimLeaseMs, approvalTtlMs } from '../platform/constants.ts';
import type { Database, Queryable } from '../platform/database.ts';
import { conflict, forbidden, notFound } from '../platform/errors.ts';
import { isId, newId } from '../platform/ids.ts';
import { idempotencyKeyReused } from '../platform/problems.ts';

/**
 * Four-eyes approvals (docs/adr/0042-four-eyes-approvals.md). The executors come from the
 * approvals registry (platform/approvals.ts, ADR 0072). A sensitive action is stored as a
 * pending request; a different operator with the approver role approves it, which executes it,
 * or rejects it. Approving claims the request first (ADR 0070), so of two concurrent approvals
 * one executes and the other finds the request in progress or decided; the money-moving executor
 * is idempotent by the approval id, so an approval retried after a crash between execution and
 * bookkeeping credits once too.
 */
export interface ApprovalView {
  readonly id: string;
  readonly action: ApprovalAction;
  readonly status: 'pending' | 'executed' | 'failed' | 'rejected' | 'expired';
  readonly subject: { readonly kind: string; readonly id: string };
  readonly request: ApprovalRequestValues;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly reason: string | null;
  readonly outcome: ApprovalOutcome | null;
}

interface ApprovalRow {
  id: string;
  action: ApprovalAction;
  subject_kind: string;
  subject_id: string;
  request: Record<string, AuditDetailValue>;
  requested_by: string;
  requested_at: Date;
  expires_at: Date;
  status: 'pending' | 'executed' | 'failed' | 'rejected';
  decided_by: string | null;
  decided_at: Date | null;
  reason: string | null;
  outcome: ApprovalOutcome | null;
  claimed_until: Date | null;
}

const columns = `id, action, subject_kind, subject_id, request, requested_by, requested_at, expires_at, status,
  decided_by, decided_at, reason, outcome, claimed_until`;

function view(row: ApprovalRow, nowMs: number): ApprovalView {
  const expired = row.status === 'pending' && row.expires_at.getTime() <= nowMs;
  return {
    id: row.id,
    action: row.action,
    status: expired ? 'expired' : row.status,
    subject: { kind: row.subject_kind, id: row.subject_id },
    request: row.request,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    reason: row.reason,
    outcome: row.outcome,
  };
}

const approvalNotFound = () =>
  notFound('approval_not_found', 'No approval request has this id. List pending approvals to find it.');

function checkDecidable(row: ApprovalRow, operatorId: string, nowMs: number): void {
  if (row.status !== 'pending') {
    throw conflict('approval_already_decided', `This request was already ${row.status}; nothing more to do.`);
  }
  if (row.claimed_until !== null && row.claimed_until.getTime() > nowMs) {
    throw conflict(
      'approval_in_progress',
      'Another approver is executing this request right now. Look at it again in a moment to see the outcome.',
    );
  }
  if (row.expires_at.getTime() <= nowMs) {
    throw conflict('approval_expired', 'This request expired before a second operator approved it. Ask for it again.');
  }
  if (row.requested_by === operatorId) {
    throw forbidden(
      'approval_own_request',
      'You requested this action, so a different operator with the approver role must decide it (four-eyes).',
    );
  }
}

export interface NewApproval {
  readonly action: ApprovalAction;
  readonly subject: { readonly kind: string; readonly id: string };
  readonly request: ApprovalRequestValues;
  readonly requestedBy: string;
  readonly idempotencyKey: string;
}

const sameRequest = (row: ApprovalRow, input: NewApproval) =>
  row.action === input.action &&
  row.subject_kind === input.subject.kind &&
  row.subject_id === input.subject.id &&
  JSON.stringify(Object.entries(row.request).sort()) === JSON.stringify(Object.entries(input.request).sort());

export function createApprovalsService(
  db: Database,
  audit: AuditService,
  executors: Pick<ApprovalRegistry, 'executorFor'>,
  now: () => number = Date.now,
) {
  async function lockRow(tx: Queryable, id: string): Promise<ApprovalRow> {
    const { rows } = await tx.query<ApprovalRow>(`SELECT ${columns} FROM approvals WHERE id = $1 FOR UPDATE`, [id]);
    if (!rows[0]) throw approvalNotFound();
    return rows[0];
  }

  async function decide(
    tx: Queryable,
    row: ApprovalRow,
    decision: { status: ApprovalRow['status']; by: string; reason: string | null; outcome: ApprovalOutcome | null },
  ): Promise<ApprovalRow> {
    const { rows } = await tx.query<ApprovalRow>(
      `UPDATE approvals SET status = $2, decided_by = $3, decided_at = now(), reason = $4, outcome = $5
       WHERE id = $1 RETURNING ${columns}`,
      [row.id, decision.status, decision.by, decision.reason, decision.outcome && JSON.stringify(decision.outcome)],
    );
    const details: Record<string, AuditDetailValue> = { approvalAction: row.action, requestedBy: row.requested_by };
    if (decision.outcome?.code) details.outcomeCode = decision.outcome.code;
    if (decision.outcome?.resultId) details.resultId = decision.outcome.resultId;
    await audit.record(tx, {
      action: `backoffice.approval_${decision.status}`,
      actor: { kind: 'operator', id: decision.by },
      subject: { kind: 'approval', id: row.id },
      details,
    });
    return rows[0] as ApprovalRow;
  }

  return {
    /** Stores a pending request (once per requester and Idempotency-Key); `created` is false on a replay. */
    async request(input: NewApproval): Promise<{ approval: ApprovalView; created: boolean }> {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<ApprovalRow>(
          `INSERT INTO approvals (id, action, subject_kind, subject_id, request, requested_by, idempotency_key, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8::float8))
           ON CONFLICT (requested_by, idempotency_key) DO NOTHING RETURNING ${columns}`,
          [
            newId('approval'),
            input.action,
            input.subject.kind,
            input.subject.id,
            JSON.stringify(input.request),
            input.requestedBy,
            input.idempotencyKey,
            approvalTtlMs / 1000,
          ],
        );
        const created = rows[0];
        if (created) {
          await audit.record(tx, {
            action: 'backoffice.approval_requested',
            actor: { kind: 'operator', id: input.requestedBy },
            subject: { kind: 'approval', id: created.id },
            details: { approvalAction: input.action, subjectKind: input.subject.kind, subjectId: input.subject.id },
          });
          return { approval: view(created, now()), created: true };
        }
        const { rows: existing } = await tx.query<ApprovalRow>(
          `SELECT ${columns} FROM approvals WHERE requested_by = $1 AND idempotency_key = $2`,
          [input.requestedBy, input.idempotencyKey],
        );
        const row = existing[0] as ApprovalRow;
        if (!sameRequest(row, input)) {
          throw idempotencyKeyReused();
        }
        return { approval: view(row, now()), created: false };
      });
    },

    async get(id: string): Promise<ApprovalView> {
      if (!isId('approval', id)) throw approvalNotFound();
      const { rows } = await db.query<ApprovalRow>(`SELECT ${columns} FROM approvals WHERE id = $1`, [id]);
      if (!rows[0]) throw approvalNotFound();
      return view(rows[0], now());
    },

    /** Pending, unexpired requests, newest first; `after` is the last id of the previous page. */
    async listPending(limit: number, after?: string): Promise<{ data: ApprovalView[]; nextCursor: string | null }> {
      const { rows } = await db.query<ApprovalRow>(
        `SELECT ${columns} FROM approvals
         WHERE status = 'pending' AND expires_at > now() AND ($2::text IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $1`,
        [limit + 1, after ?? null],
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { data: page.map((r) => view(r, now())), nextCursor: rows.length > limit && last ? last.id : null };
    },

    /**
     * Executes the request as a second operator; the executed or failed approval is returned.
     * Claim, execute, record (ADR 0070): the executor runs outside any transaction of ours, since it
     * opens its own through its module's service; inside one it would wait forever on the embedded
     * PGlite (one connection) and hold the request's row lock for the whole execution elsewhere.
     */
    async approve(id: string, approverId: string): Promise<ApprovalView> {
      if (!isId('approval', id)) throw approvalNotFound();
      const claimed = await db.transaction(async (tx) => {
        const pending = await lockRow(tx, id);
        checkDecidable(pending, approverId, now());
        await tx.query(
          `UPDATE approvals SET claimed_by = $2, claimed_until = now() + make_interval(secs => $3::float8) WHERE id = $1`,
          [id, approverId, approvalClaimLeaseMs / 1000],
        );
        return pending;
      });
      let outcome: ApprovalOutcome;
      try {
        outcome = await executors.executorFor(claimed.action)(claimed.request, {
          id: claimed.id,
          requestedBy: claimed.requested_by,
          approvedBy: approverId,
        });
      } catch (error) {
        // Unavailable: the request stays pending and free to approve again (the lease is the fallback).
        await db
          .query('UPDATE approvals SET claimed_by = NULL, claimed_until = NULL WHERE id = $1 AND claimed_by = $2', [
            id,
            approverId,
          ])
          .catch(() => {});
        throw error;
      }
      const row = await db.transaction(async (tx) => {
        const current = await lockRow(tx, id);
        // Decided meanwhile only if our claim lapsed and another approver executed it again (idempotently).
        if (current.status !== 'pending') return current;
        const status = outcome.status < 400 ? 'executed' : 'failed';
        return decide(tx, current, { status, by: approverId, reason: null, outcome });
      });
      return view(row, now());
    },

    async reject(id: string, approverId: string, reason: string): Promise<ApprovalView> {
      if (!isId('approval', id)) throw approvalNotFound();
      const row = await db.transaction(async (tx) => {
        const pending = await lockRow(tx, id);
        checkDecidable(pending, approverId, now());
        return decide(tx, pending, { status: 'rejected', by: approverId, reason, outcome: null });
      });
      return view(row, now());
    },
  };
}

export type ApprovalsService = ReturnType<typeof createApprovalsService>;
