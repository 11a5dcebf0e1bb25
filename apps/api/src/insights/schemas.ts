import { categories } from '@nextgen/ml';
import { Type } from 'typebox';
import { idSchemaPattern } from '../platform/ids.ts';
import { currencies } from '../platform/money.ts';
import {
  ApiMoney,
  ApiMoneyInput,
  NullableTimestamp,
  pageQueryProperties,
  StringEnum,
  Timestamp,
} from '../platform/schemas.ts';
import { insightTypes, upcomingBillsDaysDefault, upcomingBillsDaysMax } from './constants.ts';

/**
 * The insights module's API shapes (docs/api/insights.md). Categories a client sends are checked
 * by the handler against the categoriser's list, so an unknown one is `unknown_category` naming
 * the field; categories the API answers are the closed list.
 */

/** What a client may send as a category: shaped like one; the handler checks it is one (unknown_category). */
export const categoryInputPattern = '^[a-z][a-z_]{0,31}$';
const CategoryInput = Type.String({
  pattern: categoryInputPattern,
  description: `One of: ${categories.join(', ')}`,
  example: 'groceries',
});
export const Category = StringEnum([...categories]);

const Month = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', example: '2026-12' });
const DateOnly = Type.String({ format: 'date', example: '2026-12-24' });
const CurrencyQuery = Type.Optional(StringEnum(currencies, { default: 'EUR', description: 'ISO 4217 code' }));

// ---- Spending ----------------------------------------------------------------------------------

export const SpendingQuery = Type.Object(
  {
    month: Type.Optional(
      Type.String({
        pattern: '^[0-9]{4}-[0-9]{2}$',
        description: 'YYYY-MM (UTC), 1970-01 to 9998-12; the current month by default',
        example: '2026-12',
      }),
    ),
    currency: CurrencyQuery,
  },
  { additionalProperties: false },
);

export const Spending = Type.Object({
  month: Month,
  currency: StringEnum(currencies),
  total: ApiMoney,
  categories: Type.Array(
    Type.Object({
      category: Category,
      amount: ApiMoney,
      share: Type.Number({ minimum: 0, maximum: 1, description: "This category's part of the month's total" }),
      previous: ApiMoney,
      trend: StringEnum(['up', 'down', 'flat']),
    }),
  ),
  months: Type.Array(Type.Object({ month: Month, total: ApiMoney }), {
    description: 'The six months ending with `month`, oldest first',
  }),
});

// ---- Budgets -----------------------------------------------------------------------------------

export const Budget = Type.Object({
  category: Category,
  amount: ApiMoney,
  spent: ApiMoney,
  level: StringEnum(['ok', 'warning', 'exceeded']),
  share: Type.Number({ minimum: 0, description: 'Spent ÷ amount this month (above 1 when exceeded)' }),
});

export const BudgetList = Type.Object({ data: Type.Array(Budget) });

export const CategoryParams = Type.Object({ category: CategoryInput }, { additionalProperties: false });

export const PutBudgetBody = Type.Object({ amount: ApiMoneyInput }, { additionalProperties: false });

export const DeleteBudgetQuery = Type.Object({ currency: CurrencyQuery }, { additionalProperties: false });

// ---- Recurring payments and bills ----------------------------------------------------------------

export const RecurringPayment = Type.Object({
  id: Type.String({ description: 'Stable while the series exists', example: 'rec_4f1c2a9b0d3e5f6a7b8c9d0e' }),
  name: Type.String({ example: 'StreamFlix' }),
  category: Category,
  frequency: StringEnum(['weekly', 'monthly', 'quarterly', 'yearly']),
  direction: StringEnum(['in', 'out']),
  averageAmount: ApiMoney,
  lastAmount: ApiMoney,
  lastDate: DateOnly,
  nextDate: DateOnly,
  active: Type.Boolean(),
  accountId: Type.String(),
});

export const RecurringList = Type.Object({ data: Type.Array(RecurringPayment) });

export const UpcomingQuery = Type.Object(
  {
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: upcomingBillsDaysMax, default: upcomingBillsDaysDefault })),
  },
  { additionalProperties: false },
);

export const UpcomingBill = Type.Object({
  date: DateOnly,
  name: Type.String(),
  amount: ApiMoney,
  category: Category,
  accountId: Type.String(),
});

export const UpcomingList = Type.Object({ data: Type.Array(UpcomingBill) });

// ---- Forecast ----------------------------------------------------------------------------------

export const Forecast = Type.Object({
  accountId: Type.String(),
  currency: StringEnum(currencies),
  method: Type.String({ example: 'recurring+weekday-profile' }),
  days: Type.Array(Type.Object({ date: DateOnly, balance: ApiMoney }), {
    description: 'End-of-day balances, from tomorrow (UTC), 30 days',
  }),
});

// ---- Category corrections ----------------------------------------------------------------------

export const TransactionParams = Type.Object(
  { id: Type.String({ pattern: idSchemaPattern('accountTransaction') }) },
  { additionalProperties: false },
);

export const PutCategoryBody = Type.Object({ category: CategoryInput }, { additionalProperties: false });

export const CategoryCorrection = Type.Object({
  transactionId: Type.String(),
  category: Category,
  source: StringEnum(['override']),
});

// ---- Insights ----------------------------------------------------------------------------------

export const InsightsQuery = Type.Object(
  {
    ...pageQueryProperties,
    dismissed: Type.Optional(
      Type.Boolean({ default: false, description: 'false: the open ones (default); true: the dismissed ones' }),
    ),
  },
  { additionalProperties: false },
);

export const Insight = Type.Object({
  id: Type.String({ example: 'ins_01jf8x9k2m3n4p5q6r7s8t9v0w' }),
  type: StringEnum([...insightTypes]),
  period: Type.String({ description: 'What it is about in time: a month (YYYY-MM) or a day (YYYY-MM-DD)' }),
  messageKey: Type.String({ example: 'insights.budget_warning' }),
  params: Type.Record(Type.String(), Type.String(), {
    description: 'The values the message names, as text (amounts already formatted)',
  }),
  message: Type.String({ description: 'The message in English; apps translate messageKey with params' }),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'Machine-readable facts, by type' }),
  modelVersion: Type.String({ example: 'categoriser@1.0.0' }),
  createdAt: Timestamp,
  dismissedAt: NullableTimestamp,
});

export const InsightParams = Type.Object(
  { id: Type.String({ pattern: idSchemaPattern('insight') }) },
  { additionalProperties: false },
);
