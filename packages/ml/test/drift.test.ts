import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftAlertPsi, driftMinSample } from '../src/constants.ts';
import { driftReports, fitDriftBins, fitDriftReference, populationStabilityIndex } from '../src/drift.ts';
import { Random } from '../src/synthetic/random.ts';

/** n draws of a normal(mean, sd), seeded. */
function normals(seed: number, n: number, mean: number, sd: number): Float64Array {
  const random = new Random(seed);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Box–Muller from two uniforms in (0, 1].
    const u = 1 - random.next();
    const v = random.next();
    values[i] = mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return values;
}

describe('drift (population stability index)', () => {
  it('fits deciles: ten bins of a tenth each', () => {
    const bins = fitDriftBins(Float64Array.from({ length: 1000 }, (_, i) => i));
    assert.equal(bins.edges.length, 9);
    assert.deepEqual(bins.edges, [100, 200, 300, 400, 500, 600, 700, 800, 900]);
    for (const share of bins.shares) assert.equal(share, 0.1);
  });

  it('gives a flag one bin per value instead of ten empty deciles', () => {
    const flag = Float64Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const bins = fitDriftBins(flag);
    assert.deepEqual(bins.edges, [1]);
    assert.deepEqual(bins.shares, [0.75, 0.25]);
  });

  it('matches the PSI worked by hand', () => {
    const reference = { edges: [1], shares: [0.5, 0.5] };
    // 80 % now fall in the first bin: (0.8 − 0.5)·ln(0.8/0.5) + (0.2 − 0.5)·ln(0.2/0.5).
    const expected = 0.3 * Math.log(1.6) + -0.3 * Math.log(0.4);
    const values = [...new Array(80).fill(0), ...new Array(20).fill(2)];
    assert.ok(Math.abs(populationStabilityIndex(reference, values) - expected) < 1e-12);
  });

  it('stays near 0 for a new sample of the same population and passes the alert for a shifted one', () => {
    const bins = fitDriftBins(normals(1, 20_000, 0, 1));
    const same = populationStabilityIndex(bins, normals(2, 5_000, 0, 1));
    const shifted = populationStabilityIndex(bins, normals(3, 5_000, 0.8, 1));
    assert.ok(same < 0.02, `same population: ${same}`);
    assert.ok(shifted > driftAlertPsi, `shifted by 0.8 sd: ${shifted}`);
  });

  it('stays finite when live values fall in a bin training never filled', () => {
    const bins = fitDriftBins([0, 0, 0, 1, 1, 1]);
    const psi = populationStabilityIndex(bins, [5, 5, 5, 5]);
    assert.ok(Number.isFinite(psi) && psi > driftAlertPsi);
  });

  it('reports the score and each feature, worst first, and nothing for a sample too small to judge', () => {
    const names = ['amount', 'flag'];
    const training = Array.from({ length: 2000 }, (_, i) => Float64Array.of(i % 100, i % 2));
    const reference = fitDriftReference(
      names,
      training,
      training.map((row) => (row[0] as number) / 100),
    );
    const live = Array.from({ length: driftMinSample }, (_, i) => Float64Array.of(i % 100, 1));
    const reports = driftReports(
      reference,
      names,
      live,
      live.map((row) => (row[0] as number) / 100),
    );
    assert.deepEqual(reports.map((r) => r.name).sort(), ['amount', 'flag', 'score']);
    assert.equal(reports[0]?.name, 'flag');
    assert.ok((reports[0]?.psi ?? 0) > driftAlertPsi, 'every live row has the flag set');
    assert.ok(
      reports.slice(1).every((r) => r.psi < 0.05),
      'amount and score did not move',
    );
    assert.deepEqual(
      driftReports(
        reference,
        names,
        live.slice(1),
        live.slice(1).map(() => 0),
      ),
      [],
    );
  });

  it('refuses an empty reference or sample', () => {
    assert.throws(() => fitDriftBins([]), RangeError);
    assert.throws(() => fitDriftBins([0, Number.NaN]), RangeError);
    assert.throws(() => populationStabilityIndex({ edges: [], shares: [1] }, []), RangeError);
  });
});
