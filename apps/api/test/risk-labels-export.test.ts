import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fraudLabelsBatchSize } from '../src/platform/constants.ts';
import { exportFraudLabels } from '../src/risk/labels.ts';
import { createCustomer } from './fixtures.ts';
import { buildTestApp } from './helper.ts';

/**
 * The fraud-labels export pages with a keyset cursor on (reviewed_at, id). reviewed_at has
 * microseconds and a JS Date milliseconds: a cursor kept as a Date read a page's last row again on
 * the next page, and never ended when a page's reviews fell within one millisecond.
 */
describe('exporting fraud labels in pages', () => {
  it('writes every label once when more than a page of reviews share one instant', async (t) => {
    const testApp = await buildTestApp(t, {});
    const customerId = await createCustomer(testApp.deps.db, 'Label Pages');
    const count = fraudLabelsBatchSize + 5;
    await testApp.deps.db.query(
      `INSERT INTO fraud_decisions (id, customer_id, score, rules_score, outcome, model, reasons, features,
         review, reviewed_by, reviewed_at, label)
       SELECT gen_random_uuid(), $1, 0.5, 0, 'hold', 'fraud@1.2.0', '[]', '{"amount_log": 1}',
         'rejected', 'op_test', '2026-12-01T10:00:00.123456Z'::timestamptz, 'fraud'
       FROM generate_series(1, $2::int)`,
      [customerId, count],
    );
    const ids: string[] = [];
    const written = await exportFraudLabels(testApp.deps.db, undefined, (label) => {
      ids.push(label.decisionId);
    });
    assert.equal(written, count);
    assert.equal(new Set(ids).size, count, 'no label is written twice');
    assert.equal(ids.length, count);
  });
});
