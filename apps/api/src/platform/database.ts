import { createHash } from 'node:crypto';
import pg from 'pg';
import {
  dbConnectTimeoutMs,
  dbIdleTimeoutMs,
  dbPoolSizeMax,
  dbStatementTimeoutMs,
  preparedStatementsMax,
} from './constants.ts';
import { DependencyUnavailable } from './errors.ts';

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
  close(): Promise<void>;
}

/** Times a transaction is retried after PostgreSQL aborted it for a serialization failure or deadlock. */
const transactionRetriesMax = 3;
const retryableSqlStates = new Set(['40001', '40P01']);

/** SQLSTATE classes and driver errors that mean "the database is unreachable or restarting". */
const unavailableSqlStates = new Set(['57P01', '57P02', '57P03', '53300', '57014', '08000', '08001', '08003', '08006']);
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

function wrapClient(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<R>(text: string, params: readonly unknown[] = []) {
      try {
        const result = await client.query({ name: statementName(text), text, values: params.map(toParam) });
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      } catch (error) {
        throw translate(error);
      }
    },
    async exec(sql: string) {
      try {
        await client.query(sql);
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
  const direct = wrapClient(pool);
  return {
    kind: 'postgres',
    ...direct,
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      return withRetries(async () => {
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (error) {
          throw translate(error);
        }
        let broken: Error | undefined;
        try {
          await client.query('BEGIN');
          const result = await work(wrapClient(client));
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

function wrapPglite(db: PGliteLike): Queryable {
  return {
    async query<R>(text: string, params: readonly unknown[] = []) {
      const result = await db.query<R>(text, params.map(toParam));
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  // Options go in the one-argument form: PGlite ignores the second argument when dataDir is undefined.
  const options = { parsers: { 20: (value: string) => BigInt(value) }, ...(dataDir ? { dataDir } : {}) };
  const db = new PGlite(options) as unknown as PGliteLike;
  await db.waitReady;
  const direct = wrapPglite(db);
  return {
    kind: 'pglite',
    ...direct,
    // PGlite is one connection: its transactions are serialized, so retries are never needed.
    transaction: (work) => db.transaction((tx) => work(wrapPglite(tx))),
    async ping() {
      await direct.query('SELECT 1');
    },
    close: () => db.close(),
  };
}
