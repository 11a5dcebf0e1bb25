/**
 * Financial insights, the pure half (docs/ml/insights.md): categories (customer corrections,
 * detected subscriptions, ISO 18245 MCC table, a TensorFlow.js text model served in plain JS),
 * recurring payments and upcoming bills, a 30-day balance forecast with its baselines and MASE,
 * unusual spending, budget status and savings suggestions, and their evaluation on generated data.
 */

export { type RecurringKind, type RecurringTruth, recurringOf, recurringTruth } from '../synthetic/truth.ts';
export { type Category, categories, isCategory, mccCategory, mccTable } from './categories.ts';
export {
  type Categorisation,
  type CategoriseOptions,
  Categoriser,
  type CategoriserInfo,
  type CategorySource,
  categorise,
  categoriserName,
  categoriserVersion,
  merchantKey,
} from './categoriser.ts';
export { type ExampleOptions, type LabelledText, labelledTexts, trueCategory } from './dataset.ts';
export {
  type Accuracy,
  describeInsights,
  evaluateHistories,
  evaluateTextModel,
  type HistoryEvaluation,
  heldOutExamples,
  heldOutHistories,
  trainingExamples,
} from './evaluate.ts';
export {
  type BalancePoint,
  dailyBalances,
  type ForecastOptions,
  forecastBalance,
  mase,
  naiveForecast,
  seasonalNaiveForecast,
  weekdayProfile,
} from './forecast.ts';
export {
  type CategoryLabel,
  type CorrectedLabels,
  type CorrectedText,
  type CorrectedTraining,
  categoryLabelsFormat,
  readCategoryLabels,
  withCorrections,
} from './labels.ts';
export {
  detectRecurring,
  type Frequency,
  projectedDays,
  type RecurringSeries,
  subscriptionKeys,
  type UpcomingBill,
  upcomingBills,
} from './recurring.ts';
export {
  type BudgetLevel,
  type BudgetStatus,
  budgetStatus,
  monthlySpend,
  type SavingsSuggestion,
  savingsSuggestions,
  type UnusualSpending,
  unusualSpending,
} from './spending.ts';
export { normaliseText, type TextInput, textFeatures, textTokens } from './text.ts';
export {
  accuracyMetrics,
  type CategoriserTrainingOptions,
  type CategoriserTrainingReport,
  defaultCategoriserTraining,
  tensorflowProbabilities,
  trainCategoriser,
} from './train.ts';
export { describeVariant } from './variation.ts';
