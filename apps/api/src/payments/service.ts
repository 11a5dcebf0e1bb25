import type { AccountRef, AccountsService } from '../accounts/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { LimitsService } from '../compliance/index.ts';
import type { PasskeyAssertion, StepUpService } from '../identity/index.ts';
import { type LedgerOutcome, type LedgerService, movement } from '../ledger/index.ts';
import { createBatcher } from '../platform/batcher.ts';
import { accountLookupBatchSizeMax, accountLookupsInFlightMax, transferQueueLengthMax } from '../platform/constants.ts';
import type { Database } from '../platform/database.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { assert, conflict, DomainError, notFound, paymentsBusy, unprocessable } from '../platform/errors.ts';
import {
  definiteError,
  findStoredResponse,
  flightKey,
  type IdempotencyKey,
  problemResponse,
  replay,
  type StoredAnswer,
  type StoredResponse,
  storeResponse,
} from '../platform/idempotency.ts';
import { newId } from '../platform/ids.ts';
import { maskIban, maskName } from '../platform/masking.ts';
import { type Currency, toApiMoney } from '../platform/money.ts';
import { accountClosed, accountNotFound, currencyMismatch } from '../platform/problems.ts';
import {
  createMovementExecutor,
  type Movement,
  outcomeHole,
  type PostedPlan,
  type TransferRecord,
  type TransferStatus,
} from './movements.ts';
import { payeeNotFound } from './payees.ts';
import { findTransfer, paidBefore, pairKey, recordPaymentApproval } from './repository.ts';
import {
  type CustomerReason,
  customerReasonText,
  type ReviewDecisions,
  type RiskCheck,
  type RiskDecision,
  riskCheck,
} from './risk.ts';
import {
  cumulativeCheck,
  paymentBinding,
  paymentStepUpRequired,
  type StepUpReason,
  type StepUpRules,
  stepUpReasonsBeforeLookup,
  stepUpRules,
} from './step-up-policy.ts';

/**
 * Whom a transfer pays: one of the customer's own accounts, an IBAN, or one of their saved payees
 * with the IBAN stored for it, read by the route (undefined: the customer has no such payee). A payee
 * is paid exactly as its IBAN would be: same parties, step-up binding, limits and rules.
 */
export type TransferTo =
  | { readonly accountId: string }
  | { readonly iban: string }
  | { readonly payeeId: string; readonly payeeIban: string | undefined };

/** A transfer request after validation: amounts parsed, IBAN normalised. */
export interface TransferInput {
  readonly fromAccountId: string;
  readonly to: TransferTo;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly reference: string;
  /** Back-dated history for demo data; now when absent. */
  readonly at?: Date;
  /** The customer's passkey approval of this transfer, after a `step_up_required` answer. */
  readonly stepUp?: { readonly challengeId: string; readonly assertion: PasskeyAssertion };
  /** The DPoP key thumbprint of the customer's app that sent it (the device), for the risk check. */
  readonly deviceKeyThumbprint?: string;
}

export interface CreditInput {
  readonly accountId: string;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly description: string;
  readonly at?: Date;
}

/** What executing a movement came to: an answer of its own, an answer stored before, or a key another request took first. */
type Executed =
  | { readonly kind: 'answered'; readonly response: StoredResponse }
  | { readonly kind: 'stored'; readonly stored: StoredAnswer }
  | { readonly kind: 'key_taken' };

export interface Answer {
  readonly response: StoredResponse;
  readonly replayed: boolean;
}

/** A transfer that may go to the ledger: its parties, the risk decision, and how approval was settled. */
interface Ready {
  readonly kind: 'ready';
  readonly parties: Parties;
  readonly decision: RiskDecision;
  readonly approvedBy?: string;
  readonly cumulative?: true;
}

interface Parties {
  readonly from: AccountRef;
  readonly to: AccountRef;
  readonly toOwn: boolean;
  /** Paid by IBAN, typed or a saved payee's: any customer's account, so a closed one is "not found". */
  readonly byIban: boolean;
  /** Where field problems with the payee point: the form of `to` the client sent. */
  readonly toPointer: string;
}

