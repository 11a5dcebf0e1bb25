import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { LedgerQueryable, LedgerViolation } from './invariants.ts';

/**
 * A load generator for POST /api/v1/transfers over real HTTP, shared by the concurrency and crash
 * tests and reusable by benchmarks. It plans random transfers from a seed (so a failing run can be
 * replayed with the same seed), sends them from many concurrent clients with duplicate submissions
 * of the same Idempotency-Key mixed in, records every attempt, and builds the clients' own model of
 * the books from the answers they got. It knows the API only through HTTP and the tables only
 * through plain SQL, like checkLedgerInvariants.
 */

/** One account the load pays from and to. */
export interface LoadAccount {
  readonly id: string;
  readonly iban: string;
  readonly customerId: string;
  readonly currency: string;
  /** The balance before the load: the starting point of the clients' model. */
  readonly openingMinor: bigint;
}

/** Sent once; sent again later with the same key and body; or sent twice at the same moment. */
export type Submission = 'once' | 'retry' | 'concurrent';

export interface PlannedTransfer {
  readonly key: string;
  readonly customerId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  /** True when paid by IBAN to another customer; false when paid to an own account by id. */
  readonly byIban: boolean;
  readonly amountMinor: bigint;
  /** The JSON body, exactly the same bytes on every submission of the key. */
  readonly body: string;
  readonly submission: Submission;
}

export interface PlanOptions {
  readonly count: number;
  readonly seed: number;
  /** Largest amount drawn; amounts skew small, so most pass and the large ones overdraw. */
  readonly amountMinorMax: bigint;
  /** Share of transfers sent again later as a sequential retry (default 0.1). */
  readonly retryShare?: number;
  /** Share of transfers sent twice at once (default 0.1). */
  readonly concurrentShare?: number;
  /** Share paid to another customer by IBAN, the rest between own accounts (default 0.5). */
  readonly ibanShare?: number;
  /** Keys are `${keyPrefix}-${index}`; scoped per customer by the API, unique per run here. */
  readonly keyPrefix?: string;
}

/** mulberry32: a small seeded generator, so a run is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Minor units as the API's decimal string ("12.34" for 1234 with 2 decimals). */
export function formatMinor(amountMinor: bigint, decimals = 2): string {
  const sign = amountMinor < 0n ? '-' : '';
  const magnitude = amountMinor < 0n ? -amountMinor : amountMinor;
  if (decimals === 0) return `${sign}${magnitude}`;
  const unit = 10n ** BigInt(decimals);
  return `${sign}${magnitude / unit}.${(magnitude % unit).toString().padStart(decimals, '0')}`;
}

/** The API's decimal string back to minor units; throws on anything it did not write. */
export function parseMinor(amount: string, decimals = 2): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match || (match[3] ?? '').length !== decimals) throw new Error(`not a ${decimals}-decimal amount: ${amount}`);
  const minor = BigInt(`${match[2]}${match[3] ?? ''}`);
  return match[1] ? -minor : minor;
}

export function planTransfers(accounts: readonly LoadAccount[], options: PlanOptions): PlannedTransfer[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('nothing to pick from');
    return item;
  };
  const retryShare = options.retryShare ?? 0.1;
  const concurrentShare = options.concurrentShare ?? 0.1;
  const ibanShare = options.ibanShare ?? 0.5;
  const keyPrefix = options.keyPrefix ?? `load-${options.seed}`;
  return Array.from({ length: options.count }, (_, index): PlannedTransfer => {
    const from = pick(accounts);
    const payable = accounts.filter((a) => a.id !== from.id && a.currency === from.currency);
    const own = payable.filter((a) => a.customerId === from.customerId);
    const others = payable.filter((a) => a.customerId !== from.customerId);
    const byIban = own.length === 0 || (others.length > 0 && random() < ibanShare);
    const to = pick(byIban ? others : own);
    // Squaring skews amounts small: most transfers fit, the rare large ones hit insufficient funds.
    const amountMinor = 1n + BigInt(Math.floor(random() ** 2 * Number(options.amountMinorMax - 1n)));
    const draw = random();
    const submission = draw < retryShare ? 'retry' : draw < retryShare + concurrentShare ? 'concurrent' : 'once';
    const body = JSON.stringify({
      fromAccountId: from.id,
      to: byIban ? { iban: to.iban } : { accountId: to.id },
      amount: { amount: formatMinor(amountMinor), currency: from.currency },
      reference: `Load ${index}`,
    });
    const key = `${keyPrefix}-${index}`;
    return {
      key,
      customerId: from.customerId,
      fromAccountId: from.id,
      toAccountId: to.id,
      byIban,
      amountMinor,
      body,
      submission,
    };
  });
}

