import type { AuditService } from '../audit/index.ts';
import type { ApprovalRegistry } from '../platform/approvals.ts';
import type { Database } from '../platform/database.ts';
import { createApprovalsService } from './approvals.ts';
import { createOperatorsService } from './operators.ts';

/**
 * The back office: operators (who) and four-eyes approvals. An approved action is carried out by
 * the executor its owning module registered (platform/approvals.ts, ADR 0072), so the back office
 * depends on no domain module. Every action is audited.
 */
export interface BackofficeModules {
  readonly audit: AuditService;
  /** Complete: app.ts registered every module's executors before building the back office. */
  readonly approvalExecutors: Pick<ApprovalRegistry, 'executorFor'>;
}

export function createBackofficeService(deps: { readonly db: Database }, modules: BackofficeModules) {
  const operators = createOperatorsService(deps.db, modules.audit);
  const approvals = createApprovalsService(deps.db, modules.audit, modules.approvalExecutors);
  return { operators, approvals };
}

export type BackofficeService = ReturnType<typeof createBackofficeService>;
