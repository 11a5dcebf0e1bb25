import type { Queryable } from '../platform/database.ts';
import { newId } from '../platform/ids.ts';
import { monthOfDate } from './calendar.ts';
import { draftInsights } from './generate.ts';
import type { CategoriserModel } from './model.ts';
import * as repo from './repository.ts';
import { readPicture } from './service.ts';

export interface RefreshResult {
  /** Lines whose stored category changed. */
  readonly categorised: number;
  /** Insights the run found. */
  readonly drafted: number;
  /** Of those, new ones (the others were known by their dedupe key). */
  readonly written: number;
}

/**
 * One customer's worker pass, on one transaction handle (`tx` only: PGlite has one connection):
 * reads their last 13 months, stores each line's category where it changed, and writes the
 * insights whose dedupe key is new. Running it again with nothing changed writes nothing.
 */
export async function refreshCustomerInsights(
  tx: Queryable,
  model: CategoriserModel,
  customerId: string,
  now: Date,
): Promise<RefreshResult> {
  const { picture, accounts } = await readPicture(tx, model, customerId, now, monthOfDate(now));
  const changed = picture.lines
    .map((line, i) => ({ id: line.id, category: picture.categories[i] ?? 'other', before: line.category }))
    .filter((c) => c.category !== c.before)
    .map(({ id, category }) => ({ id, category }));
  const categorised = await repo.storeCategories(tx, customerId, changed);
  const budgets = await repo.readBudgets(tx, customerId);
  const drafts = draftInsights({ picture, budgets, accounts, now });
  const written = await repo.insertInsights(
    tx,
    customerId,
    drafts.map((d) => ({ ...d, id: newId('insight') })),
    model.label,
  );
  return { categorised, drafted: drafts.length, written };
}
