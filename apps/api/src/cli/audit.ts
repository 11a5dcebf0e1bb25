import { parseArgs } from 'node:util';
import { createAuditService, describeFinding } from '../audit/index.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { openDatabase } from '../platform/runtime.ts';

/**
 * `./ng audit verify [--seal] [--json]`: walks the audit log's hash chain on the configured
 * database and prints one line per finding (docs/operations/audit.md). Exit code 0 when the chain
 * is intact, 1 when anything is tampered or missing, 2 on a usage or configuration mistake.
 * --seal first chains the records still pending (when no API process is running its sealer).
 */
const usage = 'usage: audit verify [--seal] [--json]';

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function parseCommandLine() {
  try {
    const parsed = parseArgs({
      allowPositionals: true,
      options: { seal: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    });
    if (parsed.positionals.length !== 1 || parsed.positionals[0] !== 'verify') fail(usage);
    return parsed.values;
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`);
  }
}

const options = parseCommandLine();
let db: Awaited<ReturnType<typeof openDatabase>>;
try {
  db = await openDatabase(loadConfig(), { warn: () => {} });
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
let intact = false;
try {
  const audit = createAuditService({ db });
  if (options.seal) await audit.seal();
  const { sealed, pending, findings } = await audit.verify();
  intact = findings.length === 0;
  if (options.json) {
    const json = JSON.stringify(
      { intact, sealed, pending, findings: findings.map((f) => ({ ...f, text: describeFinding(f) })) },
      (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
    );
    process.stdout.write(`${json}\n`);
  } else {
    for (const finding of findings) process.stdout.write(`${describeFinding(finding)}\n`);
    const summary = intact ? 'audit chain intact' : `audit chain BROKEN: ${findings.length} finding(s)`;
    process.stdout.write(`${summary}: ${sealed} sealed record(s), ${pending} pending\n`);
  }
} finally {
  await db.close();
}
process.exitCode = intact ? 0 : 1;
