import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { importsLeaving } from '@nextgen/testkit';

/**
 * The client ships to the app (React Native, the web): its source may import only itself and
 * openapi-fetch — never the API's code, Node's modules or the test kit — so the app's bundle
 * holds no server code. The boundary check puts it on top of the layers, so no server module
 * imports it; this test holds the other direction.
 */
const sourceDir = path.join(import.meta.dirname, '..', 'src');
const allowedPackages = new Set(['openapi-fetch']);

describe('the api-client source', () => {
  it('imports only its own files and openapi-fetch', async () => {
    const { files, offending } = await importsLeaving(sourceDir, { packages: allowedPackages });
    assert.ok(files > 5);
    assert.deepEqual(offending, []);
  });
});
