/**
 * In-process cost of a fraud decision (issue 14: "scoring including features: p99 under 1 ms"):
 * `featureVector(snapshot)` then `FraudScorer.assess(values, 3)` with its reasons, per call, over
 * snapshots of generated transactions, and the rules baseline on the same values. The snapshot is
 * what the API builds from the ledger and its counters, so that I/O is not in these numbers.
 * Single-threaded, after a warm-up, on the committed model unless --model names another.
 *
 *   ./ng bench -- --fraud [--calls 200000] [--model packages/ml/models/fraud.json]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  extractSnapshot,
  type FeatureSnapshot,
  FeatureState,
  FraudScorer,
  featureVector,
  generateTransactions,
  rulesAssessment,
} from '@nextgen/ml';

const { values: args } = parseArgs({
  options: {
    // Set when run through `./ng bench -- --fraud` (run.ts), which imports this file.
    fraud: { type: 'boolean', default: false },
    calls: { type: 'string', default: '200000' },
    model: { type: 'string', default: path.join(import.meta.dirname, '..', 'packages', 'ml', 'models', 'fraud.json') },
  },
});
const calls = Number(args.calls);
if (!Number.isInteger(calls) || calls < 1000 || calls > 10_000_000) throw new Error('--calls: 1,000 to 10,000,000');

const scorer = await FraudScorer.fromArtifact(JSON.parse(readFileSync(args.model, 'utf8')));
const state = new FeatureState();
const snapshots: FeatureSnapshot[] = [];
for (const row of generateTransactions({ seed: 99, customers: 500, days: 30, start: '2026-01-01', fraudRate: 0.1 })) {
  snapshots.push(extractSnapshot(row, state));
}

function percentiles(samplesUs: Float64Array): { p50: number; p99: number; p999: number; max: number } {
  const sorted = Float64Array.from(samplesUs).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: sorted[sorted.length - 1] as number };
}

/** Times each call on its own (performance.now has sub-microsecond resolution in Node). */
function measure(name: string, call: (s: FeatureSnapshot) => unknown): Record<string, string | number> {
  for (let i = 0; i < 20_000; i++) call(snapshots[i % snapshots.length] as FeatureSnapshot);
  const samples = new Float64Array(calls);
  let sink = 0;
  const startedMs = performance.now();
  for (let i = 0; i < calls; i++) {
    const s = snapshots[i % snapshots.length] as FeatureSnapshot;
    const t = performance.now();
    sink += call(s) === undefined ? 0 : 1;
    samples[i] = (performance.now() - t) * 1000;
  }
  const totalMs = performance.now() - startedMs;
  const p = percentiles(samples);
  const row = {
    name,
    calls,
    p50Us: Number(p.p50.toFixed(1)),
    p99Us: Number(p.p99.toFixed(1)),
    p999Us: Number(p.p999.toFixed(1)),
    maxUs: Number(p.max.toFixed(1)),
    perSecond: Math.round(calls / (totalMs / 1000)),
  };
  if (sink !== calls) throw new Error('a call returned nothing');
  return row;
}

const results = [
  measure('featureVector', (s) => featureVector(s)),
  measure('featureVector + model assess (3 reasons)', (s) => scorer.assess(featureVector(s), 3)),
  measure('featureVector + model score (no reasons)', (s) => scorer.score(featureVector(s))),
  measure('featureVector + rules', (s) => rulesAssessment(featureVector(s))),
];
console.log(`model ${scorer.name} ${scorer.version} (${scorer.sha256.slice(0, 12)}), ${snapshots.length} snapshots`);
console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`);
console.table(results);