const fromPointer = '/body/fromAccountId';
const toPointerOf = (to: TransferTo) =>
  'accountId' in to ? '/body/to/accountId' : 'iban' in to ? '/body/to/iban' : '/body/to/payeeId';

/** The IBAN a transfer pays, typed or saved with the payee; null for an own account by id. */
function payeeIbanOf(to: TransferTo): string | null {
  if ('accountId' in to) return null;
  const iban = 'iban' in to ? to.iban : to.payeeIban;
  // executeTransfer answers payee_not_found before parties are looked for.
  assert(iban !== undefined, 'a payee without an IBAN reached the party lookup');
  return iban;
}

/** A transfer as the API shows it, but for its times and its review. */
function transferFacts(t: Omit<TransferRecord, 'createdAt' | 'postedAt'>) {
  return {
    id: t.id,
    status: t.status,
    fromAccountId: t.fromAccountId,
    // Another customer's account id is never shown; the sender's own accounts are.
    toAccountId: t.toOwnAccount ? t.toAccountId : null,
    amount: toApiMoney(t.amountMinor, t.currency as Currency),
    reference: t.reference,
    counterparty: { name: maskName(t.counterpartyName), maskedIban: maskIban(t.counterpartyIban) },
  };
}

/**
 * What the customer is told about a held (or rejected) transfer: a code the app translates, an
 * English sentence, and where it stands. Never the scores or the model's features (docs/adr/0131).
 */
export function reviewFacts(status: TransferStatus, customerReason: CustomerReason) {
  return {
    status: status === 'held' ? 'pending' : status === 'rejected' ? 'rejected' : 'approved',
    reason: customerReason,
    message: `${customerReasonText[customerReason]} ${status === 'rejected' ? reviewRejectedText : reviewPendingText}`,
  } as const;
}

const reviewPendingText =
  'To protect you, we are checking this payment before it leaves your account: the money is reserved, not sent. We usually decide within one business day. If you did not make this payment, contact us now.';
const reviewRejectedText =
  'We did not send this payment after checking it, and the reserved money is available again. Contact us if you want to know more.';

export function transferView(t: TransferRecord, customerReason?: CustomerReason | null) {
  return {
    ...transferFacts(t),
    createdAt: t.createdAt.toISOString(),
    postedAt: t.postedAt?.toISOString() ?? null,
    ...(customerReason ? { review: reviewFacts(t.status, customerReason) } : {}),
  };
}

const ownAccountMissing = (pointer: string) => accountNotFound('customer', pointer);

const payeeMissing = (pointer: string) =>
  unprocessable(
    'payee_account_not_found',
    'No open account in this bank has that IBAN. Check the IBAN with the payee; transfers to other banks are not supported yet.',
    { errors: [{ pointer, detail: 'is not an open account in this bank' }] },
  );

const sameAccount = () =>
  unprocessable('same_account', 'The payee account is the account you pay from. Choose a different payee account.', {
    errors: [{ pointer: '/body/to', detail: 'must differ from fromAccountId' }],
  });

type FindAccounts = (accountIds: readonly string[], iban: string | null) => Promise<AccountRef[]>;

/**
 * Looks up the parties of concurrent transfers together (the group-commit batcher, used for reads):
 * sent at once when a slot is free, so an idle system waits for nothing; under load the requests
 * that arrive meanwhile share the next query instead of each paying its own round trip.
 */
function createAccountFinder(accounts: AccountsService): FindAccounts {
  const lookups = createBatcher<{ accountIds: readonly string[]; iban: string | null }, AccountRef[]>({
    async run(queries) {
      const found = await accounts.findAccounts(
        [...new Set(queries.flatMap((q) => q.accountIds))],
        [...new Set(queries.flatMap((q) => (q.iban === null ? [] : [q.iban])))],
      );
      return queries.map((q) => found.filter((a) => q.accountIds.includes(a.id) || a.iban === q.iban));
    },
    batchSizeMax: accountLookupBatchSizeMax,
    inFlightMax: accountLookupsInFlightMax,
    queueLengthMax: transferQueueLengthMax,
    overloaded: paymentsBusy,
  });
  return (accountIds, iban) => lookups.submit({ accountIds, iban });
}

