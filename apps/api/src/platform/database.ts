import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import pg from 'pg';
import {
  dbConnectTimeoutMs,
  dbIdleTimeoutMs,
  dbPoolSizeMax,
  dbStatementTimeoutMs,
  preparedStatementsMax,
} from './constants.ts';
import { assert, DependencyUnavailable } from './errors.ts';

/**
 * One code path for the PostgreSQL server (node-postgres) and the embedded PGlite: modules see only
 * `Database` and `Queryable`. int8 columns come back as bigint on both; bigint parameters are sent
 * as decimal text. Connection failures and timeouts become DependencyUnavailable (503).
 */
export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs one or more parameterless statements (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction; retries it on serialization failure or deadlock. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Throws DependencyUnavailable unless the database answers. */
  ping(): Promise<void>;
  /**
   * How long the oldest query (or connection acquire) still in flight has waited, in ms; 0 when
   * none is. Readiness turns red past a bound (platform/health.ts), so a wedged database (a lock
   * never released, PGlite's one connection held forever) is seen even while the process lives.
   */
  oldestWaitMs(): number;
  close(): Promise<void>;
}

/**
 * The start times of the database calls in flight, oldest first (a Map keeps insertion order and
 * start times only grow), so the oldest wait is O(1). Bounded by what is in flight: the pool size
 * plus the callers queued for it.
 */
export interface WaitTracker {
  track<T>(work: () => Promise<T>): Promise<T>;
  oldestWaitMs(): number;
}

export function createWaitTracker(nowMs: () => number = () => performance.now()): WaitTracker {
  const started = new Map<number, number>();
  let next = 0;
  return {
    async track(work) {
      const id = next;
      next += 1;
      started.set(id, nowMs());
      try {
        return await work();
      } finally {
        started.delete(id);
      }
    },
    oldestWaitMs() {
      for (const startMs of started.values()) return Math.max(0, nowMs() - startMs);
      return 0;
    },
  };
}

/** Times a transaction is retried after PostgreSQL aborted it for a serialization failure or deadlock. */
const transactionRetriesMax = 3;
const retryableSqlStates = new Set(['40001', '40P01']);

/**
 * SQLSTATE classes and driver errors that mean "the database is unreachable, restarting or too slow
 * right now": a statement timeout (57014) or a lock timeout (55P03, lock_not_available) is as
 * transient as a restart, so it answers 503 with Retry-After and is never stored under a key.
 */
const unavailableSqlStates = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
  '55P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);
const unavailableMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
  'connect ECONNREFUSED',
];

export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (unavailableSqlStates.has(code) || /^E[A-Z]+$/.test(code))) return true;
  return unavailableMessages.some((m) => error.message.includes(m));
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function translate(error: unknown): unknown {
  return isUnavailableError(error) ? new DependencyUnavailable('database', error) : error;
}

function toParam(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Runs `attempt` again (at most transactionRetriesMax times in all) when PostgreSQL aborted it for a serialization failure or deadlock. */
export async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      const state = sqlState(error);
      if (tries >= transactionRetriesMax || state === undefined || !retryableSqlStates.has(state)) throw error;
    }
  }
}

// ---- PostgreSQL server -------------------------------------------------------------------------

