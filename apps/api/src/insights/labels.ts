import { type CategoryLabel, categoryLabelsFormat, isCategory, normaliseText } from '@nextgen/ml';
import type { Queryable } from '../platform/database.ts';
import { categoryLabelCustomersMin, categoryLabelsBatchSize } from './constants.ts';
import { type CorrectionCursor, type CorrectionLabelRow, readCorrectionLabels } from './repository.ts';

/**
 * Training labels from customers' category corrections (docs/ml/category-labels.md): one JSON line
 * per correction, oldest first, for `./ng ml insights-train --labels FILE`. What may leave (the
 * privacy decision written down there):
 * - card payments only: their booking text is the merchant's acceptor name, written by the card
 *   network, not a reference a person typed, and the other side is a shop, not a person;
 * - the text as the categoriser reads it (normaliseText: lower case, accents folded, digits and
 *   punctuation gone), so card numbers, terminal ids, dates and amounts are not in it;
 * - only texts that at least categoryLabelCustomersMin customers corrected, so a descriptor that
 *   names a private seller, paid by a few, stays out;
 * - no customer, account, transaction, merchant key, amount or IBAN, and no erased customer's
 *   corrections.
 */

export interface CategoryLabelsExport {
  /** Corrections made (or last changed) after this time only; all when undefined. */
  readonly after: Date | undefined;
  /** Whether a customer's corrections stay out (erased customers: the vault's isErased). */
  readonly leftOut: (customerId: string) => Promise<boolean>;
}

/** The line of a correction, or null when its text says nothing once normalised (or its category is gone). */
function labelOf(row: CorrectionLabelRow): CategoryLabel | null {
  const text = normaliseText(row.description);
  if (text === '' || !isCategory(row.category)) return null;
  const modelCategory = isCategory(row.model_category) ? row.model_category : null;
  return {
    format: categoryLabelsFormat,
    text,
    channel: 'card',
    moneyIn: false,
    category: row.category,
    modelCategory,
    model: modelCategory === null ? null : row.model_version,
    correctedAt: row.created_at.toISOString(),
  };
}

/**
 * Writes every exportable correction after `options.after`, in keyset batches so the export never
 * holds the table in memory. Returns how many lines were written.
 */
export async function exportCategoryLabels(
  db: Queryable,
  options: CategoryLabelsExport,
  write: (label: CategoryLabel) => Promise<void> | void,
): Promise<number> {
  let cursor: CorrectionCursor | undefined;
  let written = 0;
  for (;;) {
    const rows = await readCorrectionLabels(db, {
      after: options.after,
      cursor,
      customersMin: categoryLabelCustomersMin,
      limit: categoryLabelsBatchSize,
    });
    // Asked once per customer and batch: a batch holds at most categoryLabelsBatchSize customers.
    const leftOut = new Map<string, boolean>();
    for (const row of rows) {
      const label = labelOf(row);
      if (label === null) continue;
      const out = leftOut.get(row.customer_id) ?? (await options.leftOut(row.customer_id));
      leftOut.set(row.customer_id, out);
      if (out) continue;
      await write(label);
      written += 1;
    }
    const last = rows.at(-1);
    if (!last || rows.length < categoryLabelsBatchSize) return written;
    cursor = { at: last.cursor_at, customerId: last.customer_id, merchantKey: last.merchant_key };
  }
}