export interface TransferAnswer {
  readonly status: number;
  readonly body: string;
  /** The response carried `Idempotent-Replayed: true`. */
  readonly replayed: boolean;
}

export interface TransferAttempt {
  readonly key: string;
  /** Which submission of the key: the first, the later retry, or the twin sent at the same moment. */
  readonly copy: 'first' | 'retry' | 'twin';
  /** performance.now() when the request was sent and when it ended. */
  readonly startedMs: number;
  readonly endedMs: number;
  /** Undefined when the request got no answer (connection refused or reset, timeout). */
  readonly answer: TransferAnswer | undefined;
  readonly error: string | undefined;
}

export interface LoadTotals {
  answered: number;
  unanswered: number;
}

export interface LoadOptions {
  /** Read before every request, so a test may move the API (it normally stays put). */
  readonly baseUrl: string | (() => string);
  readonly plans: readonly PlannedTransfer[];
  readonly clients: number;
  /**
   * The headers that authenticate one request of a customer: `authorization: DPoP <access token>`
   * and a fresh `dpop` proof for this method and URL (a proof is good for one request only).
   */
  readonly headersFor: (customerId: string, method: string, url: string) => Readonly<Record<string, string>>;
  /**
   * Send a request that got no answer again, with the same key and body, after `pauseMs`, until it
   * is answered or `deadlineMs` after its first try. Without it, no answer is final.
   */
  readonly retryUnanswered?: { readonly pauseMs: number; readonly deadlineMs: number };
  /** Requests in flight longer than this are abandoned (no answer). */
  readonly requestTimeoutMs?: number;
  /** How many queued transfers are sent between a transfer and its sequential retry (default clients × 2). */
  readonly retryGapTransfers?: number;
  /** Called as each request is sent (the crash test tracks what is in flight). */
  readonly onSend?: (plan: PlannedTransfer, copy: TransferAttempt['copy']) => void;
  /** Called after every attempt with the running totals; the crash test kills the API from here. */
  readonly onAttempt?: (attempt: TransferAttempt, totals: Readonly<LoadTotals>) => void;
}

export interface LoadRun {
  readonly attempts: readonly TransferAttempt[];
  readonly elapsedMs: number;
}

