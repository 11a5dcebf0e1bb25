import { type Category, isCategory } from '@nextgen/ml';
import { accountsPerCustomerMax } from '../platform/constants.ts';
import type { Cursor } from '../platform/cursors.ts';
import type { Queryable } from '../platform/database.ts';
import type { Currency } from '../platform/money.ts';
import { correctionsPerCustomerMax, historyLinesMax, type InsightType } from './constants.ts';
import type { Line } from './merchants.ts';

/**
 * The insights module's SQL. Its own tables (migration 0095), and two read models it reads as the
 * risk module does (docs/api/insights.md, "Design"): the history lines (account_transactions) and
 * the customer's accounts with their ledger balance. It writes one column of the history, `category`.
 */

const lineColumns = `id, account_id, direction, amount_minor, currency, description, counterparty_name,
  counterparty_iban, category, created_at`;

/**
 * A customer's lines created in [from, to), oldest first: the newest historyLinesMax of them (one
 * range scan of account_transactions_customer). Voided holds never happened.
 */
export async function readLines(db: Queryable, customerId: string, from: Date, to: Date): Promise<Line[]> {
  const { rows } = await db.query<Line>(
    `SELECT ${lineColumns} FROM account_transactions
     WHERE customer_id = $1 AND created_at >= $2 AND created_at < $3 AND status <> 'voided'
     ORDER BY created_at DESC, id DESC
     LIMIT $4`,
    [customerId, from, to, historyLinesMax],
  );
  return rows.reverse();
}

export async function findLine(db: Queryable, customerId: string, lineId: string): Promise<Line | undefined> {
  const { rows } = await db.query<Line>(
    `SELECT ${lineColumns} FROM account_transactions WHERE id = $1 AND customer_id = $2`,
    [lineId, customerId],
  );
  return rows[0];
}

export interface OwnAccount {
  readonly id: string;
  readonly currency: Currency;
  readonly iban: string;
  readonly status: string;
  readonly balance_minor: bigint;
}

export async function readAccounts(db: Queryable, customerId: string): Promise<OwnAccount[]> {
  const { rows } = await db.query<OwnAccount>(
    `SELECT a.id, a.currency, a.iban, a.status, l.balance_minor
     FROM accounts a JOIN ledger_accounts l ON l.id = a.ledger_account_id
     WHERE a.customer_id = $1 ORDER BY a.created_at, a.id LIMIT $2`,
    [customerId, accountsPerCustomerMax],
  );
  return rows;
}

export async function readOverrides(db: Queryable, customerId: string): Promise<Map<string, Category>> {
  const { rows } = await db.query<{ merchant_key: string; category: string }>(
    'SELECT merchant_key, category FROM category_corrections WHERE customer_id = $1',
    [customerId],
  );
  const out = new Map<string, Category>();
  for (const row of rows) if (isCategory(row.category)) out.set(row.merchant_key, row.category);
  return out;
}

/**
 * Records a correction, with what the text model said of the line (null when not known); answers
 * false when the customer already keeps `max` corrections of other merchants.
 */