type HasPaidBefore = (customerId: string, accountId: string) => Promise<boolean>;

/** Whether a customer paid an account before (the new-payee rule), looked up in groups like the parties. */
function createPaidBeforeFinder(db: Database): HasPaidBefore {
  const lookups = createBatcher<{ customerId: string; accountId: string }, boolean>({
    async run(pairs) {
      const known = await paidBefore(db, pairs);
      return pairs.map((p) => known.has(pairKey(p.customerId, p.accountId)));
    },
    batchSizeMax: accountLookupBatchSizeMax,
    inFlightMax: accountLookupsInFlightMax,
    queueLengthMax: transferQueueLengthMax,
    overloaded: paymentsBusy,
  });
  return (customerId, accountId) => lookups.submit({ customerId, accountId });
}

/** Finds both sides among the bank's accounts; client mistakes become domain errors (stored under the key). */
async function resolveParties(findAccounts: FindAccounts, customerId: string, input: TransferInput): Promise<Parties> {
  const iban = payeeIbanOf(input.to);
  const byIban = iban !== null;
  const toPointer = toPointerOf(input.to);
  const toAccountId = 'accountId' in input.to ? input.to.accountId : null;
  if (toAccountId === input.fromAccountId) throw sameAccount();
  const found = await findAccounts(toAccountId ? [input.fromAccountId, toAccountId] : [input.fromAccountId], iban);
  const from = found.find((a) => a.id === input.fromAccountId && a.customerId === customerId);
  if (!from) throw ownAccountMissing(fromPointer);
  const to = toAccountId
    ? found.find((a) => a.id === toAccountId && a.customerId === customerId)
    : found.find((a) => a.iban === iban);
  if (!to) throw byIban ? payeeMissing(toPointer) : ownAccountMissing(toPointer);
  if (byIban && to.status === 'closed') throw payeeMissing(toPointer);
  if (to.id === from.id) throw sameAccount();
  if (input.currency !== from.currency) throw currencyMismatch('from', '/body/amount/currency', from.currency);
  if (to.currency !== from.currency) throw currencyMismatch('to', toPointer, to.currency);
  return { from, to, toOwn: to.customerId === customerId, byIban, toPointer };
}

/** The ledger refused the transfer: say what and which side, in the customer's words. */
function transferRejection(outcome: Extract<LedgerOutcome, { ok: false }>, parties: Parties): DomainError {
  const side = outcome.postingIndex === 1 ? 'to' : 'from';
  const pointer = side === 'from' ? fromPointer : parties.toPointer;
  const errors = [{ pointer, detail: `is ${outcome.code.replace('account_', '')}` }];
  switch (outcome.code) {
    case 'insufficient_funds':
      return unprocessable(
        'insufficient_funds',
        'Your available balance is too low for this transfer. Transfer a smaller amount or add money first.',
        { errors: [{ pointer: '/body/amount/amount', detail: 'exceeds the available balance' }] },
      );
    case 'account_frozen':
      return unprocessable(
        'account_frozen',
        side === 'from'
          ? 'Your account is frozen, so no money can leave it. Unfreeze it first, or contact support if the bank froze it.'
          : 'The payee account is frozen and cannot receive money now. Try again later or pay another account.',
        { errors, extensions: { side } },
      );
    case 'account_closed':
      if (side === 'to' && parties.byIban) return payeeMissing(parties.toPointer);
      return accountClosed({ side, errors });
    case 'currency_mismatch':
      return currencyMismatch(side, pointer, side === 'from' ? parties.from.currency : parties.to.currency);
    default:
      throw new Error(`ledger refused a transfer with ${outcome.code}`);
  }
}

