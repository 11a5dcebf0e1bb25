import {
  type CategoriserModel,
  claimCustomers,
  finishCustomer,
  insightPurgeBatchesPerRun,
  insightPurgeBatchSize,
  insightQueueBatchMax,
  insightSweepBatchesPerRun,
  insightSweepBatchSize,
  loadCategoriser,
  purgeInsights,
  refreshCustomerInsights,
  sweepStep,
} from '../../api/src/insights/index.ts';
import type { InsightsSettings } from './config.ts';
import { describeError } from './errors.ts';
import { LeaseLost } from './leases.ts';
import type { JobContext, ScheduledJob } from './scheduler.ts';

/**
 * The financial insights jobs (docs/api/insights.md, "How insights are made"):
 * - `insights-queue` drains insight_queue, at most insightQueueBatchMax customers a run: one step
 *   claims them (SKIP LOCKED and a claim time, so a crashed run's customers come back), then one
 *   step per customer reads their last 13 months, stores categories and inserts new insights by
 *   dedupe key, and deletes the queue row unless it was enqueued again meanwhile. A customer's
 *   failure is counted and left for a later run; the others go on.
 * - `insights-sweep` enqueues every customer with an account once a day, insightSweepBatchSize
 *   ids a step, by the cursor in insight_sweeps, so no step grows with the bank.
 * - `purge-insights` deletes insights older than insightRetentionDays, a batch a step (found
 *   subscriptions are kept: deleting one would announce it again).
 * Both are safe to rerun: a step either committed all of its customer's writes or none.
 */
export const insightsQueueJobName = 'insights-queue';
export const insightsSweepJobName = 'insights-sweep';
export const insightsPurgeJobName = 'purge-insights';

/** The worker cannot categorise: the artifact is missing or broken. The message is safe to log. */
export class CategoriserUnavailable extends Error {
  override readonly name = 'CategoriserUnavailable';
}

/** Some customers of a run failed; they stay queued. Ids only, no personal data. */
export class InsightsRunFailed extends Error {
  override readonly name = 'InsightsRunFailed';
}

export interface InsightsJobOptions {
  /** The clock (tests pin it); the database's rows are read as of this time. */
  readonly now?: () => Date;
}

export function insightsJobs(settings: InsightsSettings, options: InsightsJobOptions = {}): ScheduledJob[] {
  const now = options.now ?? (() => new Date());
  let model: Promise<CategoriserModel> | undefined;
  // Loaded at the first run, once; a broken artifact is tried again at the next run.
  async function categoriser(): Promise<Extract<CategoriserModel, { kind: 'model' }>> {
    model ??= loadCategoriser(settings.categoriserPath);
    const loaded = await model;
    if (loaded.kind === 'model') return loaded;
    model = undefined;
    throw new CategoriserUnavailable(`insights: ${loaded.problem}`);
  }

  async function drainQueue(context: JobContext): Promise<void> {
    const loaded = await categoriser();
    const claims = await context.step((tx) => claimCustomers(tx, insightQueueBatchMax));
    const failed: string[] = [];
    for (const claim of claims) {
      if (context.signal.aborted) return;
      try {
        await context.step(async (tx) => {
          await refreshCustomerInsights(tx, loaded, claim.customerId, now());
          await finishCustomer(tx, claim);
        });
      } catch (error) {
        if (error instanceof LeaseLost) throw error;
        failed.push(`${claim.customerId}: ${describeError(error)}`);
      }
    }
    if (failed.length > 0) {
      throw new InsightsRunFailed(
        `${failed.length} of ${claims.length} customers failed (left queued): ${failed.slice(0, 3).join('; ')}`,
      );
    }
  }

  async function sweep(context: JobContext): Promise<void> {
    for (let batch = 0; batch < insightSweepBatchesPerRun && !context.signal.aborted; batch += 1) {
      const enqueued = await context.step((tx) => sweepStep(tx, insightSweepBatchSize));
      if (enqueued === undefined || enqueued < insightSweepBatchSize) return;
    }
  }

  async function purge(context: JobContext): Promise<void> {
    for (let batch = 0; batch < insightPurgeBatchesPerRun && !context.signal.aborted; batch += 1) {
      const deleted = await context.step((tx) => purgeInsights(tx, insightPurgeBatchSize));
      if (deleted < insightPurgeBatchSize) return;
    }
  }

  return [
    { name: insightsQueueJobName, intervalMs: settings.queueIntervalMs, run: drainQueue },
    { name: insightsSweepJobName, intervalMs: settings.sweepIntervalMs, run: sweep },
    { name: insightsPurgeJobName, intervalMs: settings.purgeIntervalMs, run: purge },
  ];
}
