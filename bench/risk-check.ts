/**
 * What fraud scoring costs a transfer with real data behind it (issue 14: "scoring including
 * features"; docs/adr/0133): the API's risk check — the feature statement on PostgreSQL, the model
 * and rules, the decision stored — for the demo customers, whose six months of generated history
 * are loaded into a fresh database first (as `./ng start` does). Sequential calls give the latency
 * of one check; concurrent ones (32 in flight, decisions stored in groups) the checks per second.
 * Nothing here posts the scored transfers, so the histories stay as loaded; the decisions are
 * stored as the API stores them.
 *
 *   ./ng bench -- --risk-check [--calls 2000] [--database ng_bench_risk]
 */
import { parseArgs } from 'node:util';
import { recreateDatabase } from '@nextgen/testkit';
import { createServices } from '../apps/api/src/app.ts';
import { seedDemoData } from '../apps/api/src/demo/index.ts';
import { loadConfig } from '../apps/api/src/platform/config.ts';
import { migrate } from '../apps/api/src/platform/migrations.ts';
import { openDependencies } from '../apps/api/src/platform/runtime.ts';

const { values: args } = parseArgs({
  options: {
    'risk-check': { type: 'boolean', default: false },
    calls: { type: 'string', default: '2000' },
    database: { type: 'string', default: 'ng_bench_risk' },
  },
});
const calls = Number(args.calls);
if (!Number.isInteger(calls) || calls < 100 || calls > 100_000) throw new Error('--calls: 100 to 100,000');

const databaseUrl = await recreateDatabase(args.database);
const env = { NG_ENV: 'development', DATABASE_URL: databaseUrl, RISK_SCORING: 'true', LOG_LEVEL: 'warn' };
const deps = await openDependencies(loadConfig(env), console);
await migrate(deps.db);
const services = createServices(deps);
const seededMs = performance.now();
const seeded = await seedDemoData(services);
const seedS = (performance.now() - seededMs) / 1000;
const risk = services.risk;
if (!risk) throw new Error('risk scoring is off');
await risk.model;

const { rows: accounts } = await deps.db.query<{ customer_id: string; id: string; iban: string }>(
  `SELECT customer_id, id, iban FROM accounts WHERE type = 'checking' ORDER BY created_at, id`,
);
const { rows: lines } = await deps.db.query<{ n: number }>(
  `SELECT (count(*) / count(DISTINCT customer_id))::int AS n FROM account_transactions
   WHERE created_at > now() - interval '30 days'`,
);

/** Payment i: customer i mod 3 pays the next one (a payee they know from the demo's transfers). */
function command(i: number) {
  const from = accounts[i % accounts.length];
  const to = accounts[(i + 1) % accounts.length];
  if (!from || !to) throw new Error('no demo accounts');
  return {
    customerId: from.customer_id,
    fromAccountId: from.id,
    toAccountId: to.id,
    toIban: to.iban,
    toOwnAccount: false,
    amountMinor: BigInt(1_000 + ((i * 37) % 9_000)),
    currency: 'EUR' as const,
    at: new Date(),
    deviceKeyThumbprint: undefined,
    idempotencyKey: `bench-${process.pid}-${i}`,
  };
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function sequential(name: string, call: (i: number) => Promise<unknown>, offset: number) {
  for (let i = 0; i < 50; i++) await call(offset + i);
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await call(offset + 1_000_000 + i);
    samples.push(performance.now() - t);
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  samples.sort((a, b) => a - b);
  return {
    name,
    calls,
    p50Ms: Number(percentile(samples, 0.5).toFixed(3)),
    p99Ms: Number(percentile(samples, 0.99).toFixed(3)),
    perS: Math.round(calls / (wallMs / 1000)),
    apiCpuMsPerCall: Number(((used.user + used.system) / 1000 / calls).toFixed(3)),
  };
}

async function concurrent(name: string, call: (i: number) => Promise<unknown>, offset: number, inFlight = 32) {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < calls; i = next++) await call(offset + i);
    }),
  );
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    name,
    calls,
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    perS: Math.round(calls / (wallMs / 1000)),
    apiCpuMsPerCall: Number(((used.user + used.system) / 1000 / calls).toFixed(3)),
  };
}

const check = (i: number) => risk.check(command(i));
const results = [
  await sequential('risk check, one at a time', check, 0),
  await concurrent('risk check, 32 in flight', check, 2_000_000),
];
console.log(
  `demo data: ${seeded.seeded ? seeded.events : 0} events in ${seedS.toFixed(1)} s; ${lines[0]?.n ?? 0} lines per customer in the last 30 days`,
);
console.table(results);
await Promise.allSettled([deps.db.close(), deps.cache.close()]);