/** What the transfer writes and answers if the ledger posts it; times are filled in from the posting. */
function planTransfer(
  transferId: string,
  entryId: string,
  customerId: string,
  input: TransferInput,
  parties: Parties,
  decision: RiskDecision,
) {
  const { from, to } = parties;
  const transfer = {
    id: transferId,
    status: 'posted' as TransferStatus,
    riskDecisionId: decision.decisionId ?? null,
    customerId,
    fromAccountId: from.id,
    toAccountId: to.id,
    toOwnAccount: parties.toOwn,
    journalEntryId: entryId,
    amountMinor: input.amountMinor,
    currency: input.currency,
    reference: input.reference,
    counterpartyName: to.holderName,
    counterpartyIban: to.iban,
  };
  const line = {
    entryId,
    amountMinor: input.amountMinor,
    currency: input.currency,
    status: 'posted',
    description: input.reference,
  } as const;
  return {
    response: {
      status: 201,
      body: { ...transferFacts(transfer), createdAt: outcomeHole.createdAt, postedAt: outcomeHole.postedAt },
    },
    transfer,
    statementLines: [
      {
        ...line,
        customerId,
        accountId: from.id,
        direction: 'debit',
        balanceAfterLeg: 0,
        counterpartyName: to.holderName,
        counterpartyIban: to.iban,
      },
      {
        ...line,
        customerId: to.customerId,
        accountId: to.id,
        direction: 'credit',
        balanceAfterLeg: 1,
        counterpartyName: from.holderName,
        counterpartyIban: from.iban,
      },
    ],
    event: {
      id: newId('outboxEvent'),
      topic: 'transfer.posted',
      aggregateId: transferId,
      payload: {
        transferId,
        journalEntryId: entryId,
        fromAccountId: from.id,
        toAccountId: to.id,
        amount: toApiMoney(input.amountMinor, input.currency),
        postedAt: outcomeHole.postedAt,
      },
    },
  } satisfies PostedPlan;
}

/**
 * A transfer held for review (docs/adr/0131): the ledger holds the money (a pending entry: the
 * sender's available balance drops, nothing moves), the sender's history shows it pending, the payee
 * sees nothing yet, and the answer is 202 with the customer-safe reason. payments/reviews.ts posts or
 * voids it.
 */
function planHeldTransfer(
  transferId: string,
  entryId: string,
  customerId: string,
  input: TransferInput,
  parties: Parties,
  decision: Extract<RiskDecision, { outcome: 'hold' }>,
): PostedPlan {
  const plan = planTransfer(transferId, entryId, customerId, input, parties, decision);
  const transfer = { ...plan.transfer, status: 'held' as const };
  const [debit] = plan.statementLines;
  assert(debit !== undefined, 'a transfer plan starts with the debit line');
  return {
    response: {
      status: 202,
      body: {
        ...transferFacts(transfer),
        createdAt: outcomeHole.createdAt,
        postedAt: null,
        review: reviewFacts('held', decision.customerReason),
      },
    },
    transfer,
    statementLines: [{ ...debit, status: 'pending' }],
    event: {
      id: plan.event.id,
      topic: 'transfer.held',
      aggregateId: transferId,
      payload: {
        transferId,
        journalEntryId: entryId,
        fromAccountId: parties.from.id,
        amount: toApiMoney(input.amountMinor, input.currency),
        heldAt: outcomeHole.createdAt,
      },
    },
  };
}

/** A credit's answer; its balance and times are filled in from the posting. */
function creditView(entryId: string, input: CreditInput) {
  return {
    id: entryId,
    status: 'posted',
    accountId: input.accountId,
    amount: toApiMoney(input.amountMinor, input.currency),
    description: input.description,
    balanceAfter: outcomeHole.balanceAfter(1, input.currency),
    createdAt: outcomeHole.createdAt,
    postedAt: outcomeHole.postedAt,
  };
}

function creditRejection(outcome: Extract<LedgerOutcome, { ok: false }>): DomainError {
  const errors = [{ pointer: '/body/accountId', detail: `is ${outcome.code.replace('account_', '')}` }];
  if (outcome.code === 'account_frozen' || outcome.code === 'account_closed') {
    return unprocessable(
      outcome.code,
      `The account is ${outcome.code === 'account_frozen' ? 'frozen' : 'closed'} and cannot receive money.`,
      { errors, extensions: { side: 'to' } },
    );
  }
  throw new Error(`ledger refused a credit with ${outcome.code}`);
}

