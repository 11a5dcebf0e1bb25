import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';

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
    const files = (await readdir(sourceDir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 5);
    const offending: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(sourceDir, file), 'utf8');
      for (const [, specifier = ''] of text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)) {
        const inside =
          specifier.startsWith('.') && path.resolve(sourceDir, path.dirname(file), specifier).startsWith(sourceDir);
        if (!inside && !allowedPackages.has(specifier)) offending.push(`${file}: ${specifier}`);
      }
    }
    assert.deepEqual(offending, []);
  });
});
