import type { AuditService } from '../audit/index.ts';
import {
  type PasskeyAssertion,
  StepUpBody,
  type StepUpChallenge,
  type StepUpService,
  stepUpRequired,
} from '../identity/index.ts';
import type { Queryable } from '../platform/database.ts';
import type { AccountsService } from './service.ts';

/**
 * Revealing an account's full IBAN. Everywhere else the API shows it masked (last four characters);
 * the full number, which lets anyone set up payments against the account, needs a fresh passkey
 * approval bound to this account (purpose `reveal_account`), like a payment's. Each reveal is audited.
 */

/** First call: no body (or `{}`). Second call: the approval of the challenge the first one answered. */
export const RevealBody = StepUpBody;

const revealApprovalRequired = (challenge: StepUpChallenge) =>
  stepUpRequired(
    'Showing the full account number needs your approval with a passkey: sign `stepUp.publicKey` (navigator.credentials.get), then call again with `stepUp: { challengeId, assertion }` in the body.',
    challenge,
  );

export async function revealAccount(
  modules: {
    db: Queryable;
    accounts: AccountsService;
    stepUp: Pick<StepUpService, 'issueChallenge' | 'verifyAssertion'>;
    audit: Pick<AuditService, 'record'>;
  },
  customerId: string,
  accountId: string,
  proof: { challengeId: string; assertion: PasskeyAssertion } | undefined,
): Promise<{ id: string; iban: string }> {
  // 404 before any challenge: another customer's account id never gets as far as a passkey prompt.
  const account = await modules.accounts.getAccount(customerId, accountId);
  const binding = { accountId: account.id };
  if (!proof) {
    throw revealApprovalRequired(
      await modules.stepUp.issueChallenge({ customerId, purpose: 'reveal_account', binding }),
    );
  }
  const approval = await modules.stepUp.verifyAssertion({ customerId, purpose: 'reveal_account', binding, ...proof });
  await modules.audit.record(modules.db, {
    action: 'account.number_revealed',
    actor: { kind: 'customer', id: customerId },
    subject: { kind: 'account', id: account.id },
    details: { challengeId: approval.challengeId, passkeyId: approval.passkeyId },
  });
  return { id: account.id, iban: account.iban };
}
