import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  Categoriser,
  type Category,
  type CorrectedText,
  categoriserVersion,
  categoryLabelsFormat,
  InterchangeError,
  type LabelledText,
  labelledTexts,
  readCategoryLabels,
  trainCategoriser,
  variantVersion,
  withCorrections,
} from '../src/index.ts';

/** Customers' category corrections as training labels (src/insights/labels.ts, docs/ml/category-labels.md). */
const dir = await mkdtemp(path.join(tmpdir(), 'ng-category-labels-'));
after(() => rm(dir, { recursive: true, force: true }));

const line = (text: string, category: string, extra: object = {}) =>
  JSON.stringify({
    format: categoryLabelsFormat,
    text,
    channel: 'card',
    moneyIn: false,
    category,
    modelCategory: 'eating_out',
    model: 'categoriser@1.0.0',
    correctedAt: '2026-12-04T11:00:00.000Z',
    ...extra,
  });

async function file(name: string, lines: readonly string[]): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, lines.map((l) => `${l}\n`).join(''));
  return target;
}

const card = (description: string) => ({ description, channel: 'card', moneyIn: false }) as const;
const correction = (description: string, label: Category, correctedAtMs = 0): CorrectedText => ({
  input: card(description),
  label,
  modelCategory: null,
  correctedAtMs,
});

describe('category labels: the reader', () => {
  it('reads each correction as a training text with its category', async () => {
    const labels = await readCategoryLabels(
      await file('good.jsonl', [
        line('tierarzt praxis', 'health'),
        line('blumen meyer', 'shopping', { modelCategory: null, model: null, correctedAt: '2026-12-05T09:30:00Z' }),
      ]),
    );
    assert.equal(labels.read, 2);
    assert.deepEqual(labels.corrections, [
      {
        input: card('tierarzt praxis'),
        label: 'health',
        modelCategory: 'eating_out',
        correctedAtMs: Date.parse('2026-12-04T11:00:00.000Z'),
      },
      {
        input: card('blumen meyer'),
        label: 'shopping',
        modelCategory: null,
        correctedAtMs: Date.parse('2026-12-05T09:30:00Z'),
      },
    ]);
    assert.equal((await readCategoryLabels(await file('empty.jsonl', []))).read, 0, 'an empty export is a file');
  });

  it('refuses a malformed line, naming the line and the field', async () => {
    const cases: [string, string | null][] = [
      ['{not json', null],
      ['[1, 2]', null],
      ['', null],
      [`{"text":"${'a'.repeat(5000)}"}`, null],
      [line('tierarzt praxis', 'health', { format: 'nextgen-category-labels/0' }), 'format'],
      [line('', 'health'), 'text'],
      [line('TIERARZT PRAXIS 0423', 'health'), 'text'],
      [line('tierarzt  praxis', 'health'), 'text'],
      [line('tierarzt praxis', 'health', { text: 42 }), 'text'],
      [line('tierarzt praxis', 'health', { channel: 'pigeon' }), 'channel'],
      [line('tierarzt praxis', 'health', { moneyIn: 'no' }), 'moneyIn'],
      [line('tierarzt praxis', 'pets'), 'category'],
      [line('tierarzt praxis', 'health', { modelCategory: 'pets' }), 'modelCategory'],
      [line('tierarzt praxis', 'health', { modelCategory: undefined }), 'modelCategory'],
      [line('tierarzt praxis', 'health', { model: 'x'.repeat(65) }), 'model'],
      [line('tierarzt praxis', 'health', { model: 'cat egoriser' }), 'model'],
      [line('tierarzt praxis', 'health', { correctedAt: 'yesterday' }), 'correctedAt'],
      [line('tierarzt praxis', 'health', { correctedAt: '2026-02-30T10:00:00Z' }), 'correctedAt'],
      [line('tierarzt praxis', 'health', { customerId: 'cus_01' }), 'customerId'],
    ];
    for (const [bad, field] of cases) {
      const target = await file('bad.jsonl', [line('blumen meyer', 'shopping'), bad]);
      await assert.rejects(readCategoryLabels(target), (error: unknown) => {
        assert.ok(error instanceof InterchangeError, String(error));
        assert.equal(error.line, 2, bad.slice(0, 80));
        assert.equal(error.field, field, bad.slice(0, 80));
        assert.match(error.message, new RegExp(`^line 2: ${field === null ? '' : `${field}: `}`));
        return true;
      });
    }
  });
});

