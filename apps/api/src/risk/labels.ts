import { fraudLabelsFormat } from '@nextgen/ml';
import { fraudLabelsBatchSize } from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';

/**
 * Training labels from analysts' reviews (docs/ml/fraud-labels.md, docs/adr/0131): one JSON line per
 * reviewed decision, in the order they were labelled, with the feature values the model saw, so
 * `./ng ml train --labels FILE` can learn from the bank's own outcomes. No customer id, amount or
 * payee: the features are the model's inputs (logarithms, counts, flags), nothing that names anyone.
 */

export interface FraudLabel {
  readonly format: typeof fraudLabelsFormat;
  readonly decisionId: string;
  readonly decidedAt: string;
  readonly labelledAt: string;
  readonly model: string;
  readonly label: 'fraud' | 'legitimate';
  readonly features: Readonly<Record<string, number>>;
}

interface LabelRow {
  id: string;
  created_at: Date;
  reviewed_at: Date;
  /** reviewed_at to the microsecond, as PostgreSQL writes it: a JS Date keeps only milliseconds. */
  reviewed_cursor: string;
  model: string;
  label: 'fraud' | 'legitimate';
  features: Record<string, number>;
}

/**
 * Every labelled decision reviewed after `after` (all when undefined), oldest review first, in
 * keyset batches so the export never holds the table in memory. Returns how many were written.
 */
export async function exportFraudLabels(
  db: Queryable,
  after: Date | undefined,
  write: (label: FraudLabel) => Promise<void> | void,
): Promise<number> {
  // The keyset cursor keeps PostgreSQL's microseconds: a millisecond one would read the last row of
  // a page again, and loop for ever on a page of reviews within one millisecond.
  let cursor: { at: string; id: string } | undefined;
  let written = 0;
  for (;;) {
    const { rows } = await db.query<LabelRow>(
      `SELECT id, created_at, reviewed_at, reviewed_at::text AS reviewed_cursor, model, label, features FROM fraud_decisions
       WHERE label IS NOT NULL AND ($1::timestamptz IS NULL OR reviewed_at > $1)
         AND ($2::timestamptz IS NULL OR (reviewed_at, id) > ($2, $3::uuid))
       ORDER BY reviewed_at, id LIMIT $4`,
      [after ?? null, cursor?.at ?? null, cursor?.id ?? null, fraudLabelsBatchSize],
    );
    for (const row of rows) {
      await write({
        format: fraudLabelsFormat,
        decisionId: row.id,
        decidedAt: row.created_at.toISOString(),
        labelledAt: row.reviewed_at.toISOString(),
        model: row.model,
        label: row.label,
        features: row.features,
      });
    }
    written += rows.length;
    const last = rows.at(-1);
    if (!last || rows.length < fraudLabelsBatchSize) return written;
    cursor = { at: last.reviewed_cursor, id: last.id };
  }
}
