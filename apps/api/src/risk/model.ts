import { FraudScorer } from '@nextgen/ml';
import { type ArtifactSource, artifactProblem } from '../platform/artifact-source.ts';
import type { Queryable } from '../platform/database.ts';
import { newId } from '../platform/ids.ts';
import { insertOutboxEvent } from '../platform/outbox.ts';

/** What scores transfers: the trained model (and the rules beside it), or the rules alone. */
export type ScoringModel =
  | { readonly kind: 'model'; readonly scorer: FraudScorer; readonly label: string }
  | { readonly kind: 'rules-only'; readonly problem: string; readonly label: 'rules-only' };

/** What a refresh did: nothing changed, a model was switched in, or the new artifact is unusable (the old one stays). */
export type ModelRefresh =
  | { readonly outcome: 'unchanged' }
  | { readonly outcome: 'switched'; readonly from: string; readonly to: string }
  | {
      readonly outcome: 'failed';
      readonly problem: string;
      readonly current: string;
      /** unusable: read but invalid (reported once); unreachable: not read (retried on the next refresh). */
      readonly artifact: 'unusable' | 'unreachable';
    };

/** Writes an alert to the outbox; a failure to write it must not take scoring down (the log still says it). */
async function alert(db: Queryable, topic: string, payload: Record<string, unknown>): Promise<void> {
  try {
    await insertOutboxEvent(db, { id: newId('outboxEvent'), topic, aggregateId: 'fraud-model', payload });
  } catch {
    // Reported by the caller's warning log; transfers go on under the model or rules they have.
  }
}

/**
 * The active fraud model (docs/adr/0130, 0132): loaded once at start, then read again on each
 * refresh and switched in when its artifact changed and is valid. A missing or broken artifact at
 * start leaves the rules deciding alone (never allow-all) and raises `risk.model_unavailable`; a
 * broken new artifact later keeps the model in use and raises `risk.model_reload_failed`, once per
 * artifact version (its tag), so a poll every minute does not repeat it. A usable artifact
 * appearing after a start without one switches the model in: recovery without a restart.
 */
export function createModelHolder(db: Queryable, source: ArtifactSource) {
  let current: ScoringModel = { kind: 'rules-only', problem: 'the model is loading', label: 'rules-only' };
  /** The tag of the last artifact read, usable or not: it is not read or reported again until it changes. */
  let seenTag: string | undefined;
  /** A refresh in flight: concurrent callers share it, so one artifact is never loaded twice at once. */
  let running: Promise<ModelRefresh> | undefined;

  async function load(): Promise<ModelRefresh> {
    let tag: string | undefined;
    try {
      const read = await source.read(seenTag);
      if (read.kind === 'unchanged') return { outcome: 'unchanged' };
      tag = read.tag;
      const scorer = await FraudScorer.fromArtifact(JSON.parse(read.text));
      const from = current.label;
      current = { kind: 'model', scorer, label: `${scorer.name}@${scorer.version}` };
      seenTag = tag;
      return { outcome: 'switched', from, to: current.label };
    } catch (error) {
      const problem = artifactProblem(error);
      // An artifact read but unusable is remembered by its tag; a read that failed (S3 down) is retried.
      if (tag !== undefined) seenTag = tag;
      return {
        outcome: 'failed',
        problem,
        current: current.label,
        artifact: tag === undefined ? 'unreachable' : 'unusable',
      };
    }
  }

  const loadOnce = (): Promise<ModelRefresh> => {
    running ??= load().finally(() => {
      running = undefined;
    });
    return running;
  };

  /** The first load: rules only, with the problem and one alert, when there is no usable artifact. */
  const started: Promise<ScoringModel> = loadOnce().then(async (result) => {
    if (result.outcome === 'failed') {
      current = { kind: 'rules-only', problem: result.problem, label: 'rules-only' };
      await alert(db, 'risk.model_unavailable', {
        problem: result.problem,
        scoring: 'rules-only',
        at: new Date().toISOString(),
      });
    }
    return current;
  });

  return {
    /** Settles once the first load is done (model or rules only); never rejects. */
    started,
    /** The model to score with now (after `started`). */
    current: () => current,
    /** Reads the artifact again; switches a changed, valid one in; alerts once about a broken one. */
    async refresh(): Promise<ModelRefresh> {
      await started;
      const result = await loadOnce();
      if (result.outcome === 'failed' && result.artifact === 'unusable') {
        await alert(db, 'risk.model_reload_failed', {
          problem: result.problem,
          location: source.location,
          scoring: result.current,
          at: new Date().toISOString(),
        });
      }
      return result;
    },
  };
}

export type ModelHolder = ReturnType<typeof createModelHolder>;