const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) return (value: string) => BigInt(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

/**
 * Every parameterised query runs as a named prepared statement, so PostgreSQL parses and plans it
 * once per connection instead of once per call (node-postgres prepares a name on first use per
 * connection). The name is a digest of the SQL text; queries are constants in the repositories, so
 * the set of names is small, and the memo is bounded anyway.
 */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `ng_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    if (statementNames.size < preparedStatementsMax) statementNames.set(text, name);
  }
  return name;
}

function wrapClient(client: pg.PoolClient | pg.Pool, waits: WaitTracker): Queryable {
  return {
    async query<R>(text: string, params: readonly unknown[] = []) {
      try {
        const result = await waits.track(() =>
          client.query({ name: statementName(text), text, values: params.map(toParam) }),
        );
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      } catch (error) {
        throw translate(error);
      }
    },
    async exec(sql: string) {
      try {
        await waits.track(() => client.query(sql));
      } catch (error) {
        throw translate(error);
      }
    },
  };
}

/**
 * How long a request may wait on PostgreSQL before it is answered 503. Production uses the limits in
 * constants.ts; the test helper widens them, because a CPU-starved test machine must not turn a slow
 * answer into a 503 (fault tests keep the production values, since they test those deadlines).
 */
export interface DatabaseDeadlines {
  readonly connectMs: number;
  readonly statementMs: number;
}

export const databaseDeadlines: DatabaseDeadlines = {
  connectMs: dbConnectTimeoutMs,
  statementMs: dbStatementTimeoutMs,
};

export function connectPostgres(
  databaseUrl: string,
  onIdleError: (error: Error) => void,
  poolSize = dbPoolSizeMax,
  deadlines: DatabaseDeadlines = databaseDeadlines,
): Database {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: deadlines.connectMs,
    idleTimeoutMillis: dbIdleTimeoutMs,
    statement_timeout: deadlines.statementMs,
    query_timeout: deadlines.statementMs + 1_000,
    keepAlive: true,
    types: pgTypes,
    application_name: 'nextgen',
  });
  // An idle client whose server went away emits here; without a listener the process would crash.
  pool.on('error', onIdleError);
  const waits = createWaitTracker();
  const direct = wrapClient(pool, waits);
  return {
    kind: 'postgres',
    ...direct,
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      return withRetries(async () => {
        let client: pg.PoolClient;
        try {
          client = await waits.track(() => pool.connect());
        } catch (error) {
          throw translate(error);
        }
        let broken: Error | undefined;
        try {
          await client.query('BEGIN');
          const result = await work(wrapClient(client, waits));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          try {
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            broken = rollbackError as Error;
          }
          throw translate(error);
        } finally {
          // A client whose rollback failed is in an unknown state: destroy it rather than reuse it.
          client.release(broken ?? false);
        }
      });
    },
    async ping() {
      await direct.query('SELECT 1');
    },
    oldestWaitMs: () => waits.oldestWaitMs(),
    async close() {
      await pool.end();
    },
  };
}

// ---- Embedded PGlite ---------------------------------------------------------------------------

interface PGliteLike {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(work: (tx: PGliteLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  waitReady: Promise<void>;
}

/**
 * PGlite is one connection: a call on the database (not on the transaction's handle) made from
 * inside an open transaction waits for that transaction, which waits for the call: a wedge of the
 * whole process (issue 12, defect 2). Such a call fails loudly instead; `open` is the transaction
 * still running, so work it merely started (a timer) may use the database once it ended.
 */
const insidePgliteTransaction = new AsyncLocalStorage<{ open: boolean }>();

function assertOutsidePgliteTransaction(): void {
  assert(
    !insidePgliteTransaction.getStore()?.open,
    'a database call inside a PGlite transaction must use the transaction handle (it would wait on itself forever)',
  );
}

function wrapPglite(db: PGliteLike, waits: WaitTracker, outer = false): Queryable {
  return {
    async query<R>(text: string, params: readonly unknown[] = []) {
      if (outer) assertOutsidePgliteTransaction();
      const result = await waits.track(() => db.query<R>(text, params.map(toParam)));
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string) {
      if (outer) assertOutsidePgliteTransaction();
      await waits.track(() => db.exec(sql));
    },
  };
}

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  // Options go in the one-argument form: PGlite ignores the second argument when dataDir is undefined.
  const options = { parsers: { 20: (value: string) => BigInt(value) }, ...(dataDir ? { dataDir } : {}) };
  const db = new PGlite(options) as unknown as PGliteLike;
  await db.waitReady;
  const waits = createWaitTracker();
  const direct = wrapPglite(db, waits, true);
  return {
    kind: 'pglite',
    ...direct,
    // PGlite is one connection: its transactions are serialized, so retries are never needed.
    // Waiting for that connection counts as a wait (the watchdog), until the transaction starts.
    async transaction(work) {
      assertOutsidePgliteTransaction();
      let started!: () => void;
      const acquired = new Promise<void>((resolve) => {
        started = resolve;
      });
      const state = { open: true };
      const done = insidePgliteTransaction.run(state, () =>
        db.transaction((tx) => {
          started();
          return work(wrapPglite(tx, waits));
        }),
      );
      try {
        await waits.track(() => Promise.race([acquired, done.then(() => {})]));
        return await done;
      } finally {
        state.open = false;
      }
    },
    async ping() {
      await direct.query('SELECT 1');
    },
    oldestWaitMs: () => waits.oldestWaitMs(),
    close: () => db.close(),
  };
}
