// The insights module's door (docs/api/insights.md): spending, budgets, recurring payments and
// bills, the balance forecast, category corrections (and their export as training labels) and the
// insights the worker writes. It reads
// the history lines and accounts as read models (see "Design" there) and imports no other domain
// module; app.ts hands its categoriseHistory to the accounts module.

export {
  insightPurgeBatchesPerRun,
  insightPurgeBatchSize,
  insightQueueBatchMax,
  insightSweepBatchesPerRun,
  insightSweepBatchSize,
  insightTypes,
} from './constants.ts';
export { type CategoryLabelsExport, exportCategoryLabels } from './labels.ts';
export { type CategoriserModel, loadCategoriser, repositoryCategoriserPath } from './model.ts';
export { claimCustomers, finishCustomer, purgeInsights, type QueueClaim, queueLength, sweepStep } from './queue.ts';
export { type RefreshResult, refreshCustomerInsights } from './refresh.ts';
export { insightsRoutes } from './routes.ts';
export { createInsightsService, type HistoryLine, type InsightsService } from './service.ts';