describe('category labels: the training texts', () => {
  const generated: LabelledText[] = [
    { input: card('FRESHMART BERLIN 0423'), label: 'groceries', original: 'FreshMart Berlin' },
    { input: card('CRV*FRESHMART'), label: 'groceries', original: 'FreshMart Berlin' },
    { input: { ...card('freshmart berlin'), moneyIn: true }, label: 'groceries', original: 'FreshMart Berlin' },
    { input: card('Apotheke am Markt'), label: 'health', original: 'Apotheke am Markt' },
  ];

  it('relabels a generated text the model reads as a corrected one, and adds every correction', () => {
    const heldOut: LabelledText[] = [
      { input: card('Freshmart Berlin 12/03'), label: 'groceries', original: 'FreshMart Berlin' },
      { input: card('Apotheke am Markt 7'), label: 'health', original: 'Apotheke am Markt' },
    ];
    const result = withCorrections(generated, heldOut, [
      correction('freshmart berlin', 'shopping'),
      correction('freshmart berlin', 'shopping'),
      correction('apotheke am markt', 'health'),
    ]);
    assert.deepEqual(
      result.examples.map((e) => [e.input.description, e.input.moneyIn, e.label]),
      [
        ['FRESHMART BERLIN 0423', false, 'shopping'],
        ['CRV*FRESHMART', false, 'groceries'], // another text to the model ("crv freshmart")
        ['freshmart berlin', true, 'groceries'], // money in: another input
        ['Apotheke am Markt', false, 'health'],
        ['freshmart berlin', false, 'shopping'],
        ['freshmart berlin', false, 'shopping'],
        ['apotheke am markt', false, 'health'],
      ],
    );
    assert.deepEqual(result.metrics, {
      corrected_examples: 3,
      corrected_texts: 2,
      corrected_relabelled: 1,
      heldout_corrected_left_out: 2,
    });
    assert.deepEqual(result.heldOut, [], 'a corrected text is never scored');
    assert.deepEqual(withCorrections(generated, heldOut, []).examples, generated, 'nothing corrected, nothing changed');
  });

  it('gives a text its customers’ most named category, the latest named on a tie', () => {
    const categoryOf = (corrections: CorrectedText[]) =>
      withCorrections([], [], corrections).examples.map((e) => e.label);
    assert.deepEqual(
      categoryOf([
        correction('kiosk am see', 'eating_out', 1),
        correction('kiosk am see', 'groceries', 2),
        correction('kiosk am see', 'eating_out', 3),
      ]),
      ['eating_out', 'eating_out', 'eating_out'],
    );
    assert.deepEqual(
      categoryOf([correction('kiosk am see', 'eating_out', 5), correction('kiosk am see', 'groceries', 4)]),
      ['eating_out', 'eating_out'],
    );
  });

  it('teaches the model a text the generated data gets wrong, and records how many it used', async () => {
    const data = { seed: 3, customers: 60, days: 62, start: '2026-01-01', fraudRate: 0 };
    const examples = labelledTexts({ data, variationSeed: 31, variedShare: 0.7, perCategory: 150 });
    const heldOut = labelledTexts({ data: { ...data, seed: 4 }, variationSeed: 41, variedShare: 1, perCategory: 40 });
    const options = { seed: 1, epochs: 3, hiddenUnits: 16, batchSize: 64, learningRate: 0.01 };
    const about = { dataSeed: 3, createdAt: '2026-12-04T00:00:00.000Z', variationSeed: 31, heldOutSeed: 4 };
    const vet = card('tierarzt praxis');
    const plain = await Categoriser.fromArtifact((await trainCategoriser(examples, heldOut, options, about)).artifact);
    assert.notEqual(plain.predict(vet).category, 'health', 'the generator has no vets');
    const taught = await trainCategoriser(examples, heldOut, options, { ...about, variant: true }, [
      correction('tierarzt praxis', 'health', 1),
      correction('tierarzt praxis', 'health', 2),
    ]);
    const model = await Categoriser.fromArtifact(taught.artifact);
    assert.equal(model.predict(vet).category, 'health');
    // Another model than the committed recipe's: its version says so, with its weights' hash.
    assert.equal(plain.version, categoriserVersion);
    assert.equal(taught.artifact.version, variantVersion(categoriserVersion, taught.artifact.weights));
    assert.match(model.version, /^\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
    const m = taught.artifact.metrics;
    assert.equal(m.corrected_examples, 2);
    assert.equal(m.corrected_texts, 1);
    assert.equal(m.train_examples, examples.length + 2);
    assert.equal(m.heldout_examples, heldOut.length, 'the held-out texts are the generated ones');
  });
});

describe('./ng ml insights-train --labels', () => {
  const cli = path.join(import.meta.dirname, '..', 'src', 'cli.ts');
  const ml = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

  it('stops before training at a malformed file, naming the file, the line and the field (exit 1)', async () => {
    const good = await file('cli-good.jsonl', [line('blumen meyer', 'shopping')]);
    const bad = await file('cli-bad.jsonl', [line('blumen meyer', 'shopping'), line('BLUMEN MEYER 12', 'shopping')]);
    const out = path.join(dir, 'never.json');
    const run = ml('insights-train', '--labels', good, '--labels', bad, '--out', out);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`--labels ${bad}: line 2: text: must be normalised`));
    const missing = ml('insights-train', '--labels', path.join(dir, 'nothing.jsonl'), '--out', out);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read it \(ENOENT\)/);
    assert.equal(ml('insights-evaluate', '--labels', good).status, 2, 'evaluation takes no labels');
  });
});