export async function upsertCorrection(
  tx: Queryable,
  correction: {
    customerId: string;
    merchantKey: string;
    category: Category;
    transactionId: string;
    model: { category: Category; version: string } | null;
    max: number;
  },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO category_corrections (customer_id, merchant_key, category, transaction_id, model_category, model_version)
     SELECT $1, $2, $3, $4, $6, $7
     WHERE EXISTS (SELECT 1 FROM category_corrections WHERE customer_id = $1 AND merchant_key = $2)
        OR (SELECT count(*) FROM category_corrections WHERE customer_id = $1) < $5
     ON CONFLICT (customer_id, merchant_key) DO UPDATE
       SET category = EXCLUDED.category, transaction_id = EXCLUDED.transaction_id, created_at = now(),
           model_category = EXCLUDED.model_category, model_version = EXCLUDED.model_version`,
    [
      correction.customerId,
      correction.merchantKey,
      correction.category,
      correction.transactionId,
      correction.max,
      correction.model?.category ?? null,
      correction.model?.version ?? null,
    ],
  );
  return rowCount > 0;
}

/** Stores categories of lines that differ from what the line holds; answers how many changed. */
export async function storeCategories(
  tx: Queryable,
  customerId: string,
  categories: readonly { id: string; category: Category }[],
): Promise<number> {
  if (categories.length === 0) return 0;
  const { rowCount } = await tx.query(
    `UPDATE account_transactions t SET category = v.category
     FROM jsonb_to_recordset($2::jsonb) AS v(id text, category text)
     WHERE t.id = v.id AND t.customer_id = $1 AND t.category IS DISTINCT FROM v.category`,
    [customerId, JSON.stringify(categories)],
  );
  return rowCount;
}

export async function enqueueCustomer(tx: Queryable, customerId: string): Promise<void> {
  await tx.query(
    `INSERT INTO insight_queue (customer_id) VALUES ($1)
     ON CONFLICT (customer_id) DO UPDATE
       SET enqueued_at = now(), generation = insight_queue.generation + 1, attempts = 0`,
    [customerId],
  );
}

// ---- Budgets -----------------------------------------------------------------------------------

export interface BudgetRow {
  readonly category: Category;
  readonly currency: Currency;
  readonly amount_minor: bigint;
}

export async function readBudgets(db: Queryable, customerId: string): Promise<BudgetRow[]> {
  const { rows } = await db.query<BudgetRow>(
    'SELECT category, currency, amount_minor FROM budgets WHERE customer_id = $1 ORDER BY category, currency',
    [customerId],
  );
  return rows.filter((row) => isCategory(row.category));
}

/** Creates or replaces; answers false when the customer already keeps `max` other budgets. */
export async function upsertBudget(
  tx: Queryable,
  budget: { customerId: string; category: Category; currency: Currency; amountMinor: bigint; max: number },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO budgets (customer_id, category, currency, amount_minor)
     SELECT $1, $2, $3, $4
     WHERE EXISTS (SELECT 1 FROM budgets WHERE customer_id = $1 AND category = $2 AND currency = $3)
        OR (SELECT count(*) FROM budgets WHERE customer_id = $1) < $5
     ON CONFLICT (customer_id, category, currency) DO UPDATE
       SET amount_minor = EXCLUDED.amount_minor, updated_at = now()`,
    [budget.customerId, budget.category, budget.currency, budget.amountMinor.toString(), budget.max],
  );
  return rowCount > 0;
}

export async function deleteBudget(
  db: Queryable,
  customerId: string,
  category: Category,
  currency: Currency,
): Promise<boolean> {
  const { rowCount } = await db.query(
    'DELETE FROM budgets WHERE customer_id = $1 AND category = $2 AND currency = $3',
    [customerId, category, currency],
  );
  return rowCount > 0;
}

// ---- Insights ----------------------------------------------------------------------------------

export interface InsightRow {
  readonly id: string;
  readonly type: InsightType;
  readonly period: string;
  readonly message_key: string;
  readonly params: Record<string, string>;
  readonly data: Record<string, unknown>;
  readonly model_version: string;
  readonly created_at: Date;
  readonly dismissed_at: Date | null;
  readonly cursor_at: string;
}

const insightColumns = `id, type, period, message_key, params, data, model_version, created_at, dismissed_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS cursor_at`;

export async function listInsights(
  db: Queryable,
  customerId: string,
  page: { limit: number; after: Cursor | undefined; dismissed: boolean },
): Promise<InsightRow[]> {
  const { rows } = await db.query<InsightRow>(
    `SELECT ${insightColumns} FROM insights
     WHERE customer_id = $1 AND (dismissed_at IS NOT NULL) = $2
       AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::text))
     ORDER BY created_at DESC, id DESC
     LIMIT $5`,
    [customerId, page.dismissed, page.after ? `${page.after.createdAt}Z` : null, page.after?.id ?? null, page.limit],
  );
  return rows;
}

/** Dismisses once: a second call keeps the first time. */
export async function dismissInsight(db: Queryable, customerId: string, id: string): Promise<InsightRow | undefined> {
  const { rows } = await db.query<InsightRow>(
    `UPDATE insights SET dismissed_at = coalesce(dismissed_at, now())
     WHERE id = $1 AND customer_id = $2
     RETURNING ${insightColumns}`,
    [id, customerId],
  );
  return rows[0];
}

export interface InsightDraft {
  readonly type: InsightType;
  readonly period: string;
  readonly dedupeKey: string;
  readonly messageKey: string;
  readonly params: Record<string, string>;
  readonly data: Record<string, unknown>;
}