const requestTimeoutMsDefault = 30_000;

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return `${error.name}: ${error.message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
}

async function sendTransfer(
  options: LoadOptions,
  plan: PlannedTransfer,
  copy: TransferAttempt['copy'],
): Promise<TransferAttempt> {
  const startedMs = performance.now();
  const baseUrl = typeof options.baseUrl === 'string' ? options.baseUrl : options.baseUrl();
  try {
    const url = `${baseUrl}/api/v1/transfers`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        ...options.headersFor(plan.customerId, 'POST', url),
        'content-type': 'application/json',
        'idempotency-key': plan.key,
      },
      body: plan.body,
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? requestTimeoutMsDefault),
    });
    // The body is part of the answer: a connection cut while it arrives is no answer.
    const body = await response.text();
    const replayed = response.headers.get('idempotent-replayed') === 'true';
    const answer = { status: response.status, body, replayed };
    return { key: plan.key, copy, startedMs, endedMs: performance.now(), answer, error: undefined };
  } catch (error) {
    const endedMs = performance.now();
    return { key: plan.key, copy, startedMs, endedMs, answer: undefined, error: describeError(error) };
  }
}

interface Job {
  readonly plan: PlannedTransfer;
  readonly copy: 'first' | 'retry';
}

/**
 * Sends every planned transfer from `clients` concurrent clients sharing one queue. A 'retry' plan
 * is sent again once answered, `retryGapTransfers` later in the queue, so other transfers on the
 * same accounts run in between (a second execution would find other balances); a 'concurrent'
 * plan is sent twice in the same tick.
 */
export async function runTransferLoad(options: LoadOptions): Promise<LoadRun> {
  const attempts: TransferAttempt[] = [];
  const totals: LoadTotals = { answered: 0, unanswered: 0 };
  const queue: Job[] = options.plans.map((plan) => ({ plan, copy: 'first' }));
  const retryGap = options.retryGapTransfers ?? options.clients * 2;
  let next = 0;
  const startedMs = performance.now();

  async function send(plan: PlannedTransfer, copy: TransferAttempt['copy']): Promise<void> {
    const deadlineMs = performance.now() + (options.retryUnanswered?.deadlineMs ?? 0);
    for (;;) {
      options.onSend?.(plan, copy);
      const attempt = await sendTransfer(options, plan, copy);
      attempts.push(attempt);
      if (attempt.answer) totals.answered += 1;
      else totals.unanswered += 1;
      options.onAttempt?.(attempt, totals);
      if (attempt.answer || !options.retryUnanswered || performance.now() > deadlineMs) return;
      await sleep(options.retryUnanswered.pauseMs);
    }
  }

  async function client(): Promise<void> {
    // `next` never passes queue.length, so a retry spliced in after the others finished is still taken.
    while (next < queue.length) {
      const job = queue[next] as Job;
      next += 1;
      const { plan, copy } = job;
      if (plan.submission === 'concurrent') await Promise.all([send(plan, copy), send(plan, 'twin')]);
      else await send(plan, copy);
      if (plan.submission === 'retry' && copy === 'first') {
        queue.splice(Math.min(queue.length, next + retryGap), 0, { plan, copy: 'retry' });
      }
    }
  }

  await Promise.all(Array.from({ length: options.clients }, client));
  return { attempts, elapsedMs: performance.now() - startedMs };
}

/** Everything the clients saw for one key. */
export interface KeyOutcome {
  readonly plan: PlannedTransfer;
  readonly attempts: readonly TransferAttempt[];
  /** Every answer, in the order they arrived. */
  readonly answers: readonly TransferAnswer[];
  /** The first answer (all must be equal); undefined when the key was never answered. */
  readonly answer: TransferAnswer | undefined;
}

export function outcomesByKey(plans: readonly PlannedTransfer[], run: LoadRun): Map<string, KeyOutcome> {
  const byKey = new Map<string, TransferAttempt[]>(plans.map((plan) => [plan.key, []]));
  for (const attempt of run.attempts) byKey.get(attempt.key)?.push(attempt);
  return new Map(
    plans.map((plan) => {
      const attempts = (byKey.get(plan.key) ?? []).sort((a, b) => a.endedMs - b.endedMs);
      const answers = attempts.flatMap((a) => (a.answer ? [a.answer] : []));
      return [plan.key, { plan, attempts, answers, answer: answers[0] }];
    }),
  );
}

/** A body with its traceId removed: problem bodies carry the trace id of the request that got them. */
function comparableBody(text: string): unknown {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return parsed;
    const { traceId: _traceId, ...rest } = parsed as Record<string, unknown>;
    return rest;
  } catch {
    return text;
  }
}

/** Why two answers to one key differ (status, or body apart from its per-request traceId); undefined when they agree. */
export function answerDifference(a: TransferAnswer, b: TransferAnswer): string | undefined {
  if (a.status !== b.status) return `status ${a.status} then ${b.status}`;
  if (!isDeepStrictEqual(comparableBody(a.body), comparableBody(b.body))) return `body ${a.body} then ${b.body}`;
  return undefined;
}

/**
 * What the clients can tell is wrong from their answers alone: a key never answered, a 5xx, or
 * two different answers to one key. Empty when the answers are sound.
 */
export function answerProblems(outcomes: ReadonlyMap<string, KeyOutcome>): string[] {
  const problems: string[] = [];
  for (const [key, outcome] of outcomes) {
    if (!outcome.answer) {
      const lastError = outcome.attempts.at(-1)?.error ?? 'never sent';
      problems.push(`${key}: no answer after ${outcome.attempts.length} attempts (${lastError})`);
      continue;
    }
    for (const answer of outcome.answers) {
      if (answer.status >= 500) problems.push(`${key}: ${answer.status} ${answer.body}`);
      const difference = answerDifference(outcome.answer, answer);
      if (difference) problems.push(`${key}: answers differ: ${difference}`);
    }
  }
  return problems;
}

/** The transfer id a 201 answer names. */
export function transferIdOf(answer: TransferAnswer): string {
  const id = (JSON.parse(answer.body) as { id?: unknown }).id;
  if (typeof id !== 'string') throw new Error(`a 201 answer without an id: ${answer.body}`);
  return id;
}

/** The clients' model of the books: opening balances plus every transfer answered 201, in minus out. */
export function modelBalances(
  accounts: readonly LoadAccount[],
  outcomes: ReadonlyMap<string, KeyOutcome>,
): Map<string, bigint> {
  const balances = new Map(accounts.map((a) => [a.id, a.openingMinor]));
  for (const { plan, answer } of outcomes.values()) {
    if (answer?.status !== 201) continue;
    balances.set(plan.fromAccountId, (balances.get(plan.fromAccountId) ?? 0n) - plan.amountMinor);
    balances.set(plan.toAccountId, (balances.get(plan.toAccountId) ?? 0n) + plan.amountMinor);
  }
  return balances;
}

export interface LatencySummary {
  readonly requests: number;
  readonly answered: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly answeredPerSecond: number;
}

export function latencySummary(run: LoadRun): LatencySummary {
  const latencies = run.attempts
    .filter((a) => a.answer)
    .map((a) => a.endedMs - a.startedMs)
    .sort((a, b) => a - b);
  const at = (quantile: number) => latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))];
  const round = (ms: number | undefined) => Math.round((ms ?? 0) * 10) / 10;
  return {
    requests: run.attempts.length,
    answered: latencies.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(latencies.at(-1)),
    answeredPerSecond: Math.round((latencies.length * 1000) / Math.max(1, run.elapsedMs)),
  };
}

/**
 * Every transfer is whole: its posted journal entry with exactly the two postings it describes, its
 * two history lines, one outbox event and one stored idempotent response naming it; and nothing
 * exists without its transfer. Assumes transfers came through the API (demo data posts transfers
 * without keys). An empty list means no transfer was half-applied.
 */
const transferChecks: readonly { readonly name: string; readonly sql: string }[] = [
  {
    name: 'transfer without its journal entry',
    sql: `SELECT t.id AS subject, coalesce(e.status, 'no entry') AS detail FROM transfers t
          LEFT JOIN journal_entries e ON e.id = t.journal_entry_id AND e.kind = 'transfer'
            AND e.metadata ->> 'transferId' = t.id
          -- A held transfer's entry is a pending hold until it is approved (posted) or rejected (voided).
          WHERE e.id IS NULL
            OR e.status <> CASE t.status WHEN 'held' THEN 'pending' WHEN 'rejected' THEN 'voided' ELSE t.status END`,
  },
  {
    name: 'transfer postings differ from the transfer',
    sql: `SELECT t.id AS subject, coalesce(string_agg(p.ledger_account_id || ' ' || p.amount_minor, ', '), 'none') AS detail
          FROM transfers t
          JOIN accounts payer ON payer.id = t.from_account_id
          JOIN accounts payee ON payee.id = t.to_account_id
          LEFT JOIN postings p ON p.entry_id = t.journal_entry_id
          GROUP BY t.id, t.amount_minor, t.currency, payer.ledger_account_id, payee.ledger_account_id
          HAVING count(p.id) <> 2
            OR count(*) FILTER (WHERE p.ledger_account_id = payer.ledger_account_id
                                  AND p.amount_minor = -t.amount_minor AND p.currency = t.currency) <> 1
            OR count(*) FILTER (WHERE p.ledger_account_id = payee.ledger_account_id
                                  AND p.amount_minor = t.amount_minor AND p.currency = t.currency) <> 1`,
  },
  {
    // A held or rejected transfer shows only on the sender's history (pending, then voided).
    name: 'transfer without its history lines',
    sql: `SELECT t.id AS subject, count(l.id) || ' lines' AS detail FROM transfers t
          LEFT JOIN account_transactions l ON l.entry_id = t.journal_entry_id
          GROUP BY t.id, t.from_account_id, t.to_account_id, t.amount_minor, t.status
          HAVING count(l.id) <> CASE WHEN t.status IN ('held', 'rejected') THEN 1 ELSE 2 END
            OR count(*) FILTER (WHERE l.account_id = t.from_account_id AND l.direction = 'debit'
                                  AND l.amount_minor = t.amount_minor
                                  AND l.status = CASE t.status WHEN 'held' THEN 'pending' WHEN 'rejected' THEN 'voided' ELSE t.status END) <> 1
            OR count(*) FILTER (WHERE l.account_id = t.to_account_id AND l.direction = 'credit'
                                  AND l.amount_minor = t.amount_minor) <> CASE WHEN t.status IN ('held', 'rejected') THEN 0 ELSE 1 END`,
  },
  {
    // Exactly one transfer.posted once posted, none before; a held one raised transfer.held once.
    name: 'transfer without exactly one outbox event',
    sql: `SELECT t.id AS subject, count(o.id) || ' events' AS detail FROM transfers t
          LEFT JOIN outbox_events o ON o.aggregate_id = t.id AND o.topic = 'transfer.posted'
          GROUP BY t.id, t.status HAVING count(o.id) <> CASE t.status WHEN 'posted' THEN 1 WHEN 'reversed' THEN 1 ELSE 0 END`,
  },
  {
    name: 'transfer without exactly one stored response',
    sql: `SELECT t.id AS subject, count(k.key) || ' stored responses' AS detail FROM transfers t
          LEFT JOIN idempotency_keys k ON k.scope = 'customer:' || t.customer_id AND k.response_status IN (201, 202)
            AND k.response_body ->> 'id' = t.id
          GROUP BY t.id HAVING count(k.key) <> 1`,
  },
  {
    name: 'stored transfer response without its transfer',
    sql: `SELECT k.scope || ' ' || k.key AS subject, k.response_body ->> 'id' AS detail FROM idempotency_keys k
          LEFT JOIN transfers t ON t.id = k.response_body ->> 'id'
          WHERE k.response_status = 201 AND k.scope LIKE 'customer:%' AND t.id IS NULL`,
  },
  {
    name: 'transfer entry without its transfer',
    sql: `SELECT e.id AS subject, coalesce(e.metadata ->> 'transferId', 'no transferId') AS detail
          FROM journal_entries e LEFT JOIN transfers t ON t.journal_entry_id = e.id
          WHERE e.kind = 'transfer' AND t.id IS NULL`,
  },
  {
    name: 'history line without its entry',
    sql: `SELECT l.id AS subject, l.entry_id AS detail FROM account_transactions l
          LEFT JOIN journal_entries e ON e.id = l.entry_id WHERE e.id IS NULL`,
  },
];

export async function checkTransferRecords(db: LedgerQueryable): Promise<LedgerViolation[]> {
  const violations: LedgerViolation[] = [];
  for (const check of transferChecks) {
    const { rows } = await db.query<{ subject: string; detail: string }>(check.sql);
    for (const row of rows) violations.push({ invariant: check.name, subject: row.subject, detail: row.detail });
  }
  return violations;
}
