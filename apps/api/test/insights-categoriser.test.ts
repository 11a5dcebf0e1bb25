import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { labelledTexts, trainCategoriser } from '@nextgen/ml';
import { loadCategoriser } from '../src/insights/index.ts';
import { fundedCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * CATEGORISER_PATH (platform/config.ts; the worker reads the same setting): the API categorises
 * with the artifact it names, a bank's retrained one (docs/ml/category-labels.md), and without a
 * usable one it starts anyway, says why in one warning, and shows uncorrected lines as 'other'.
 */
async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ng-categoriser-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function cardLineCategory(testApp: TestApp, description: string) {
  const { customerId, account } = await fundedCustomer(testApp, 50_00n);
  await testApp.services.payments.cardPurchase({
    accountId: account.id,
    amountMinor: 12_00n,
    currency: 'EUR',
    description,
  });
  const page = await testApp.injectAs(customerId, { url: '/api/v1/transactions' });
  assert.equal(page.statusCode, 200, page.body);
  const line = (page.json().data as { id: string; description: string; category: string }[]).find(
    (l) => l.description === description,
  );
  assert.ok(line);
  return { customerId, line };
}

describe('CATEGORISER_PATH', () => {
  for (const [name, content, problem] of [
    ['a missing file', undefined, 'the categoriser file does not exist'],
    ['a file that is not JSON', '{"format":', 'the categoriser file is not JSON'],
    ['a file that is not a categoriser', '{"format":"nextgen-model/1"}', 'the artifact is invalid'],
  ] as const) {
    it(`with ${name}: the API starts, warns once naming the file, and shows uncorrected lines as 'other'`, async (t) => {
      const file = path.join(await tempDir(t), 'categoriser.json');
      if (content !== undefined) await writeFile(file, content);
      const logLines: string[] = [];
      const testApp = await buildTestApp(t, {
        database: 'pglite',
        env: { CATEGORISER_PATH: file, LOG_LEVEL: 'warn' },
        logLines,
      });
      const model = await testApp.services.insights.model;
      assert.ok(model.kind === 'unavailable');
      assert.equal(model.label, 'categoriser-unavailable');
      assert.ok(model.problem.startsWith(`${file}: ${problem}`), model.problem);
      const { customerId, line } = await cardLineCategory(testApp, 'FreshMart Berlin');
      assert.equal(line.category, 'other');
      const warnings = logLines
        .map((l) => JSON.parse(l) as { level: number; msg: string; problem?: string })
        .filter((l) => l.msg.startsWith('categoriser unavailable'));
      assert.equal(warnings.length, 1, logLines.join(''));
      assert.equal(warnings[0]?.problem, model.problem);
      // A correction still works; what the model said is not known.
      const put = await testApp.injectAs(customerId, {
        method: 'PUT',
        url: `/api/v1/transactions/${line.id}/category`,
        payload: { category: 'groceries' },
      });
      assert.equal(put.statusCode, 200, put.body);
      const { rows } = await testApp.deps.db.query('SELECT model_category, model_version FROM category_corrections');
      assert.deepEqual(rows, [{ model_category: null, model_version: null }]);
    });
  }

  it('names the artifact the API categorises with: a retrained one replaces the committed one', async (t) => {
    const data = { seed: 3, customers: 40, days: 40, start: '2026-01-01', fraudRate: 0 };
    const examples = labelledTexts({ data, variationSeed: 31, variedShare: 0.5, perCategory: 60 });
    const options = { seed: 1, epochs: 2, hiddenUnits: 8, batchSize: 64, learningRate: 0.01 };
    const about = { dataSeed: 3, createdAt: '2026-12-04T00:00:00.000Z', variationSeed: 31, heldOutSeed: 4 };
    const corrections = [
      {
        input: { description: 'tierarzt praxis', channel: 'card', moneyIn: false },
        label: 'health',
        modelCategory: null,
        correctedAtMs: 0,
      },
    ] as const;
    const { artifact } = await trainCategoriser(examples, [], options, about, corrections);
    const file = path.join(await tempDir(t), 'retrained.json');
    await writeFile(file, JSON.stringify(artifact));
    const testApp = await buildTestApp(t, { database: 'pglite', env: { CATEGORISER_PATH: file } });
    const model = await testApp.services.insights.model;
    assert.ok(model.kind === 'model');
    assert.equal(model.categoriser.sha256, artifact.sha256);
    assert.equal(model.categoriser.info.metrics.corrected_examples, 1);
    // The history shows what the retrained model says, which is not what the committed one says.
    const committed = await loadCategoriser();
    assert.ok(committed.kind === 'model');
    const vet = { description: 'TIERARZT PRAXIS 0423', channel: 'card', moneyIn: false } as const;
    const retrained = model.categoriser.predict(vet).category;
    assert.notEqual(retrained, committed.categoriser.predict(vet).category);
    const { line } = await cardLineCategory(testApp, vet.description);
    assert.equal(line.category, retrained);
  });
});
