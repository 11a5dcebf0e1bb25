import type { Queryable } from '../../src/platform/database.ts';

/**
 * A fingerprint of everything the database holds: per table, its row count and the sum of a hash
 * of each row. The tables come from information_schema, so tables added by new migrations are
 * covered without a list to keep up to date, and any change (a row added, removed or edited: a
 * balance, a status, a counter) shows. The sum does not depend on row order, so no sort is needed;
 * two different states collide only if an edit keeps the 32-bit hash sum, about 1 in 4 billion.
 */
export type StateSnapshot = ReadonlyMap<string, string>;

/** The snapshot statement per database: migrations do not run while a test does. */
const statements = new WeakMap<Queryable, { sql: string; tables: string[] }>();

async function snapshotStatement(db: Queryable): Promise<{ sql: string; tables: string[] }> {
  const known = statements.get(db);
  if (known) return known;
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const tables = rows.map((row) => row.table_name);
  // One statement for every table: each SELECT reads one table and labels its row with its name.
  const sql = tables
    .map(
      (table, index) =>
        `SELECT $${index + 1}::text AS t, count(*) || ':' || coalesce(sum(hashtext(r::text)::bigint), 0) AS f
           FROM ${quoteIdentifier(table)} r`,
    )
    .join(' UNION ALL ');
  const statement = { sql, tables };
  statements.set(db, statement);
  return statement;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export async function stateSnapshot(db: Queryable): Promise<StateSnapshot> {
  const { sql, tables } = await snapshotStatement(db);
  if (tables.length === 0) return new Map();
  const { rows } = await db.query<{ t: string; f: string }>(sql, tables);
  return new Map(rows.map((row) => [row.t, row.f]));
}

/** The tables whose rows differ between two snapshots (added and dropped tables included). */
export function changedTables(before: StateSnapshot, after: StateSnapshot): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}

/**
 * A money movement refused under an Idempotency-Key stores the refusal with the key (Stripe's model,
 * payments/idempotency.ts): a retry then gets the same answer instead of a different outcome. That
 * row is the only change such a refusal may make.
 */
export const tablesRememberingRefusals: readonly string[] = ['idempotency_keys'];
