// SCAFFOLD (session 1): replaced by the ledger module.
import type { AppDependencies } from '../app.ts';

export function createLedgerService(_deps: AppDependencies) {
  return {};
}
