import { type Static, Type } from 'typebox';
import type { AuditService } from '../audit/index.ts';
import type { StepUpService } from '../identity/index.ts';
import { requireCustomer } from '../platform/auth.ts';
import { pageLimitDefault } from '../platform/constants.ts';
import { decodeCursor } from '../platform/cursors.ts';
import type { RouteOptions } from '../platform/dependencies.ts';
import { badRequest } from '../platform/errors.ts';
import { maskIban, maskName } from '../platform/masking.ts';
import {
  apiProblems,
  bodyProblems,
  IdParams,
  NoBody,
  NoQuery,
  Page,
  pageQueryProperties,
  problemResponses,
  signedInProblems,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import { parseInstant } from '../platform/validation.ts';
import type { HistoryRow } from './history.ts';
import { RevealBody, revealAccount } from './reveal.ts';
import {
  Account,
  AccountListItem,
  apiMoney,
  OpenAccountBody,
  OpenedAccount,
  RevealedAccount,
  Transaction,
  TransactionsQuery,
} from './schemas.ts';
import type { AccountsService, AccountView } from './service.ts';

const security = [{ oauth2: [] }];

/** An account as every answer but opening and reveal shows it: the IBAN masked, never in full. */
const masked = ({ iban: _iban, ...rest }: AccountView) => rest;

function transactionItem(row: HistoryRow): Static<typeof Transaction> {
  return {
    id: row.id,
    accountId: row.account_id,
    direction: row.direction,
    amount: apiMoney(row.amount_minor, row.currency),
    balanceAfter: row.balance_after_minor === null ? null : apiMoney(row.balance_after_minor, row.currency),
    status: row.status,
    statusReason: row.status_reason,
    description: row.description,
    counterparty:
      row.counterparty_name !== null && row.counterparty_iban !== null
        ? { name: maskName(row.counterparty_name), maskedIban: maskIban(row.counterparty_iban) }
        : null,
    category: row.category,
    createdAt: row.created_at.toISOString(),
    postedAt: row.posted_at?.toISOString() ?? null,
  };
}

type HistoryQuery = Static<typeof TransactionsQuery>;

/** A date-time filter as UTC ISO text PostgreSQL accepts (years 0001-9999), or a 400 naming it. */
function instant(text: string | undefined, name: 'from' | 'to'): string | undefined {
  if (text === undefined) return undefined;
  const iso = parseInstant(text)?.toISOString() ?? '';
  if (!/^(?!0000)\d{4}-/.test(iso)) {
    throw badRequest('invalid_date_range', `\`${name}\` must fall between the years 0001 and 9999 (UTC).`, {
      errors: [{ pointer: `/query/${name}`, detail: 'is out of range' }],
    });
  }
  return iso;
}

/** Range filters that cannot match anything are the client's mistake; say which. */
function checkRanges(query: HistoryQuery): void {
  const time = (text: string) => parseInstant(text)?.getTime() ?? Number.NaN;
  if (query.from && query.to && time(query.from) > time(query.to)) {
    throw badRequest('invalid_date_range', '`from` is after `to`. Swap them or widen the range.', {
      errors: [{ pointer: '/query/from', detail: 'must not be after to' }],
    });
  }
  if (query.minAmount && query.maxAmount && Number(query.minAmount) > Number(query.maxAmount)) {
    throw badRequest('invalid_amount_range', '`minAmount` is above `maxAmount`. Swap them.', {
      errors: [{ pointer: '/query/minAmount', detail: 'must not be above maxAmount' }],
    });
  }
}

/** What app.ts hands these routes. */
type Options = RouteOptions<{
  readonly accounts: AccountsService;
  readonly stepUp: StepUpService;
  readonly audit: AuditService;
}>;

export async function accountsRoutes(app: TypeBoxApp, options: Options) {
  const { accounts } = options.services;

  app.get(
    '/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: "The caller's accounts with current and available balances, newest first",
        security,
        querystring: Type.Object(pageQueryProperties, { additionalProperties: false }),
        response: { 200: Page(AccountListItem), ...problemResponses(...apiProblems, ...signedInProblems) },
      },
    },
    async (request) => {
      const customerId = requireCustomer(request);
      // Ajv has filled in `limit`'s default; its static type cannot know, hence the fallback.
      const { cursor, limit = pageLimitDefault } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const page = await accounts.listAccounts(customerId, { limit, after });
      return { data: page.data.map(masked), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'One of the caller’s accounts, its IBAN masked (POST …/reveal shows it in full)',
        security,
        params: IdParams('account'),
        querystring: NoQuery,
        response: { 200: Account, ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => masked(await accounts.getAccount(requireCustomer(request), request.params.id)),
  );

  app.post(
    '/accounts/:id/reveal',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Show the account’s full IBAN, after a fresh passkey approval',
        description:
          'The first call answers 403 `step_up_required` with a passkey challenge in `stepUp`, bound to this account. Sign `stepUp.publicKey` with a passkey and call again with `{ "stepUp": { "challengeId", "assertion" } }`: the answer carries the full IBAN and `Cache-Control: no-store`. Each approval works once, for 5 minutes.',
        security,
        params: IdParams('account'),
        querystring: NoQuery,
        body: RevealBody,
        response: {
          200: RevealedAccount,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404),
        },
      },
    },
    async (request, reply) => {
      const customerId = requireCustomer(request);
      const revealed = await revealAccount(
        { db: options.deps.db, accounts, stepUp: options.services.stepUp, audit: options.services.audit },
        customerId,
        request.params.id,
        request.body?.stepUp,
      );
      return reply.header('cache-control', 'no-store').send(revealed);
    },
  );

  app.post(
    '/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Open a checking or savings account; the answer shows its full IBAN this once',
        security,
        querystring: NoQuery,
        body: OpenAccountBody,
        response: {
          201: OpenedAccount,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 409),
        },
      },
    },
    async (request, reply) => {
      const customerId = requireCustomer(request);
      reply.code(201);
      return accounts.openAccount(customerId, request.body);
    },
  );

  const actions = { freeze: accounts.freeze, unfreeze: accounts.unfreeze, close: accounts.close } as const;
  const summaries = {
    freeze: 'Freeze an account: no money moves in or out until it is unfrozen',
    unfreeze: 'Lift a freeze the customer placed (a bank freeze needs support)',
    close: 'Close an account with a zero balance and no pending payments; it cannot be reopened',
  } as const;
  for (const action of ['freeze', 'unfreeze', 'close'] as const) {
    app.post(
      `/accounts/:id/${action}`,
      {
        schema: {
          tags: ['accounts'],
          summary: summaries[action],
          security,
          params: IdParams('account'),
          querystring: NoQuery,
          body: NoBody,
          response: {
            200: Account,
            ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409),
          },
        },
      },
      async (request) => masked(await actions[action](requireCustomer(request), request.params.id)),
    );
  }

  app.get(
    '/transactions',
    {
      schema: {
        tags: ['transactions'],
        summary: "The caller's transactions across their accounts, newest first",
        security,
        querystring: TransactionsQuery,
        response: { 200: Page(Transaction), ...problemResponses(...apiProblems, ...signedInProblems, 404) },
      },
    },
    async (request) => {
      const customerId = requireCustomer(request);
      const query = request.query;
      checkRanges(query);
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const page = await accounts.listTransactions(customerId, {
        ...query,
        limit: query.limit ?? pageLimitDefault, // filled in by Ajv already, as on /accounts
        from: instant(query.from, 'from'),
        to: instant(query.to, 'to'),
        after,
      });
      return { data: page.rows.map(transactionItem), nextCursor: page.nextCursor };
    },
  );
}
