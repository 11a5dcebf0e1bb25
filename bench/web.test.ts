import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

/**
 * The web-app benchmark is code too: this runs `./ng bench -- --web` at its smallest (one cold and
 * one warm load) and checks it measured a render and the JavaScript before it. It asserts no speed:
 * figures are measured by the bench and written down in bench/RESULTS.md.
 */
const run = promisify(execFile);

describe('./ng bench -- --web', () => {
  it('loads the served web app in Chromium and reports its first render and JavaScript bytes', async (t) => {
    const json = path.join('out', `web-smoke-${process.pid}.json`);
    const { stdout } = await run(process.execPath, ['run.ts', '--web', '--loads', '1', '--json', json], {
      cwd: import.meta.dirname,
      timeout: 240_000,
    });
    t.diagnostic(stdout);
    assert.match(stdout, /cold first meaningful render, ms/);
    const results = JSON.parse(await readFile(path.join(import.meta.dirname, json), 'utf8'));
    assert.equal(results.runs.cold.length, 1);
    assert.equal(results.runs.warm.length, 1);
    assert.equal(results.runs.signedIn.length, 1);
    assert.ok(results.runs.signedIn[0] > 0, 'a returning customer’s accounts were seen painted');
    const [cold] = results.runs.cold;
    assert.ok(cold.fmrMs > 0 && Number.isFinite(cold.fmrMs), 'the main heading was seen rendered');
    assert.ok(cold.fcpMs > 0, 'the browser reported first-contentful-paint');
    assert.ok(cold.jsFiles >= 1, 'the app’s bundle loaded before its first render');
    assert.equal(cold.contentEncoding, 'gzip', 'the bundle is served compressed');
    assert.ok(cold.jsCompressedBytes > 0 && cold.jsCompressedBytes < cold.jsUncompressedBytes, 'gzip shrank it');
    assert.equal(typeof results.met.render, 'boolean');
    assert.equal(typeof results.met.javascript, 'boolean');
  });
});
