import { type AccountsService, statementLineRow } from '../accounts/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { LimitsService } from '../compliance/index.ts';
import type { LedgerService } from '../ledger/index.ts';
import type { Queryable } from '../platform/database.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { assert, conflict, notFound, unprocessable } from '../platform/errors.ts';
import { isId, newId } from '../platform/ids.ts';
import { type Currency, toApiMoney } from '../platform/money.ts';
import { insertOutboxEvent } from '../platform/outbox.ts';
import { invalidCursor } from '../platform/problems.ts';
import type { TransferRecord } from './movements.ts';
import { findTransfer, heldTransfers, insertStatementLine, settleHeldLine, settleTransfer } from './repository.ts';
import type { ReviewDecisions } from './risk.ts';
import { transferView } from './service.ts';

/**
 * The fraud review queue (docs/adr/0131): transfers the risk module held, oldest first, with the
 * stored decision's scores and plain-word reasons; an analyst approves one (the ledger posts the
 * hold: the money moves) or rejects it (the hold is voided, the day's limit given back, the account
 * frozen if asked). Each review is audited, raises an outbox event and labels the decision for the
 * next training run. Deciding twice the same way answers the decided transfer again (a retry is
 * safe without an Idempotency-Key: the state is the key); deciding the other way is 409.
 */
export interface ReviewModules {
  readonly ledger: Pick<LedgerService, 'postHold' | 'voidHold'>;
  readonly accounts: Pick<AccountsService, 'findAccounts' | 'freezeByBank'>;
  readonly limits: Pick<LimitsService, 'releaseReservation'>;
  readonly audit: Pick<AuditService, 'record'>;
  /** The risk module's decisions; absent when scoring is off (no transfer is then ever held). */
  readonly reviews: ReviewDecisions | undefined;
}

const heldTransferNotFound = () =>
  notFound(
    'held_transfer_not_found',
    'No transfer with this id was held for review. Check the id in the review queue.',
  );

const alreadyDecided = (status: string) =>
  conflict(
    'review_already_decided',
    `This transfer was already ${status === 'posted' ? 'approved and posted' : 'rejected'}; a review cannot be changed. Reload the queue.`,
  );

/** An account of the transfer was frozen or closed while it waited: approving it would move money it may not. */
const accountNotOpen = (side: 'from' | 'to', status: string) =>
  unprocessable(
    status === 'closed' ? 'account_closed' : 'account_frozen',
    side === 'from'
      ? `The paying account was ${status} after this transfer was held. Unfreeze it first, or reject the transfer.`
      : `The payee account was ${status} after this transfer was held, so it cannot be paid now. Try again once it is open, or reject the transfer.`,
    { extensions: { side } },
  );

