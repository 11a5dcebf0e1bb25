/** What a fraud score says, for the model and the rules alike. */

/** One reason for a score: a feature (or a rule), its plain words, and how much it pushed the score up. */
export interface Reason {
  readonly feature: string;
  readonly description: string;
  readonly contribution: number;
}

/** A score in [0, 1] (higher: more likely fraud) and its reasons, strongest first. */
export interface FraudAssessment {
  readonly score: number;
  readonly reasons: readonly Reason[];
}
