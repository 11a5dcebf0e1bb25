import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { importsLeaving } from '@nextgen/testkit';

/**
 * packages/ml is pure: no HTTP, no database, nothing of ours. Its source imports only itself,
 * Node's built-ins and TensorFlow.js, so the API and the worker can score with it and the
 * training commands run anywhere. The boundary check's layer would allow more; this holds it.
 */
const sourceDir = path.join(import.meta.dirname, '..', 'src');

describe('the ml source', () => {
  it('imports only its own files, node: built-ins and TensorFlow.js', async () => {
    const { files, offending } = await importsLeaving(sourceDir, {
      packages: new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']),
      nodeBuiltins: true,
    });
    assert.ok(files > 10);
    assert.deepEqual(offending, []);
  });

  it('would notice an import from the API', async () => {
    const { offending } = await importsLeaving(
      path.join(import.meta.dirname, '..', '..', '..', 'apps', 'worker', 'src'),
      {
        packages: new Set(),
        nodeBuiltins: true,
      },
    );
    assert.ok(offending.length > 0, 'the worker imports packages beyond node: built-ins');
  });
});
