import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedDemoData } from '../src/demo/seed.ts';
import { buildTestApp } from './helper.ts';

/**
 * The demo data posts six months of back-dated transfers through the payments service, scored like
 * any other (risk/, docs/adr/0130, 0131): with scoring on, as `./ng start` runs, none may be declined
 * or held (a held one would leave its payee short for the payments planned after it).
 */
describe('fraud scoring of the demo data', () => {
  it('seeds every demo payment with scoring on, each decision stored', async (t) => {
    const testApp = await buildTestApp(t, { env: { RISK_SCORING: 'true' } });
    const seeded = await seedDemoData(testApp.services, new Date('2026-11-26T12:00:00Z'));
    assert.equal(seeded.seeded, true);
    const { rows } = await testApp.deps.db.query<{ outcome: string; n: number }>(
      'SELECT outcome, count(*)::int AS n FROM fraud_decisions GROUP BY outcome ORDER BY outcome',
    );
    const { rows: transfers } = await testApp.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM transfers');
    const decided = rows.reduce((sum, r) => sum + r.n, 0);
    assert.ok(decided > 0 && decided === transfers[0]?.n, `one decision per transfer: ${JSON.stringify(rows)}`);
    assert.ok(!rows.some((r) => r.outcome === 'decline' || r.outcome === 'hold'), JSON.stringify(rows));
  });
});
