import { parseArgs } from 'node:util';
import { createServices } from '../app.ts';
import { parseAmountInput } from '../payments/amounts.ts';
import { requestHash } from '../payments/idempotency.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { descriptionLengthMax } from '../platform/constants.ts';
import { DomainError } from '../platform/errors.ts';
import { isId } from '../platform/ids.ts';
import { isCurrency } from '../platform/money.ts';
import { openDependencies } from '../platform/runtime.ts';

/**
 * `npm run backoffice -- credit --account acc_… --amount 100.00 --currency EUR --description "…"`
 * Credits a customer's account from the bank's settlement account through the same service as
 * POST /backoffice/v1/credits, on the configured database. With --idempotency-key, running the
 * same command twice credits once.
 */
const usage =
  'usage: backoffice credit --account acc_… --amount 100.00 --currency EUR --description "…" [--idempotency-key KEY]';

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
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`);
  }
}

function readCreditArguments() {
  const { positionals, values } = parseCommandLine();
  if (positionals[0] !== 'credit' || positionals.length !== 1) fail(usage);
  const { account, amount, currency, description } = values;
  if (!account || !isId('account', account)) fail(`--account must be an account id (acc_…)\n${usage}`);
  if (!currency || !isCurrency(currency)) fail(`--currency must be an ISO 4217 code the bank keeps\n${usage}`);
  if (!amount) fail(`--amount is required\n${usage}`);
  if (!description || description.length > descriptionLengthMax) {
    fail(`--description is required (at most ${descriptionLengthMax} characters)\n${usage}`);
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

try {
  const { input, idempotency } = readCreditArguments();
  const deps = await openDependencies(loadConfig(), console);
  try {
    const { response, replayed } = await createServices(deps).payments.creditAccount(input, idempotency);
    if (response.status >= 400) fail(`refused: ${String(response.body.code)}: ${String(response.body.detail)}`);
    process.stdout.write(`${JSON.stringify({ ...response.body, replayed })}\n`);
  } finally {
    await Promise.allSettled([deps.db.close(), deps.cache.close()]);
  }
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  if (error instanceof DomainError) fail(`refused: ${error.code}: ${error.message}`);
  throw error;
}
