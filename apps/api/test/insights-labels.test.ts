import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { type CategoryLabel, categoryLabelsFormat, readCategoryLabels } from '@nextgen/ml';
import { categoryLabelCustomersMin, categoryLabelsBatchSize } from '../src/insights/constants.ts';
import { exportCategoryLabels, loadCategoriser } from '../src/insights/index.ts';
import { lineMerchantKey } from '../src/insights/merchants.ts';
import { commandLine, createCustomer, fundedCustomer, openAccount } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * Customers' category corrections become training labels (docs/ml/category-labels.md): a customer
 * corrects a line in the app, `./ng backoffice category-labels` writes the correction as the
 * categoriser reads it, and the ml package's reader (what `./ng ml insights-train --labels` uses)
 * reads it back. Only card payments whose text enough customers corrected leave, with nothing
 * that names a customer, an account or a person.
 */
async function lineOf(testApp: TestApp, customerId: string, description: string): Promise<string> {
  const page = await testApp.injectAs(customerId, { url: '/api/v1/transactions?limit=100' });
  assert.equal(page.statusCode, 200, page.body);
  const line = (page.json().data as { id: string; description: string }[]).find((l) => l.description === description);
  assert.ok(line, `${description} is in the history`);
  return line.id;
}

async function correct(testApp: TestApp, customerId: string, description: string, category: string) {
  const id = await lineOf(testApp, customerId, description);
  const put = await testApp.injectAs(customerId, {
    method: 'PUT',
    url: `/api/v1/transactions/${id}/category`,
    payload: { category },
  });
  assert.equal(put.statusCode, 200, put.body);
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ng-category-labels-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Six customers pay the same vet by card (each booking with its own terminal number) and correct it
 * to health; one of them is erased afterwards. Each also corrects a transfer whose reference names
 * a person, and their opening deposit: enough customers, but not card payments. One corrects a
 * card descriptor that names a private seller, alone.
 */
async function correctedBank(testApp: TestApp, landlordIban: string) {
  const customers: string[] = [];
  for (let i = 0; i < categoryLabelCustomersMin + 1; i += 1) {
    const { customerId, account } = await fundedCustomer(testApp, 100_00n, `Label Customer ${i}`);
    customers.push(customerId);
    const vet = `TIERARZT PRAXIS ${String(4000 + i)}`;
    await testApp.services.payments.cardPurchase({
      accountId: account.id,
      amountMinor: 40_00n,
      currency: 'EUR',
      description: vet,
    });
    await testApp.services.payments.postTransfer(customerId, {
      fromAccountId: account.id,
      to: { iban: landlordIban },
      amountMinor: 10_00n,
      currency: 'EUR',
      reference: 'Miete Anna Schmidt 12/2026',
    });
    await correct(testApp, customerId, vet, 'health');
    await correct(testApp, customerId, 'Miete Anna Schmidt 12/2026', 'rent_housing');
    await correct(testApp, customerId, 'Opening deposit', 'income');
    if (i === 0) {
      await testApp.services.payments.cardPurchase({
        accountId: account.id,
        amountMinor: 5_00n,
        currency: 'EUR',
        description: 'SUMUP *JANE DOE',
      });
      await correct(testApp, customerId, 'SUMUP *JANE DOE', 'shopping');
    }
    if (i === categoryLabelCustomersMin) {
      // Spend the rest, close the account, erase the customer: erasure deletes their budget,
      // corrections and insights (the export's own check of erased customers stays as a second line).
      await testApp.services.insights.putBudget(customerId, 'health', { amount: '80.00', currency: 'EUR' });
      await testApp.services.payments.cardPurchase({
        accountId: account.id,
        amountMinor: 50_00n,
        currency: 'EUR',
        description: 'Balance',
      });
      await testApp.services.accounts.close(customerId, account.id);
      const kept = async () => {
        const { rows } = await testApp.deps.db.query<{ table: string; n: number }>(
          `SELECT 'corrections' AS table, count(*)::int AS n FROM category_corrections WHERE customer_id = $1
           UNION ALL SELECT 'budgets', count(*)::int FROM budgets WHERE customer_id = $1
           UNION ALL SELECT 'queue', count(*)::int FROM insight_queue WHERE customer_id = $1`,
          [customerId],
        );
        return Object.fromEntries(rows.map((r) => [r.table, r.n]));
      };
      const before = await kept();
      assert.ok(before.corrections === 3 && before.budgets === 1, JSON.stringify(before));
      await testApp.services.gdpr.eraseCustomer({ customerId, operatorId: 'opr_test' });
      assert.deepEqual(await kept(), { corrections: 0, budgets: 0, queue: 0 });
    }
  }
  return customers;
}

describe('category corrections as training labels', () => {
  it('leave as card texts that enough customers corrected, with no customer, account or person in them, and read back', async (t) => {
    const testApp = await buildTestApp(t);
    const landlord = await fundedCustomer(testApp, 1_00n, 'Anna Schmidt');
    const startedMs = Date.now();
    await correctedBank(testApp, landlord.account.iban);
    const dir = await tempDir(t);
    const out = path.join(dir, 'labels.jsonl');
    const run = commandLine(testApp, 'backoffice');
    const { stdout } = await run('category-labels', '--out', out);
    assert.deepEqual(JSON.parse(stdout), {
      file: out,
      labels: categoryLabelCustomersMin,
      format: categoryLabelsFormat,
    });
    const { rows: audited } = await testApp.deps.db.query<{ actor_id: string; details: object }>(
      `SELECT actor_id, details FROM audit_pending WHERE action = 'ml.labels_exported'
       UNION ALL SELECT actor_id, details FROM audit_log WHERE action = 'ml.labels_exported'`,
    );
    assert.deepEqual(
      audited.map((r) => r.details),
      [{ format: categoryLabelsFormat, labels: categoryLabelCustomersMin }],
      'the export is audited',
    );
    assert.match(audited[0]?.actor_id ?? '', /^cli:/);

    const text = await readFile(out, 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CategoryLabel);
    const model = await loadCategoriser();
    assert.ok(model.kind === 'model');
    const said = model.categoriser.predict({ description: 'tierarzt praxis', channel: 'card', moneyIn: false });
    for (const label of lines) {
      assert.deepEqual(Object.keys(label), [
        'format',
        'text',
        'channel',
        'moneyIn',
        'category',
        'modelCategory',
        'model',
        'correctedAt',
      ]);
      assert.equal(label.text, 'tierarzt praxis', 'the text as the model reads it: no terminal number');
      assert.deepEqual([label.channel, label.moneyIn, label.category], ['card', false, 'health']);
      assert.deepEqual([label.modelCategory, label.model], [said.category, model.label], 'what the model had said');
      const correctedMs = Date.parse(label.correctedAt);
      assert.ok(correctedMs >= startedMs - 5_000 && correctedMs <= Date.now() + 5_000, label.correctedAt);
    }
    assert.deepEqual(
      lines.map((l) => l.correctedAt),
      lines.map((l) => l.correctedAt).sort(),
      'oldest correction first',
    );
    assert.doesNotMatch(
      text,
      /cus_|acc_|txn_|trf_|mk_|DE\d{2}/,
      'no customer, account, transaction, merchant key or IBAN',
    );
    assert.doesNotMatch(
      text,
      /anna|schmidt|jane|doe|miete|deposit|income|rent_housing/i,
      'no transfer, no lone seller',
    );

    const read = await readCategoryLabels(out);
    assert.equal(read.read, categoryLabelCustomersMin);
    assert.deepEqual(
      new Set(read.corrections.map((c) => `${c.input.description}|${c.input.channel}|${c.label}`)),
      new Set(['tierarzt praxis|card|health']),
    );

    await assert.rejects(run('category-labels', '--out', out), /exists already/, 'never overwrites a file');
    const later = await run(
      'category-labels',
      '--out',
      path.join(dir, 'later.jsonl'),
      '--after',
      new Date().toISOString(),
    );
    assert.equal(JSON.parse(later.stdout).labels, 0);
    await assert.rejects(
      run('category-labels', '--out', path.join(dir, 'x.jsonl'), '--after', 'yesterday'),
      /ISO 8601/,
    );
    await assert.rejects(run('category-labels'), /--out is required/);
  });

  it('keep what the model said with the correction, and replace it when the customer corrects again', async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId, account } = await fundedCustomer(testApp, 50_00n);
    await testApp.services.payments.cardPurchase({
      accountId: account.id,
      amountMinor: 9_00n,
      currency: 'EUR',
      description: 'Blumen Meyer 17',
    });
    await correct(testApp, customerId, 'Blumen Meyer 17', 'shopping');
    await correct(testApp, customerId, 'Blumen Meyer 17', 'health');
    const { rows } = await testApp.deps.db.query<{ category: string; model_category: string; model_version: string }>(
      'SELECT category, model_category, model_version FROM category_corrections WHERE customer_id = $1',
      [customerId],
    );
    const model = await loadCategoriser();
    assert.ok(model.kind === 'model');
    const said = model.categoriser.predict({ description: 'Blumen Meyer 17', channel: 'card', moneyIn: false });
    assert.deepEqual(rows, [{ category: 'health', model_category: said.category, model_version: model.label }]);
  });
});

