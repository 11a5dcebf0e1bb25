/**
 * `npm run api-client:generate`: writes packages/api-client/src/generated/{openapi.json,api.ts}
 * from the API's current document (built in-process, no server needed). Run it after changing a
 * route's schema; packages/api-client/test/generated.test.ts fails until you do.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { apiDocument, documentFile, generatedDir, generatedFiles, typesFile } from './document.ts';

const files = await generatedFiles(await apiDocument());
await mkdir(generatedDir, { recursive: true });
await writeFile(documentFile, files.document);
await writeFile(typesFile, files.types);
process.stdout.write(`wrote ${documentFile} and ${typesFile}\n`);
