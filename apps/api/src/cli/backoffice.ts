import { open, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { categoryLabelsFormat, fraudLabelsFormat } from '@nextgen/ml';
import { createServices, type Services } from '../app.ts';
import { isOperatorRole, type OperatorRole, operatorRoles } from '../backoffice/index.ts';
import { exportCategoryLabels } from '../insights/index.ts';
import { parseAmountInput } from '../platform/amounts.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { descriptionLengthMax, operatorNameLengthMax } from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';
import { DomainError } from '../platform/errors.ts';
import { requestHash } from '../platform/idempotency.ts';
import { isId } from '../platform/ids.ts';
import { isCurrency } from '../platform/money.ts';
import { openDependencies } from '../platform/runtime.ts';
import { humanNamePattern, printableTextPattern } from '../platform/schemas.ts';
import { exportFraudLabels } from '../risk/index.ts';

/**
 * `./ng backoffice …` on the configured database, through the same services as the API:
 *   credit --account acc_… --amount 100.00 --currency EUR --description "…" [--idempotency-key KEY]
 *   operator create --name "Alice, payments desk" --roles payments,approver
 *   operator list | operator disable --id opr_… | operator enable --id opr_… | operator rotate-key --id opr_…
 *   fraud-labels --out FILE [--after 2026-12-01T00:00:00Z]
 *   category-labels --out FILE [--after 2026-12-01T00:00:00Z]
 * `fraud-labels` writes the analysts' reviews of held transfers as training labels (JSON Lines,
 * docs/ml/fraud-labels.md) for `./ng ml train --labels FILE`; `--after` keeps reviews after a time.
 * `category-labels` writes customers' category corrections of card payments the same way
 * (docs/ml/category-labels.md, which says what is left out and why) for
 * `./ng ml insights-train --labels FILE`; `--after` keeps corrections after a time.
 * `operator create` and `rotate-key` print the operator's private key (JWK) once: hand it to the
 * operator over a secure channel; the bank keeps only the public key. Every command that changes
 * something or takes data out (the label exports) is audited with the OS user who ran it as the
 * actor; `operator list` only reads.
 */
const usage = [
  'usage: backoffice credit --account acc_… --amount 100.00 --currency EUR --description "…" [--idempotency-key KEY]',
  `       backoffice operator create --name NAME --roles ROLE[,ROLE…]   (roles: ${operatorRoles.join(', ')})`,
  '       backoffice operator list',
  '       backoffice operator disable|enable|rotate-key --id opr_…',
  '       backoffice fraud-labels --out FILE [--after ISO-8601 time]',
  '       backoffice category-labels --out FILE [--after ISO-8601 time]',
].join('\n');

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        account: { type: 'string' },
        amount: { type: 'string' },
        currency: { type: 'string' },
        description: { type: 'string' },
        'idempotency-key': { type: 'string' },
        name: { type: 'string' },
        roles: { type: 'string' },
        id: { type: 'string' },
        out: { type: 'string' },
        after: { type: 'string' },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`);
  }
}

type CommandLine = ReturnType<typeof parseCommandLine>;
const actorId = `cli:${userInfo().username}`;
// The same text rules as the API's fields (platform/schemas.ts): operators' names are shown to other operators.
const humanName = new RegExp(humanNamePattern, 'u');
const printableText = new RegExp(printableTextPattern, 'u');
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

function readCreditArguments({ values }: CommandLine) {
  const { account, amount, currency, description } = values;
  if (!account || !isId('account', account)) fail(`--account must be an account id (acc_…)\n${usage}`);
  if (!currency || !isCurrency(currency)) fail(`--currency must be an ISO 4217 code the bank keeps\n${usage}`);
  if (!amount) fail(`--amount is required\n${usage}`);
  if (!description || description.length > descriptionLengthMax || !printableText.test(description)) {
    fail(`--description is required (at most ${descriptionLengthMax} printable characters)\n${usage}`);
  }
  const amountMinor = parseAmountInput(amount, currency, '--amount');
  const key = values['idempotency-key'];
  const idempotency = key
    ? {
        scope: 'operator:cli',
        key,
        requestHash: requestHash('CLI', 'credit', { account, amount, currency, description }),
      }
    : undefined;
  return { input: { accountId: account, amountMinor, currency, description }, idempotency };
}

async function credit(services: Services, db: Queryable, commandLine: CommandLine) {
  const { input, idempotency } = readCreditArguments(commandLine);
  const { response, replayed } = await services.payments.creditAccount(input, idempotency);
  if (response.status >= 400) fail(`refused: ${String(response.body.code)}: ${String(response.body.detail)}`);
  if (!replayed) {
    await services.audit.record(db, {
      action: 'payments.manual_credit',
      actor: { kind: 'system', id: actorId },
      subject: { kind: 'account', id: input.accountId },
      details: {
        journalEntryId: String(response.body.id),
        amountMinor: Number(input.amountMinor),
        currency: input.currency,
      },
    });
  }
  print({ ...response.body, replayed });
}

function readRoles(text: string | undefined): OperatorRole[] {
  const roles = (text ?? '').split(',').map((r) => r.trim());
  if (roles.length === 0 || !roles.every(isOperatorRole)) {
    fail(`--roles must be a comma-separated list of: ${operatorRoles.join(', ')}\n${usage}`);
  }
  return roles as OperatorRole[];
}

async function operator(services: Services, { positionals, values }: CommandLine) {
  const { operators } = services.backoffice;
  const verb = positionals[1];
  if (verb === 'list') return print(await operators.list());
  if (verb === 'create') {
    const name = values.name?.trim();
    if (!name || name.length > operatorNameLengthMax || !humanName.test(name))
      fail(
        `--name is required (at most ${operatorNameLengthMax} printable characters, no control or format characters)`,
      );
    return print(await operators.create(actorId, { name, roles: readRoles(values.roles) }));
  }
  const id = values.id;
  if (!id || !isId('operator', id)) fail(`--id must be an operator id (opr_…)\n${usage}`);
  if (verb === 'disable') return print(await operators.disable(actorId, id));
  if (verb === 'enable') return print(await operators.enable(actorId, id));
  if (verb === 'rotate-key') return print(await operators.rotateKey(actorId, id));
  fail(usage);
}

/** The `--out` file, opened new (never over an existing one), and the `--after` time of a labels export. */
async function labelsTarget({ values }: CommandLine) {
  const out = values.out;
  if (!out) fail(`--out is required\n${usage}`);
  const after = values.after === undefined ? undefined : new Date(values.after);
  if (after && (Number.isNaN(after.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(values.after ?? '')))
    fail(`--after must be an ISO 8601 time such as 2026-12-01T00:00:00Z\n${usage}`);
  const file = await open(out, 'wx').catch((error: NodeJS.ErrnoException) =>
    fail(error.code === 'EEXIST' ? `${out} exists already: choose a new file` : `cannot write ${out}: ${error.code}`),
  );
  return { out, after, file };
}

/**
 * Writes a labels export as JSON Lines, audits it (who exported which format, how many labels,
 * from when: data leaving the bank's database is recorded like any other operator action), then
 * prints the file, how many lines and their format.
 */
async function writeLabels<T>(
  services: Services,
  db: Queryable,
  commandLine: CommandLine,
  format: string,
  exportTo: (after: Date | undefined, write: (label: T) => Promise<void>) => Promise<number>,
) {
  const { out, after, file } = await labelsTarget(commandLine);
  let written: number;
  try {
    written = await exportTo(after, (label) => file.write(`${JSON.stringify(label)}\n`).then(() => {}));
  } finally {
    await file.close();
  }
  // No export without its record: a file the audit could not record is deleted.
  await services.audit
    .record(db, {
      action: 'ml.labels_exported',
      actor: { kind: 'system', id: actorId },
      details: { format, labels: written, ...(after ? { after: after.toISOString() } : {}) },
    })
    .catch(async (error: unknown) => {
      await rm(out, { force: true });
      throw error;
    });
  print({ file: out, labels: written, format });
}

const commands = ['credit', 'operator', 'fraud-labels', 'category-labels'];

try {
  const commandLine = parseCommandLine();
  const command = commandLine.positionals[0];
  if (!command || !commands.includes(command)) fail(usage);
  if (command !== 'operator' && commandLine.positionals.length !== 1) fail(usage);
  const deps = await openDependencies(loadConfig(), console);
  try {
    const services = createServices(deps);
    if (command === 'credit') await credit(services, deps.db, commandLine);
    else if (command === 'fraud-labels')
      await writeLabels(services, deps.db, commandLine, fraudLabelsFormat, (after, write) =>
        exportFraudLabels(deps.db, after, write),
      );
    else if (command === 'category-labels')
      // Erased customers' corrections stay out (docs/ml/category-labels.md).
      await writeLabels(services, deps.db, commandLine, categoryLabelsFormat, (after, write) =>
        exportCategoryLabels(deps.db, { after, leftOut: services.vault.isErased }, write),
      );
    else await operator(services, commandLine);
  } finally {
    await Promise.allSettled([deps.db.close(), deps.cache.close()]);
  }
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  if (error instanceof DomainError) fail(`refused: ${error.code}: ${error.message}`);
  throw error;
}
