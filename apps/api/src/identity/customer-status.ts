import { customerHasOpenAccounts, customerNotFound, customerStatusConflict } from '../platform/problems.ts';
import type { CustomerStatus, IdentityService } from './service.ts';
import type { SessionsService } from './sessions.ts';

/**
 * The bank's changes of a customer's status (ADR 0105, docs/api/backoffice.md):
 * - lock: active → locked, at once, by one operator with the customers role. Admission refuses the
 *   customer's access tokens from the next request, refresh tokens stop (the authorization server's
 *   findAccount), and every session is ended, so an unlock brings none of them back.
 * - unlock: locked → active, four-eyes.
 * - close: active or locked → closed, four-eyes, final (the end of the relationship): only when no
 *   account is left open, the rule erasure has too. An open account at zero balance still receives
 *   credits by its IBAN, so "zero balance" would leave money arriving for a customer who cannot
 *   sign in; closing each account first runs accounts' own rule (zero balance, no holds).
 * A four-eyes change is bound to the status it was asked from: executed after any other change of
 * status it fails with 409 customer_status_conflict, and nothing changes.
 */
export type CustomerStatusAction = 'lock' | 'unlock' | 'close';

const transitions: Readonly<
  Record<
    CustomerStatusAction,
    { readonly from: readonly CustomerStatus[]; readonly to: Exclude<CustomerStatus, 'erased'> }
  >
> = {
  lock: { from: ['active'], to: 'locked' },
  unlock: { from: ['locked'], to: 'active' },
  close: { from: ['active', 'locked'], to: 'closed' },
};

export interface CustomerStatusView {
  readonly id: string;
  readonly status: Exclude<CustomerStatus, 'erased'>;
}

export interface CustomerStatusChange {
  readonly customerId: string;
  /** The status the change was asked from (for four-eyes: when it was requested). */
  readonly from: CustomerStatus;
  readonly reason: string;
  readonly operatorId: string;
  readonly approvedBy?: string | undefined;
}

export function createCustomerStatusService(modules: {
  readonly identity: Pick<IdentityService, 'changeCustomerStatus' | 'customerStatusOf'>;
  readonly sessions: Pick<SessionsService, 'endAllSessions'>;
  /** Accounts not closed, from the accounts module (named by shape: accounts imports identity). */
  readonly openAccountCount: (customerId: string) => Promise<number>;
}) {
  const { identity, sessions } = modules;

  async function refuseOpenAccounts(customerId: string): Promise<void> {
    const open = await modules.openAccountCount(customerId);
    if (open > 0) throw customerHasOpenAccounts(open);
  }

  /**
   * Whether `action` applies to the customer now; the status it applies from. Throws 404
   * customer_not_found, 409 customer_status_conflict or (closing) 409 customer_has_open_accounts.
   */
  async function checkApplies(action: CustomerStatusAction, customerId: string): Promise<CustomerStatus> {
    const status = await identity.customerStatusOf(customerId);
    if (status === undefined) throw customerNotFound('operator');
    if (!transitions[action].from.includes(status)) throw customerStatusConflict(status);
    if (action === 'close') await refuseOpenAccounts(customerId);
    return status;
  }

  /**
   * Applies `action` from `change.from` (checked again here: an approval executes this later).
   * Ending the sessions follows the status change for lock and close (the status already refuses
   * their tokens, and no new sign-in succeeds), and precedes it for unlock, which also finishes an
   * interrupted lock's sweep; each sweep is idempotent.
   */
  async function apply(action: CustomerStatusAction, change: CustomerStatusChange): Promise<CustomerStatusView> {
    const { customerId } = change;
    const { to } = transitions[action];
    const actor = { kind: 'operator', id: change.operatorId } as const;
    if (!transitions[action].from.includes(change.from)) throw customerStatusConflict(change.from);
    if (action === 'close') await refuseOpenAccounts(customerId);
    if (action === 'unlock') await sessions.endAllSessions(customerId, actor);
    const result = await identity.changeCustomerStatus({ ...change, to });
    if (result.kind === 'not_found') throw customerNotFound('operator');
    if (result.kind === 'conflict') {
      throw customerStatusConflict(result.before, change.approvedBy === undefined ? 'now' : 'approval');
    }
    if (action !== 'unlock') await sessions.endAllSessions(customerId, actor);
    return { id: customerId, status: to };
  }

  return {
    checkApplies,
    apply,
    /** Locks at once (one operator): from active only. */
    lock: (input: Omit<CustomerStatusChange, 'from' | 'approvedBy'>) => apply('lock', { ...input, from: 'active' }),
  };
}

export type CustomerStatusService = ReturnType<typeof createCustomerStatusService>;
