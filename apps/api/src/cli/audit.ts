import { parseArgs } from 'node:util';
import {
  type AuditFinding,
  type AuditService,
  ChainHeadConflict,
  createAuditService,
  describeFinding,
} from '../audit/index.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { openDatabase } from '../platform/runtime.ts';

/**
 * `./ng audit verify [--seal] [--json]`: walks the audit log's hash chain on the configured
 * database, then checks the newest exported chain heads against it, and prints one line per
 * finding (docs/operations/audit.md). Exit code 0 when the chain is intact, 1 when anything is
 * tampered, missing or contradicts a signed head, 2 on a usage or configuration mistake.
 *
 * `./ng audit export-head [--seal] [--json]`: signs the chain's current head and writes it to the
 * write-once head store (AUDIT_HEAD_*). Exit code 0 when exported or already exported, 1 when the
 * store holds a different head for that position or the store or key is unavailable.
 *
 * --seal first chains the records still pending (when no API process is running its sealer).
 */
const usage = 'usage: audit verify [--seal] [--json]\n       audit export-head [--seal] [--json]';

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
    const command = parsed.positionals[0];
    if (parsed.positionals.length !== 1 || (command !== 'verify' && command !== 'export-head')) fail(usage);
    return { command, ...parsed.values };
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`);
  }
}

const json = (value: unknown) => `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`;

async function verify(audit: AuditService, asJson: boolean): Promise<number> {
  const { sealed, pending, findings: chainFindings } = await audit.verify();
  const heads = await audit.verifyExportedHeads();
  const findings: AuditFinding[] = [...chainFindings, ...heads.findings];
  const intact = findings.length === 0;
  if (asJson) {
    const exportedHeads = { listed: heads.listed, checked: heads.checked, anchoredPosition: heads.anchoredPosition };
    const described = findings.map((f) => ({ ...f, text: describeFinding(f) }));
    process.stdout.write(json({ intact, sealed, pending, exportedHeads, findings: described }));
  } else {
    for (const finding of findings) process.stdout.write(`${describeFinding(finding)}\n`);
    if (heads.listed > 0) {
      process.stdout.write(
        `exported heads: checked the newest ${heads.checked} of ${heads.listed}; a signed head anchors the chain through position ${heads.anchoredPosition}\n`,
      );
    }
    const summary = intact ? 'audit chain intact' : `audit chain BROKEN: ${findings.length} finding(s)`;
    process.stdout.write(`${summary}: ${sealed} sealed record(s), ${pending} pending\n`);
  }
  return intact ? 0 : 1;
}

async function exportHead(audit: AuditService, asJson: boolean): Promise<number> {
  let result: Awaited<ReturnType<AuditService['exportChainHead']>>;
  try {
    result = await audit.exportChainHead();
  } catch (error) {
    if (!(error instanceof ChainHeadConflict)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  if (asJson) {
    const head = result.outcome === 'empty' ? undefined : { ...result.head, signature: undefined };
    process.stdout.write(json({ outcome: result.outcome, name: 'name' in result ? result.name : undefined, head }));
  } else if (result.outcome === 'empty') {
    process.stdout.write('nothing to export: the audit chain has no sealed record yet\n');
  } else {
    const verb = result.outcome === 'exported' ? 'exported' : 'was already exported as';
    process.stdout.write(`audit chain head at position ${result.head.position} ${verb} ${result.name}\n`);
  }
  return 0;
}

const options = parseCommandLine();
let db: Awaited<ReturnType<typeof openDatabase>>;
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
  db = await openDatabase(config, { warn: () => {} });
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
let exitCode = 1;
try {
  const audit = createAuditService({ db, config });
  if (options.seal) await audit.seal();
  exitCode = options.command === 'verify' ? await verify(audit, options.json) : await exportHead(audit, options.json);
} catch (error) {
  // The head store or the signing key unavailable, or misconfigured: say which, without a stack.
  process.stderr.write(`audit ${options.command} failed: ${(error as Error).message}\n`);
} finally {
  await db.close();
}
process.exitCode = exitCode;