/** What the transfer path needs of step-up (identity/step-up.ts, `services.stepUp`). */
export type PaymentApprovals = Pick<StepUpService, 'issueChallenge' | 'verifyAssertion'>;

export function createPaymentsService(
  deps: Pick<AppDependencies, 'db' | 'config'>,
  modules: {
    ledger: LedgerService;
    accounts: AccountsService;
    stepUp: PaymentApprovals;
    limits: Pick<LimitsService, 'postingCheck' | 'tiers'>;
    audit: Pick<AuditService, 'record'>;
    risk?: RiskCheck;
    /** The risk module's decisions and review labels (app.ts passes them with the risk check). */
    reviews?: ReviewDecisions;
  },
) {
  const { db, config } = deps;
  const { ledger, accounts, stepUp, limits, audit } = modules;
  const risk = modules.risk ?? riskCheck;
  const rules: StepUpRules = stepUpRules(config);
  const movements = createMovementExecutor(db, limits.tiers);
  const findAccounts = createAccountFinder(accounts);
  const hasPaidBefore = createPaidBeforeFinder(db);
  const inProgress = new Map<string, Promise<unknown>>();

  /** The reason a held or rejected transfer was held, from its stored decision; null for any other. */
  async function customerReasonOfTransfer(transfer: TransferRecord): Promise<CustomerReason | null> {
    if (transfer.status !== 'held' && transfer.status !== 'rejected') return null;
    if (!transfer.riskDecisionId || !modules.reviews) return 'unusual_activity';
    const decision = (await modules.reviews.decisionsById(db, [transfer.riskDecisionId])).get(transfer.riskDecisionId);
    return decision?.customerReason ?? 'unusual_activity';
  }

  /**
   * Stores a definite domain outcome found before posting (unknown account…) unless the key was
   * taken first. Transient failures never get here (definiteError rethrows them): the key stays free.
   */
  const storeEarlyOutcome = async (idempotency: IdempotencyKey | undefined, error: DomainError): Promise<Executed> => {
    const response = problemResponse(error);
    if (idempotency && !(await storeResponse(db, idempotency, response))) return { kind: 'key_taken' };
    return { kind: 'answered', response };
  };

  /**
   * `to: { payeeId }` naming no payee of the customer's (unknown, deleted, someone else's): 404 and
   * nothing changed, not even the key, since nothing about the payment was decided. A key answered
   * before (the payee deleted since) still replays its answer, or refuses another body with 422.
   */
  async function unknownPayee(idempotency: IdempotencyKey | undefined): Promise<Executed> {
    const stored = idempotency && (await findStoredResponse(db, idempotency));
    if (stored) return { kind: 'stored', stored };
    return { kind: 'answered', response: problemResponse(payeeNotFound()) };
  }

  /** Posts a movement; `step_up_required` comes back only for one that carries a cumulative check. */
  async function submit(item: Movement): Promise<Executed | { readonly kind: 'step_up_required' }> {
    const result = await movements.submit(item);
    return result.kind === 'settled' ? { kind: 'answered', response: result.response } : result;
  }

  /**
   * Runs `execute` at most once per key. Concurrent duplicates in this process wait for the first
   * and then replay; a key answered before is found by the movement batch before it posts anything
   * (movements.ts), and across processes the unique (scope, key) row serializes them.
   */
  async function oncePerKey(
    idempotency: IdempotencyKey | undefined,
    execute: () => Promise<Executed>,
  ): Promise<Answer> {
    if (!idempotency) {
      const executed = await execute();
      if (executed.kind !== 'answered') throw new Error('a movement without a key cannot find its key taken');
      return { response: executed.response, replayed: false };
    }
    const key = flightKey(idempotency);
    for (let running = inProgress.get(key); running; running = inProgress.get(key)) {
      await running.catch(() => {});
    }
    const work = (async (): Promise<Answer> => {
      const executed = await execute();
      if (executed.kind === 'answered') return { response: executed.response, replayed: false };
      if (executed.kind === 'stored') return replay(executed.stored, idempotency);
      const winner = await findStoredResponse(db, idempotency);
      if (!winner)
        throw conflict(
          'idempotency_key_in_use',
          'A request with this Idempotency-Key is still in progress. Retry in a moment.',
        );
      return replay(winner, idempotency);
    })();
    inProgress.set(key, work);
    try {
      return await work;
    } finally {
      inProgress.delete(key);
    }
  }

  /**
   * Why this transfer needs the customer's passkey approval: none, these reasons, or `cumulative`
   * when only the cumulative rule can still ask. That one is payments_post's to decide, under a
   * lock per customer and currency (migration 0080, docs/adr/0095): read here, before posting,
   * concurrent payments could each pass it and together not.
   */
  async function stepUpReasons(
    customerId: string,
    input: TransferInput,
    parties: Parties,
    decision: RiskDecision,
  ): Promise<readonly StepUpReason[] | 'cumulative'> {
    const known = stepUpReasonsBeforeLookup(rules, {
      toOwnAccount: parties.toOwn,
      amountMinor: input.amountMinor,
      currency: input.currency,
      riskWantsStepUp: decision.outcome === 'step_up',
    });
    if (known === 'exempt') return [];
    // The lookup only matters when nothing else asks for approval: reads saved per approval.
    if (known.length > 0) return known;
    if (rules.newPayee && !(await hasPaidBefore(customerId, parties.to.id))) return ['new_payee'];
    return rules.cumulative ? 'cumulative' : [];
  }

  /** The 403 with a challenge bound to this payment (answered, not stored under the key), or why none could be issued. */
  async function askForApproval(customerId: string, input: TransferInput, parties: Parties): Promise<Executed> {
    const binding = paymentBinding(input.amountMinor, input.currency, parties.to.iban, parties.from.id);
    try {
      const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding });
      return { kind: 'answered', response: problemResponse(paymentStepUpRequired(challenge)) };
    } catch (error) {
      // Answered, not stored (passkey_required…); a transient failure is rethrown so it keeps its Retry-After.
      return { kind: 'answered', response: problemResponse(definiteError(error)) };
    }
  }

  /**
   * Asks for, or checks, the customer's approval. Its answers (step_up_required with a challenge, or a
   * refused approval) are NOT stored under the Idempotency-Key: the customer resubmits the same
   * request with the same key and an approval, and that one posts (docs/adr/0024). A key answered
   * before replays without a new approval, since a replay moves no money. `approved`: go on, with
   * the challenge that approved it.
   */
  async function approvePayment(
    customerId: string,
    input: TransferInput,
    parties: Parties,
    idempotency: IdempotencyKey | undefined,
  ): Promise<Executed | { kind: 'approved'; challengeId: string }> {
    const stored = idempotency && (await findStoredResponse(db, idempotency));
    if (stored) return { kind: 'stored', stored };
    if (!input.stepUp) return askForApproval(customerId, input, parties);
    const binding = paymentBinding(input.amountMinor, input.currency, parties.to.iban, parties.from.id);
    try {
      const approval = await stepUp.verifyAssertion({ customerId, purpose: 'payment', binding, ...input.stepUp });
      await audit.record(db, {
        action: 'payment.approved',
        actor: { kind: 'customer', id: customerId },
        subject: { kind: 'step_up_challenge', id: approval.challengeId },
        details: { amount: binding.amount, currency: binding.currency, passkeyId: approval.passkeyId },
      });
      return { kind: 'approved', challengeId: approval.challengeId };
    } catch (error) {
      // Answered, not stored; a transient failure is rethrown so it keeps its Retry-After.
      return { kind: 'answered', response: problemResponse(definiteError(error)) };
    }
  }

  /** Parties found, risk checked and, for a customer's request, approval given; or the answer to give instead. */
  async function checkTransfer(
    customerId: string,
    input: TransferInput,
    idempotency: IdempotencyKey | undefined,
    strongAuth: boolean,
  ): Promise<Ready | Executed> {
    let parties: Parties;
    let decision: RiskDecision;
    try {
      parties = await resolveParties(findAccounts, customerId, input);
      // The one call into the risk seam (payments/risk.ts).
      decision = await risk({
        customerId,
        fromAccountId: parties.from.id,
        toAccountId: parties.to.id,
        toIban: parties.to.iban,
        toOwnAccount: parties.toOwn,
        amountMinor: input.amountMinor,
        currency: input.currency,
        at: input.at ?? new Date(),
        deviceKeyThumbprint: input.deviceKeyThumbprint,
        idempotencyKey: idempotency?.key,
      });
      if (decision.outcome === 'decline')
        throw unprocessable(
          'transfer_declined',
          'We could not make this transfer. Contact support if you think this is a mistake.',
        );
    } catch (error) {
      return storeEarlyOutcome(idempotency, definiteError(error));
    }
    if (!strongAuth) return { kind: 'ready', parties, decision };
    const reasons = await stepUpReasons(customerId, input, parties, decision);
    // Without an approval in hand the cumulative rule goes with the payment into payments_post; with
    // one, it is verified now (the payment may need it), and the approved payment leaves the total.
    if (reasons === 'cumulative' && !input.stepUp) return { kind: 'ready', parties, decision, cumulative: true };
    if (reasons !== 'cumulative' && reasons.length === 0) return { kind: 'ready', parties, decision };
    const approval = await approvePayment(customerId, input, parties, idempotency);
    return approval.kind === 'approved'
      ? { kind: 'ready', parties, decision, approvedBy: approval.challengeId }
      : approval;
  }

  /** `strongAuth`: a customer's own request, which step-up rules apply to; back-office and demo data are not. */
  async function executeTransfer(
    customerId: string,
    input: TransferInput,
    idempotency: IdempotencyKey | undefined,
    strongAuth: boolean,
  ): Promise<Executed> {
    if ('payeeId' in input.to && input.to.payeeIban === undefined) return unknownPayee(idempotency);
    const checked = await checkTransfer(customerId, input, idempotency, strongAuth);
    if (checked.kind !== 'ready') return checked;
    const { parties, decision } = checked;
    const transferId = newId('transfer');
    // Approved payments leave the cumulative step-up total (migration 0076); written before anything is reserved or posted.
    if (checked.approvedBy)
      await recordPaymentApproval(db, { transferId, customerId, challengeId: checked.approvedBy });
    // KYC and limits (compliance/limits.ts): the last gate before posting, reserved in payments_post's
    // own statement (migration 0061, docs/adr/0060); its refusals are stored under the key.
    const check = limits.postingCheck({
      customerId,
      currency: input.currency,
      amountMinor: input.amountMinor,
      toOwnAccount: parties.toOwn,
      at: input.at,
    });
    const entryId = newId('journalEntry');
    // Audited in payments_post's own statement: a trigger on transfers (migration 0043) records
    // 'payments.transfer_posted' for every posted transfer of the batch.
    const executed = await submit({
      idempotency,
      limit: { item: check.item, refused: (result) => problemResponse(check.refusal(result)) },
      cumulative: checked.cumulative
        ? cumulativeCheck(rules, { customerId, amountMinor: input.amountMinor, currency: input.currency })
        : undefined,
      command: {
        // Held for review: the ledger reserves the money (a pending entry) until an analyst decides.
        op: decision.outcome === 'hold' ? 'hold' : 'post',
        entry: {
          entryId,
          kind: 'transfer',
          description: input.reference,
          metadata: { transferId },
          postings: movement(
            parties.from.ledgerAccountId,
            parties.to.ledgerAccountId,
            input.amountMinor,
            input.currency,
          ),
          createdAt: input.at,
        },
      },
      posted:
        decision.outcome === 'hold'
          ? planHeldTransfer(transferId, entryId, customerId, input, parties, decision)
          : planTransfer(transferId, entryId, customerId, input, parties, decision),
      refused: (outcome) => problemResponse(transferRejection(outcome, parties)),
    });
    // The cumulative rule asked, under its lock: nothing moved or was stored; the customer approves
    // this payment with a passkey and resubmits it with the same key (approvePayment then verifies it).
    return executed.kind === 'step_up_required' ? askForApproval(customerId, input, parties) : executed;
  }

  async function executeCredit(
    input: CreditInput,
    idempotency: IdempotencyKey | undefined,
    kind: 'deposit' | 'purchase',
  ) {
    const account = await accounts.findAccount(input.accountId);
    if (!account) return storeEarlyOutcome(idempotency, accountNotFound('operator'));
    if (account.currency !== input.currency)
      return storeEarlyOutcome(idempotency, currencyMismatch('to', '/body/amount/currency', account.currency));
    const entryId = newId('journalEntry');
    const bank = ledger.systemAccountId(kind === 'deposit' ? 'settlement' : 'clearing', input.currency);
    // A deposit moves money from the bank's settlement account in; a purchase moves it out to card clearing.
    const postings =
      kind === 'deposit'
        ? movement(bank, account.ledgerAccountId, input.amountMinor, input.currency)
        : movement(account.ledgerAccountId, bank, input.amountMinor, input.currency);
    const executed = await submit({
      idempotency,
      command: {
        op: 'post',
        entry: { entryId, kind, description: input.description, metadata: {}, postings, createdAt: input.at },
      },
      posted: {
        response: { status: 201, body: creditView(entryId, input) },
        statementLines: [
          {
            customerId: account.customerId,
            accountId: account.id,
            entryId,
            direction: kind === 'deposit' ? 'credit' : 'debit',
            amountMinor: input.amountMinor,
            currency: input.currency,
            // The customer's leg: credited second on a deposit, debited first on a purchase.
            balanceAfterLeg: kind === 'deposit' ? 1 : 0,
            status: 'posted',
            description: input.description,
            counterpartyName: null,
            counterpartyIban: null,
          },
        ],
      },
      refused: (outcome) => problemResponse(kind === 'deposit' ? creditRejection(outcome) : purchaseRejection(outcome)),
    });
    assert(executed.kind !== 'step_up_required', 'a credit carries no step-up check');
    return executed;
  }

  return {
    /** POST /api/v1/transfers: posts once per Idempotency-Key and answers the same every time. */
    createTransfer: (customerId: string, input: TransferInput, idempotency: IdempotencyKey) =>
      oncePerKey(idempotency, () => executeTransfer(customerId, input, idempotency, true)),

    async getTransfer(customerId: string, transferId: string) {
      const transfer = await findTransfer(db, transferId, customerId);
      if (!transfer)
        throw notFound('transfer_not_found', 'No transfer with this id among your transfers. Check the id.');
      return transferView(transfer, await customerReasonOfTransfer(transfer));
    },

    /** Back office: money enters from the bank's settlement account (operator API, CLI, demo data). */
    creditAccount: (input: CreditInput, idempotency?: IdempotencyKey) =>
      oncePerKey(idempotency, () => executeCredit(input, idempotency, 'deposit')),

    /**
     * Demo data and tests: a transfer without HTTP, so without step-up (no customer is present to
     * approve it); throws the domain error a client would get.
     */
    async postTransfer(customerId: string, input: TransferInput) {
      return bodyOrThrow(await oncePerKey(undefined, () => executeTransfer(customerId, input, undefined, false)));
    },

    /** Demo data: a card-like purchase, paid from the account to the card clearing account. */
    async cardPurchase(input: CreditInput) {
      return bodyOrThrow(await oncePerKey(undefined, () => executeCredit(input, undefined, 'purchase')));
    },
  };
}

function purchaseRejection(outcome: Extract<LedgerOutcome, { ok: false }>): DomainError {
  if (outcome.code === 'insufficient_funds')
    return unprocessable('insufficient_funds', 'The available balance is too low for this purchase.');
  if (outcome.code === 'account_frozen' || outcome.code === 'account_closed')
    return unprocessable(outcome.code, `The account is ${outcome.code.replace('account_', '')}.`);
  throw new Error(`ledger refused a purchase with ${outcome.code}`);
}

function bodyOrThrow(answer: Answer): Record<string, unknown> {
  const { status, body } = answer.response;
  if (status < 400) return body;
  throw new DomainError(status, String(body.code), String(body.title), String(body.detail));
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
