// What apps/worker runs on: the same configuration, database handle and migrations as the API.
export { type ArtifactSource, artifactProblem, artifactSource } from './artifact-source.ts';
export { type Config, ConfigError, loadConfig, riskScoringMode } from './config.ts';
export * from './constants.ts';
export { type Database, isUnavailableError, type Queryable } from './database.ts';
export * from './errors.ts';
export * from './ids.ts';
export { migrate } from './migrations.ts';
export * from './money.ts';
export { insertOutboxEvent } from './outbox.ts';
export { openDatabase } from './runtime.ts';
