/**
 * @nextgen/ml's door. Pure: no HTTP, no database, nothing of ours, only node: built-ins and TensorFlow.js.
 *
 * - The transaction interchange format (docs/ml/interchange-format.md): its types, a strict
 *   streaming reader, a streaming writer, counts.
 * - The synthetic data generator: seeded agents living day by day, with labelled fraud cases.
 * - The fraud features (a FeatureSnapshot turned into values by featureVector), the explicit rules
 *   baseline, the trained model's scorer (pure JS forward pass), training and evaluation.
 */

export {
  type ArtifactInfo,
  artifactFormat,
  InvalidArtifact,
  loadModelArtifact,
  type ModelArtifact,
  type Normalisation,
  saveModelArtifact,
  variantVersion,
} from './artifact.ts';
export {
  driftAlertPsi,
  driftMinSample,
  maxAmountDigits,
  maxCustomers,
  maxDays,
  maxIdLength,
  maxLineLength,
  maxReportedErrors,
  maxTextLength,
  minDaysWithFraud,
  structuringThresholdEur,
} from './constants.ts';
export {
  type DriftBins,
  type DriftReference,
  type DriftReport,
  driftReports,
  fitDriftBins,
  fitDriftReference,
  populationStabilityIndex,
} from './drift.ts';
export { describeFeature, type FeatureName, featureIndex, featureNames } from './features/catalogue.ts';
export { smallCardAmountMinor, tinyCardAmountMinor } from './features/constants.ts';
export { extractFeatures, extractSnapshot, FeatureState, type Features } from './features/extractor.ts';
export {
  type AmountStats,
  type FeatureSnapshot,
  featureVector,
  logMajor,
  type WindowTotals,
} from './features/snapshot.ts';
export type { FraudAssessment, Reason } from './fraud/assessment.ts';
export { concatSets, type LabelledSet, labelledSet, splitByTime, UnlabelledRow } from './fraud/dataset.ts';
export { describeEvaluation, type Evaluation, evaluateScorer } from './fraud/evaluate.ts';
export { fraudLabelsFormat, type ReviewedLabels, readFraudLabels } from './fraud/labels.ts';
export {
  averagePrecision,
  type DetectionMetrics,
  detectionMetrics,
  type OperatingPoint,
  operatingPointAtFpr,
} from './fraud/metrics.ts';
export { fraudRules, rulesAssessment } from './fraud/rules.ts';
export { FraudScorer, reasonCandidatesMin, thresholdMetric } from './fraud/scorer.ts';
export {
  defaultTrainingOptions,
  fraudModelName,
  fraudModelVersion,
  type TrainingOptions,
  type TrainingReport,
  trainFraudModel,
} from './fraud/train.ts';
// Financial insights: categories, recurring payments, balance forecast, spending (docs/ml/insights.md).
export * from './insights/index.ts';
export { InterchangeError, parseTime, RowSequence, rowProblem } from './interchange/check.ts';
export { iso4217Currencies } from './interchange/currencies.ts';
export {
  type Channel,
  channels,
  type FraudLabel,
  fieldOrder,
  formatVersion,
  type Role,
  type Scenario,
  scenarioRoles,
  scenarios,
  type Transaction,
} from './interchange/format.ts';
export {
  readTransactionFile,
  readTransactions,
  type ValidationReport,
  validateTransactions,
} from './interchange/reader.ts';
export { describeTally, type ScenarioCount, type Tally, TallyCounter } from './interchange/tally.ts';
export { formatTransaction, TransactionWriter } from './interchange/writer.ts';
export {
  defaultGenerationOptions,
  type GenerationOptions,
  generateTransactions,
  generationOptionsProblem,
} from './synthetic/generator.ts';
export { deriveSeed, Random, randomFor } from './synthetic/random.ts';
export { scenarioSpanDays } from './synthetic/scenarios.ts';
export { type Tf, tensorflow } from './tensorflow.ts';
