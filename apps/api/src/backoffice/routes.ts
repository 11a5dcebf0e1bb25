import { Type } from 'typebox';
import type { AuditService } from '../audit/index.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import { isId } from '../platform/ids.ts';
import { invalidCursor } from '../platform/problems.ts';
import {
  apiProblems,
  bodyProblems,
  IdParams,
  NoBody,
  NoQuery,
  Page,
  pageQueryProperties,
  problemResponses,
  signedInProblems,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import { requireApprover, requireOperatorRole } from './guard.ts';
import { Approval, AuditQuery, AuditRecord, RejectBody, security } from './schemas.ts';
import type { BackofficeService } from './service.ts';

/**
 * The back office's own routes (/backoffice/v1): the four-eyes approvals a second operator decides,
 * and the audit trail support reads (docs/api/backoffice.md). Each domain module serves its own
 * back-office actions on the same prefix (payments: credits; accounts: freeze, lookup; compliance:
 * KYC, limits, erasure), guarded by requireOperatorRole from this module's door.
 */
type Options = RouteOptions<{ readonly backoffice: BackofficeService; readonly audit: AuditService }>;
const tags = ['back office'];

async function auditRoutes(app: TypeBoxApp, { deps, services }: Options) {
  const { audit, backoffice } = services;
  const guard = { config: deps.config, operators: backoffice.operators };
  app.get(
    '/audit-records',
    {
      schema: {
        tags,
        summary: 'The sealed audit trail about one subject, newest first (role support)',
        security,
        querystring: AuditQuery,
        response: {
          200: Type.Object({ data: Type.Array(AuditRecord) }),
          ...problemResponses(...apiProblems, ...signedInProblems),
        },
      },
    },
    async (request) => {
      await requireOperatorRole(request, guard, 'support');
      const { subjectKind, subjectId, limit } = request.query;
      return { data: await audit.recordsAbout({ kind: subjectKind, id: subjectId }, limit ?? 50) };
    },
  );
}

async function approvalRoutes(app: TypeBoxApp, { deps, services }: Options) {
  const { backoffice } = services;
  const guard = { config: deps.config, operators: backoffice.operators };
  const decisionProblems = problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409, 422);

  app.get(
    '/approvals',
    {
      schema: {
        tags,
        summary: 'Requests waiting for a second operator, newest first (role approver)',
        security,
        querystring: Type.Object(pageQueryProperties, { additionalProperties: false }),
        response: { 200: Page(Approval), ...problemResponses(...apiProblems, ...signedInProblems) },
      },
    },
    async (request) => {
      await requireApprover(request, guard);
      const { limit, cursor } = request.query;
      if (cursor !== undefined && !isId('approval', cursor)) {
        throw invalidCursor();
      }
      return backoffice.approvals.listPending(limit ?? 20, cursor);
    },
  );

  app.get(
    '/approvals/:id',
    {
      schema: {
        tags,
        summary: 'One approval request (role approver)',
        security,
        params: IdParams('approval'),
        querystring: NoQuery,
        response: { 200: Approval, ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => {
      await requireApprover(request, guard);
      return backoffice.approvals.get(request.params.id);
    },
  );

  app.post(
    '/approvals/:id/approve',
    {
      schema: {
        tags,
        summary: "Approve another operator's request, which executes it once (role approver)",
        security,
        params: IdParams('approval'),
        querystring: NoQuery,
        body: NoBody,
        response: { 200: Approval, ...decisionProblems },
      },
    },
    async (request) => backoffice.approvals.approve(request.params.id, await requireApprover(request, guard)),
  );

  app.post(
    '/approvals/:id/reject',
    {
      schema: {
        tags,
        summary: "Reject another operator's request; nothing is executed (role approver)",
        security,
        params: IdParams('approval'),
        querystring: NoQuery,
        body: RejectBody,
        response: { 200: Approval, ...decisionProblems },
      },
    },
    async (request) =>
      backoffice.approvals.reject(request.params.id, await requireApprover(request, guard), request.body.reason),
  );
}

export async function backofficeRoutes(app: TypeBoxApp, options: Options) {
  await auditRoutes(app, options);
  await approvalRoutes(app, options);
}
