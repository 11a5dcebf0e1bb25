import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { readIdempotencyKey } from '../platform/idempotency.ts';
import type { ApprovalView } from './approvals.ts';

/**
 * The HTTP side of requesting a four-eyes approval, shared by every module's back-office route
 * that turns a named operator's action into an approval request (docs/adr/0042).
 */
export const OptionalIdempotencyKeyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Optional: a retried request with the same key finds its approval.' }),
  ),
});

/** The request's Idempotency-Key; without one every request is a new one (keyed by the request id). */
export function approvalKeyOf(request: FastifyRequest, action: string): string {
  return request.headers['idempotency-key'] === undefined ? `${action}:${request.id}` : readIdempotencyKey(request);
}

/** 202 with the stored approval; a replay (same key, same request) is marked as such. */
export function sendApproval(reply: FastifyReply, result: { approval: ApprovalView; created: boolean }) {
  if (!result.created) reply.header('idempotent-replayed', 'true');
  return reply.code(202).send(result.approval);
}
