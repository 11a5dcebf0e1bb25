import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

const cli = path.join(import.meta.dirname, '..', 'src', 'cli.ts');

function ml(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('./ng ml insights-*', () => {
  it('refuses a bad command line with exit code 2', () => {
    const unknown = ml('insights-evaluate', '--sed', '3');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /usage: \.\/ng ml insights-evaluate/);
    assert.equal(ml('insights-evaluate', '--seed', 'x').status, 2);
    // The committed model was trained on seed 21: evaluating on it would measure nothing.
    assert.match(ml('insights-evaluate', '--seed', '21').stderr, /trained on/);
    assert.equal(ml('insights-train', '--seed', '15').status, 2);
    assert.equal(ml('insights-evaluate', '--model', '/nonexistent/model.json').status, 2);
  });

  it('evaluates the committed categoriser, the recurring detector and the forecast on another seed', () => {
    const run = ml('insights-evaluate', '--seed', '16');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^categoriser 1\.0\.0 \([0-9a-f]{12}\) on seed 16/m);
    assert.match(run.stdout, /^ {2}groceries +\d+\.\d %/m);
    const recurring = /recurring rows: precision (\d\.\d+), recall (\d\.\d+)/.exec(run.stdout);
    assert.ok(recurring, run.stdout);
    assert.ok(Number(recurring[1]) >= 0.95 && Number(recurring[2]) >= 0.95, recurring[0]);
    const ours = /recurring \+ weekday profile: mean (\d+\.\d+)/.exec(run.stdout);
    const seasonal = /seasonal naive \(m = 7\): +mean (\d+\.\d+)/.exec(run.stdout);
    assert.ok(ours && seasonal, run.stdout);
    assert.ok(Number(ours[1]) <= 0.7 && Number(ours[1]) < Number(seasonal[1]), `${ours[0]} / ${seasonal[0]}`);
  });
});