export function createTransferReviews(deps: Pick<AppDependencies, 'db'>, modules: ReviewModules) {
  const { db } = deps;
  const { ledger, accounts, limits, audit, reviews } = modules;

  /** The transfer and its decision as the back office sees them (no full IBAN, no customer name). */
  async function reviewViews(transfers: readonly TransferRecord[]) {
    const ids = transfers.flatMap((t) => (t.riskDecisionId ? [t.riskDecisionId] : []));
    const decisions = reviews ? await reviews.decisionsById(db, ids) : new Map();
    return transfers.map((t) => {
      const decision = t.riskDecisionId ? (decisions.get(t.riskDecisionId) ?? null) : null;
      return {
        transfer: transferView(t, decision?.customerReason ?? 'unusual_activity'),
        customerId: t.customerId,
        decision,
      };
    });
  }

  /**
   * The transfer if it was held for review (held now, or decided after a hold), read before the
   * review's transaction: on the embedded database (one connection) nothing else may query inside it.
   */
  async function heldBefore(transferId: string): Promise<TransferRecord> {
    const transfer = isId('transfer', transferId) ? await findTransfer(db, transferId) : undefined;
    if (transfer?.status === 'held') return transfer;
    const decisionId = transfer?.riskDecisionId;
    const decision =
      decisionId && reviews ? (await reviews.decisionsById(db, [decisionId])).get(decisionId) : undefined;
    if (!transfer || decision?.outcome !== 'hold') throw heldTransferNotFound();
    return transfer;
  }

  /** The transfer's row locked for the review; its status may have changed since heldBefore read it. */
  async function locked(tx: Queryable, transferId: string): Promise<TransferRecord> {
    const transfer = await findTransfer(tx, transferId, undefined, true);
    assert(transfer, 'a transfer is never deleted');
    return transfer;
  }

  const event = (topic: string, t: TransferRecord, extra: Record<string, unknown>) => ({
    id: newId('outboxEvent'),
    topic,
    aggregateId: t.id,
    payload: {
      transferId: t.id,
      journalEntryId: t.journalEntryId,
      fromAccountId: t.fromAccountId,
      toAccountId: t.toAccountId,
      amount: toApiMoney(t.amountMinor, t.currency as Currency),
      ...extra,
    },
  });

  async function approve(transferId: string, operatorId: string) {
    const before = await heldBefore(transferId);
    const parties = await accounts.findAccounts([before.fromAccountId, before.toAccountId], []);
    const from = parties.find((a) => a.id === before.fromAccountId);
    const to = parties.find((a) => a.id === before.toAccountId);
    assert(from && to, 'a transfer names two existing accounts');
    const decided = await db.transaction(async (tx) => {
      const transfer = await locked(tx, transferId);
      if (transfer.status === 'posted') return transfer;
      if (transfer.status !== 'held') throw alreadyDecided(transfer.status);
      if (from.status !== 'open') throw accountNotOpen('from', from.status);
      if (to.status !== 'open') throw accountNotOpen('to', to.status);
      const outcome = await ledger.postHold(transfer.journalEntryId, undefined, tx);
      assert(outcome.ok, `the ledger refused to post a held transfer (${outcome.ok ? '' : outcome.code})`);
      const postedAt = outcome.postedAt ?? outcome.createdAt;
      const [debit, credit] = outcome.legs;
      assert(debit && credit, 'a transfer posts two legs');
      await settleTransfer(tx, transfer.id, 'posted', postedAt);
      await settleHeldLine(tx, transfer.journalEntryId, {
        status: 'posted',
        balanceAfterMinor: debit.balanceAfterMinor,
        postedAt,
      });
      const line = statementLineRow({
        customerId: to.customerId,
        accountId: to.id,
        entryId: transfer.journalEntryId,
        direction: 'credit',
        amountMinor: transfer.amountMinor,
        currency: transfer.currency as Currency,
        balanceAfterLeg: 1,
        status: 'posted',
        description: transfer.reference,
        counterpartyName: from.holderName,
        counterpartyIban: from.iban,
      });
      assert(credit.balanceAfterMinor !== null, 'a posted leg has a balance');
      await insertStatementLine(tx, line, {
        balanceAfterMinor: credit.balanceAfterMinor,
        createdAt: postedAt,
        postedAt,
      });
      await insertOutboxEvent(tx, event('transfer.posted', transfer, { postedAt: postedAt.toISOString() }));
      await audit.record(tx, {
        action: 'payments.held_transfer_approved',
        actor: { kind: 'operator', id: operatorId },
        subject: { kind: 'transfer', id: transfer.id },
        details: { amountMinor: transfer.amountMinor.toString(), currency: transfer.currency },
      });
      if (transfer.riskDecisionId && reviews)
        await reviews.recordReview(tx, { decisionId: transfer.riskDecisionId, review: 'approved', operatorId });
      return { ...transfer, status: 'posted' as const, postedAt };
    });
    const [view] = await reviewViews([decided]);
    return view;
  }

  async function reject(transferId: string, operatorId: string, freezeAccount: boolean) {
    await heldBefore(transferId);
    const decided = await db.transaction(async (tx) => {
      const transfer = await locked(tx, transferId);
      if (transfer.status === 'rejected') return transfer;
      if (transfer.status !== 'held') throw alreadyDecided(transfer.status);
      const outcome = await ledger.voidHold(transfer.journalEntryId, tx);
      assert(outcome.ok, `the ledger refused to void a held transfer (${outcome.ok ? '' : outcome.code})`);
      await settleTransfer(tx, transfer.id, 'rejected', null);
      await settleHeldLine(tx, transfer.journalEntryId, {
        status: 'voided',
        balanceAfterMinor: null,
        postedAt: null,
        statusReason: 'review_rejected',
      });
      await limits.releaseReservation(tx, {
        customerId: transfer.customerId,
        currency: transfer.currency as Currency,
        amountMinor: transfer.amountMinor,
        toOwnAccount: transfer.toOwnAccount,
        at: transfer.createdAt,
      });
      await insertOutboxEvent(tx, event('transfer.rejected', transfer, { freezeAccount }));
      await audit.record(tx, {
        action: 'payments.held_transfer_rejected',
        actor: { kind: 'operator', id: operatorId },
        subject: { kind: 'transfer', id: transfer.id },
        details: { amountMinor: transfer.amountMinor.toString(), currency: transfer.currency, freezeAccount },
      });
      if (transfer.riskDecisionId && reviews)
        await reviews.recordReview(tx, { decisionId: transfer.riskDecisionId, review: 'rejected', operatorId });
      return { ...transfer, status: 'rejected' as const };
    });
    // After the review commits, in the accounts module's own transaction; a retry of the rejection
    // (same answer) freezes again if this failed, and freezing a frozen account changes nothing.
    if (freezeAccount) await accounts.freezeByBank(decided.fromAccountId);
    const [view] = await reviewViews([decided]);
    return view;
  }

  return {
    /** The queue: held transfers oldest first, `limit` a page, after the transfer id `cursor`. */
    async listHeld(limit: number, cursor: string | undefined) {
      if (cursor !== undefined && !isId('transfer', cursor)) throw invalidCursor();
      const rows = await heldTransfers(db, limit + 1, cursor);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { data: await reviewViews(page), nextCursor: rows.length > limit && last ? last.id : null };
    },
    approve,
    reject,
  };
}

export type TransferReviews = ReturnType<typeof createTransferReviews>;