describe('the category labels export', () => {
  it('reads in keyset batches: corrections made in the same microsecond are each written once', async (t) => {
    const testApp = await buildTestApp(t);
    const { db } = testApp.deps;
    // More texts than one batch holds, each corrected by just enough customers, all in one statement (one now()).
    const texts = Array.from(
      { length: Math.ceil(categoryLabelsBatchSize / categoryLabelCustomersMin) + 10 },
      (_, i) => `Laden ${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}`,
    );
    const lines: Record<string, string>[] = [];
    const corrections: Record<string, string>[] = [];
    for (let c = 0; c < categoryLabelCustomersMin; c += 1) {
      const customerId = await createCustomer(db, `Batch Customer ${c}`);
      const account = await openAccount(testApp, customerId);
      for (const [i, description] of texts.entries()) {
        const id = `txn_batch${c}x${i}`;
        lines.push({ id, customer_id: customerId, account_id: account.id, description });
        corrections.push({
          customer_id: customerId,
          merchant_key: lineMerchantKey({ description, counterparty_iban: null }),
          transaction_id: id,
        });
      }
    }
    await db.query(
      `INSERT INTO account_transactions (id, customer_id, account_id, entry_id, direction, amount_minor, currency,
         currency_exponent, status, description, created_at)
       SELECT l.id, l.customer_id, l.account_id, 'jrn_batch', 'debit', 100, 'EUR', 2, 'posted', l.description, now()
       FROM jsonb_to_recordset($1::jsonb) AS l(id text, customer_id text, account_id text, description text)`,
      [JSON.stringify(lines)],
    );
    await db.query(
      `INSERT INTO category_corrections (customer_id, merchant_key, category, transaction_id)
       SELECT c.customer_id, c.merchant_key, 'shopping', c.transaction_id
       FROM jsonb_to_recordset($1::jsonb) AS c(customer_id text, merchant_key text, transaction_id text)`,
      [JSON.stringify(corrections)],
    );
    const written: CategoryLabel[] = [];
    const count = await exportCategoryLabels(db, { after: undefined, leftOut: async () => false }, (label) => {
      written.push(label);
    });
    assert.ok(corrections.length > categoryLabelsBatchSize);
    assert.equal(count, corrections.length);
    assert.equal(written.length, corrections.length);
    const perText = new Map<string, number>();
    for (const label of written) perText.set(label.text, (perText.get(label.text) ?? 0) + 1);
    assert.equal(perText.size, texts.length);
    assert.ok(
      [...perText.values()].every((n) => n === categoryLabelCustomersMin),
      'each customer’s correction once',
    );
    assert.deepEqual([...new Set(written.map((l) => [l.modelCategory, l.model].join()))], [','], 'not known: null');
  });
});
