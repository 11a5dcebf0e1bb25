// The demo data's door: `./ng start` seeds an empty database (main.ts), `./ng seed` loads it on demand.
export { type SeedOutcome, seedDemoData, seedIfEmpty } from './seed.ts';
