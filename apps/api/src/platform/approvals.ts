import { assert, DomainError } from './errors.ts';

/**
 * The approvals registry (ADR 0072): the back office stores four-eyes requests and decides them,
 * but the action an approval executes belongs to the module that owns it. Each module exports its
 * executors (action → executor); the composition root (app.ts) registers them here and hands the
 * registry to the back office, so the back office imports no domain module.
 */

/** Every action a four-eyes request may name: the stored vocabulary (CHECK constraint, migrations 0046, 0085). */
export const approvalActions = [
  'payments.credit',
  'accounts.unfreeze',
  'limits.override',
  'limits.override_removal',
  'kyc.verify',
  'customers.erase',
  'customers.unlock',
  'customers.close',
] as const;
export type ApprovalAction = (typeof approvalActions)[number];

/** The values a request stores and an approver approves: exactly what is executed. */
export type ApprovalRequestValues = Readonly<Record<string, string | number | boolean>>;

export interface ApprovalOutcome {
  readonly status: number;
  /** The created or changed resource (journal entry, account, customer). */
  readonly resultId?: string;
  /** The problem code when the execution was refused. */
  readonly code?: string;
}

export interface ApprovalContext {
  readonly id: string;
  readonly requestedBy: string;
  readonly approvedBy: string;
}

/**
 * Runs an approved action through the owning module's service, in its own transactions (never
 * the back office's: ADR 0070); throws only for unavailability (the approval stays pending).
 */
export type ApprovalExecutor = (request: ApprovalRequestValues, approval: ApprovalContext) => Promise<ApprovalOutcome>;

/** What a module registers: the executors of the actions it owns. */
export type ApprovalExecutors = Readonly<Partial<Record<ApprovalAction, ApprovalExecutor>>>;

export interface ApprovalRegistry {
  /** Adds a module's executors; an action registered twice is a wiring error. */
  register(executors: ApprovalExecutors): void;
  /** The executor of `action`; every action must have one once the app is composed. */
  executorFor(action: ApprovalAction): ApprovalExecutor;
  /** Asserts every action has an executor: called once the composition root registered them all. */
  assertComplete(): void;
}

export function createApprovalRegistry(): ApprovalRegistry {
  const executors = new Map<ApprovalAction, ApprovalExecutor>();
  return {
    register(moduleExecutors) {
      for (const [action, executor] of Object.entries(moduleExecutors) as [ApprovalAction, ApprovalExecutor][]) {
        assert(!executors.has(action), `approval action ${action} registered twice`);
        executors.set(action, executor);
      }
    },
    executorFor(action) {
      const executor = executors.get(action);
      assert(executor, `no executor registered for approval action ${action}`);
      return executor;
    },
    assertComplete() {
      const missing = approvalActions.filter((action) => !executors.has(action));
      assert(missing.length === 0, `no executor registered for approval actions ${missing.join(', ')}`);
    },
  };
}

/** An executor's refusal (a DomainError) becomes a failed outcome; anything else propagates. */
export async function outcomeOf(work: () => Promise<{ status: number; resultId?: string }>): Promise<ApprovalOutcome> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.status < 500) return { status: error.status, code: error.code };
    throw error;
  }
}
