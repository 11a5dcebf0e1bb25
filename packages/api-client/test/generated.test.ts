import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { apiDocument, documentFile, generatedFiles, typesFile } from '../scripts/document.ts';

/**
 * The checked-in client is the API's current document: a route whose schema changed without
 * `npm run api-client:generate` fails here, naming the command.
 */
describe('the generated client', () => {
  it('matches the OpenAPI document the API builds now', async () => {
    const expected = await generatedFiles(await apiDocument());
    const hint = 'run `npm run api-client:generate` and commit packages/api-client/src/generated';
    assert.equal(await readFile(documentFile, 'utf8'), expected.document, `openapi.json is stale: ${hint}`);
    assert.equal(await readFile(typesFile, 'utf8'), expected.types, `api.ts is stale: ${hint}`);
  });
});
