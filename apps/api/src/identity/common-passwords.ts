import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The shipped list of common and breached passwords (common-passwords.txt, ~54,000 entries,
 * already normalized). Read once per process on first use: about 10 ms and 5 MB of memory.
 */
const listFile = path.join(import.meta.dirname, 'common-passwords.txt');
let loaded: ReadonlySet<string> | undefined;

export function commonPasswords(): ReadonlySet<string> {
  loaded ??= new Set(
    readFileSync(listFile, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0 && !line.startsWith('# ')),
  );
  return loaded;
}