/** Writes the drafts whose dedupe key is new for the customer; answers how many were new. */
export async function insertInsights(
  tx: Queryable,
  customerId: string,
  drafts: readonly (InsightDraft & { id: string })[],
  modelVersion: string,
): Promise<number> {
  if (drafts.length === 0) return 0;
  const { rowCount } = await tx.query(
    `INSERT INTO insights (id, customer_id, type, period, dedupe_key, message_key, params, data, model_version)
     SELECT d.id, $1, d.type, d.period, d."dedupeKey", d."messageKey", d.params, d.data, $3
     FROM jsonb_to_recordset($2::jsonb)
       AS d(id text, type text, period text, "dedupeKey" text, "messageKey" text, params jsonb, data jsonb)
     ORDER BY d."dedupeKey"
     ON CONFLICT (customer_id, dedupe_key) DO NOTHING`,
    [customerId, JSON.stringify(drafts), modelVersion],
  );
  return rowCount;
}

// ---- GDPR export -------------------------------------------------------------------------------

/**
 * Deletes what the insights module keeps about a customer, in the erasure's transaction (GDPR
 * Art. 17): its queue entry first (a worker refreshing the customer holds that row, so the erasure
 * waits for it and then deletes what it wrote), then insights, budgets and category corrections.
 * Nothing of it is a record the bank must keep: the ledger lines stay, detached (ADR 0032).
 */
export async function erasePersonalData(tx: Queryable, customerId: string): Promise<void> {
  await tx.query('DELETE FROM insight_queue WHERE customer_id = $1', [customerId]);
  await tx.query('DELETE FROM insights WHERE customer_id = $1', [customerId]);
  await tx.query('DELETE FROM budgets WHERE customer_id = $1', [customerId]);
  await tx.query('DELETE FROM category_corrections WHERE customer_id = $1', [customerId]);
}

/** The customer's corrections (merchant keys are hashes: the line they were made on says which merchant). */
export async function readCorrections(db: Queryable, customerId: string) {
  const { rows } = await db.query<{ category: string; transaction_id: string; created_at: Date }>(
    `SELECT category, transaction_id, created_at FROM category_corrections
     WHERE customer_id = $1 ORDER BY created_at DESC, merchant_key LIMIT $2`,
    [customerId, correctionsPerCustomerMax],
  );
  return rows;
}

// ---- Training labels ---------------------------------------------------------------------------

export interface CorrectionLabelRow {
  readonly customer_id: string;
  readonly merchant_key: string;
  readonly category: string;
  readonly model_category: string | null;
  readonly model_version: string | null;
  readonly created_at: Date;
  /** created_at to the microsecond (a Date keeps milliseconds): the keyset's position. */
  readonly cursor_at: string;
  readonly description: string;
}

/** Where the previous batch of corrections ended (the export's keyset). */
export interface CorrectionCursor {
  /** A row's cursor_at. */
  readonly at: string;
  readonly customerId: string;
  readonly merchantKey: string;
}

/**
 * One batch of card-payment corrections made after `after` and after `cursor`, oldest first, each
 * with its line's booking text, among merchant keys whose card-payment lines at least
 * `customersMin` customers corrected (the primary key makes each row a customer). A card payment
 * is a debit without a counterparty IBAN, as toInterchange (merchants.ts) decides its channel.
 */
export async function readCorrectionLabels(
  db: Queryable,
  page: { after: Date | undefined; cursor: CorrectionCursor | undefined; customersMin: number; limit: number },
): Promise<CorrectionLabelRow[]> {
  const { rows } = await db.query<CorrectionLabelRow>(
    `SELECT c.customer_id, c.merchant_key, c.category, c.model_category, c.model_version, c.created_at,
       to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS cursor_at, t.description
     FROM category_corrections c
     JOIN account_transactions t ON t.id = c.transaction_id AND t.customer_id = c.customer_id
     WHERE t.counterparty_iban IS NULL AND t.direction = 'debit'
       AND ($1::timestamptz IS NULL OR c.created_at > $1)
       AND ($2::timestamptz IS NULL OR (c.created_at, c.customer_id, c.merchant_key) > ($2, $3::text, $4::text))
       AND (SELECT count(*) FROM category_corrections o
            JOIN account_transactions ot ON ot.id = o.transaction_id AND ot.customer_id = o.customer_id
            WHERE o.merchant_key = c.merchant_key AND ot.counterparty_iban IS NULL AND ot.direction = 'debit') >= $5
     ORDER BY c.created_at, c.customer_id, c.merchant_key
     LIMIT $6`,
    [
      page.after ?? null,
      page.cursor ? `${page.cursor.at}Z` : null,
      page.cursor?.customerId ?? null,
      page.cursor?.merchantKey ?? null,
      page.customersMin,
      page.limit,
    ],
  );
  return rows;
}
