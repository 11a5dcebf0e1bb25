import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ApprovalExecutor, approvalActions, createApprovalRegistry, outcomeOf } from './approvals.ts';
import { conflict, DependencyUnavailable } from './errors.ts';

const executed: ApprovalExecutor = async () => ({ status: 200, resultId: 'cus_x' });

describe('the approvals registry', () => {
  it('runs the executor the owning module registered for an action', async () => {
    const registry = createApprovalRegistry();
    registry.register({ 'accounts.unfreeze': executed });
    const outcome = await registry.executorFor('accounts.unfreeze')(
      {},
      { id: 'apr_x', requestedBy: 'a', approvedBy: 'b' },
    );
    assert.deepEqual(outcome, { status: 200, resultId: 'cus_x' });
  });

  it('refuses an action registered twice, and an app composed without an executor for every action', () => {
    const registry = createApprovalRegistry();
    registry.register({ 'payments.credit': executed });
    assert.throws(() => registry.register({ 'payments.credit': executed }), /registered twice/);
    assert.throws(() => registry.assertComplete(), /accounts\.unfreeze/);
    assert.throws(() => registry.executorFor('kyc.verify'), /no executor registered/);
    for (const action of approvalActions) if (action !== 'payments.credit') registry.register({ [action]: executed });
    registry.assertComplete();
  });

  it("turns a module's refusal into a failed outcome and lets unavailability through", async () => {
    assert.deepEqual(
      await outcomeOf(async () => {
        throw conflict('account_not_frozen', 'x');
      }),
      { status: 409, code: 'account_not_frozen' },
    );
    await assert.rejects(
      outcomeOf(async () => {
        throw new DependencyUnavailable('database');
      }),
      DependencyUnavailable,
    );
  });
});
