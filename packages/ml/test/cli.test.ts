import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fraudModelVersion, variantVersion } from '../src/index.ts';

const cli = path.join(import.meta.dirname, '..', 'src', 'cli.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'ng-ml-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function ml(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const small = ['--customers', '40', '--days', '30', '--fraud-rate', '0.25'];

describe('./ng ml', () => {
  it('generates a file, prints rows, customers and fraud rows per scenario, and validates it', () => {
    const out = path.join(dir, 'small.jsonl');
    const generated = ml('generate', '--seed', '3', ...small, '--out', out);
    assert.equal(generated.status, 0, generated.stderr);
    assert.match(generated.stdout, /^rows: \d+$/m);
    assert.match(generated.stdout, /^customers: 40$/m);
    for (const scenario of ['account_takeover', 'card_testing', 'mule', 'app_scam', 'structuring']) {
      assert.match(generated.stdout, new RegExp(`^fraud ${scenario}: [1-9]\\d* rows in 2 cases$`, 'm'));
    }
    const validated = ml('validate', '--input', out);
    assert.equal(validated.status, 0, validated.stderr);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n').length;
    assert.match(validated.stdout, new RegExp(`valid, ${rows} lines`));
    assert.match(validated.stdout, /^customers: 40$/m);
  });

  it('writes the same bytes for the same seed', () => {
    const [a, b] = ['a.jsonl', 'b.jsonl'].map((name) => path.join(dir, name)) as [string, string];
    assert.equal(ml('generate', ...small, '--out', a).status, 0);
    assert.equal(ml('generate', ...small, '--out', b).status, 0);
    assert.ok(readFileSync(a).equals(readFileSync(b)));
  });

  it('reports malformed input with its line and field, and exits 1', () => {
    const input = path.join(dir, 'bad.jsonl');
    const good = ml('generate', ...small, '--fraud-rate', '0', '--days', '3', '--out', input);
    assert.equal(good.status, 0, good.stderr);
    const lines = readFileSync(input, 'utf8').split('\n');
    lines[4] = (lines[4] as string).replace(/"amountMinor":"(-?\d+)"/, '"amountMinor":"$1.5"');
    writeFileSync(input, lines.join('\n'));
    const run = ml('validate', '--input', input);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /line 5: amountMinor: must be a non-zero integer/);
  });

  it('trains a model on a labelled file and evaluates it against the rules on another', () => {
    const [data, other, model] = ['train.jsonl', 'other.jsonl', 'model.json'].map((name) => path.join(dir, name)) as [
      string,
      string,
      string,
    ];
    assert.equal(
      ml('generate', '--seed', '5', '--customers', '200', '--days', '30', '--fraud-rate', '0.2', '--out', data).status,
      0,
    );
    assert.equal(ml('generate', ...small, '--out', other).status, 0);
    // One network: the committed recipe's three members would take three times as long.
    const trained = ml('train', '--input', data, '--epochs', '2', '--members', '1', '--out', model);
    assert.equal(trained.status, 0, trained.stderr);
    assert.match(trained.stdout, /^wrote .*model\.json in [\d.]+ s .*sha256 [0-9a-f]{64}\)$/m);
    assert.match(trained.stdout, /^ {2}model: PR-AUC \d\.\d{3}, recall \d\.\d{3} at 0\.1 % FPR/m);
    assert.match(trained.stdout, /^ {2}rules: PR-AUC \d\.\d{3}/m);
    const artifact = JSON.parse(readFileSync(model, 'utf8'));
    assert.equal(artifact.dataSeed, 'train.jsonl');
    // Trained on other data than the committed recipe: the version carries the weights' hash.
    assert.equal(artifact.version, variantVersion(fraudModelVersion, artifact.weights));
    const evaluated = ml('evaluate', '--model', model, '--input', other);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    assert.match(evaluated.stdout, /^\| model \| \d\.\d{3} +\| [\d.]+ % +\| [\d.]+ % +\|$/m);
    assert.match(evaluated.stdout, /^\| rules \| \d\.\d{3} /m);
    assert.match(evaluated.stdout, /^\| card_testing +\| \d+ /m);
    // An edited artifact is refused, not scored with.
    writeFileSync(model, JSON.stringify({ ...artifact, version: 'edited' }));
    const refused = ml('evaluate', '--model', model, '--input', other);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /does not match its sha256/);
  });

  it('refuses to train on rows without labels, and exits 1', () => {
    const input = path.join(dir, 'unlabelled.jsonl');
    assert.equal(ml('generate', ...small, '--out', input).status, 0);
    const lines = readFileSync(input, 'utf8').trimEnd().split('\n');
    writeFileSync(input, `${lines.map((l) => l.replace(/,"label":(null|\{[^}]*\})\}$/, '}')).join('\n')}\n`);
    const run = ml('train', '--input', input, '--out', path.join(dir, 'never.json'));
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /has no label: training and evaluation need labelled rows/);
  });

  const bad: [string, string[], RegExp][] = [
    ['no command', [], /usage/],
    ['an unknown command', ['predict'], /unknown command "predict"/],
    ['an unknown option', ['generate', '--out', 'x', '--colour', 'red'], /Unknown option '--colour'/],
    ['a seed that is not a number', ['generate', '--seed', 'abc', '--out', 'x'], /--seed must be a whole number/],
    ['a negative customer count', ['generate', '--customers=-5', '--out', 'x'], /--customers must be a whole number/],
    [
      'a value that looks like an option',
      ['generate', '--customers', '-5', '--out', 'x'],
      /'--customers' argument is ambiguous/,
    ],
    [
      'too many customers',
      ['generate', '--customers', '1000000', '--out', 'x'],
      /--customers must be an integer from 2 to 100000/,
    ],
    ['zero days', ['generate', '--days', '0', '--out', 'x'], /--days must be an integer from 1/],
    ['too few days for fraud', ['generate', '--days', '10', '--out', 'x'], /--days must be at least 28/],
    [
      'an impossible start date',
      ['generate', '--start', '2026-13-01', '--out', 'x'],
      /--start must be a date YYYY-MM-DD/,
    ],
    [
      'a fraud rate above 1',
      ['generate', '--fraud-rate', '1.5', '--out', 'x'],
      /--fraud-rate must be a number from 0 to 1/,
    ],
    ['a fraud rate that is not a number', ['generate', '--fraud-rate', 'lots', '--out', 'x'], /--fraud-rate must be/],
    ['no output file', ['generate'], /--out FILE is required/],
    [
      'an output in a missing folder',
      ['generate', '--out', '/nonexistent-dir/x.jsonl'],
      /--out .*cannot write it \(ENOENT\)/,
    ],
    ['an option without its value', ['generate', '--out'], /argument missing|requires/i],
    ['no input file', ['validate'], /--input FILE is required/],
    [
      'an input that does not exist',
      ['validate', '--input', '/nonexistent.jsonl'],
      /--input \/nonexistent.jsonl: no such file/,
    ],
    ['zero epochs', ['train', '--epochs', '0', '--out', 'x'], /--epochs must be from 1 to 1000/],
    ['too many members', ['train', '--members', '9', '--out', 'x'], /--members must be from 1 to 8/],
    ['a file and generator options', ['train', '--input', 'x.jsonl', '--seed', '3'], /--input reads a file/],
    ['too many customers to train on', ['train', '--customers', '1000000'], /--customers must be an integer/],
    [
      'a model that does not exist',
      ['evaluate', '--model', '/nonexistent.json'],
      /--model \/nonexistent.json: no such file/,
    ],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what} with one line and exit code 2`, () => {
      const run = ml(...args);
      assert.equal(run.status, 2, run.stderr);
      if (args.length === 0) {
        assert.match(run.stdout, message);
        return;
      }
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    });
  }
});
