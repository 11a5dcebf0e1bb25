import { keyRotationBatchSize } from '../constants.ts';
import type { Database } from '../database.ts';
import type { KeyManagement } from './key-management.ts';
import * as repo from './repository.ts';

/**
 * Key rotation: re-wraps every live data key (and the platform's own keys) under the current KEK.
 * The data keys themselves, and so every ciphertext, stay as they are: only their wrapping changes.
 *
 * Resumable and idempotent: each batch is one transaction that locks keys still wrapped under an
 * older KEK (SKIP LOCKED, so two runs share the work), re-wraps and saves them; a crash loses at
 * most one uncommitted batch, and the next run carries on with whatever is still stale.
 * For the local key file, a run that finds nothing stale first creates a new KEK version (a new
 * rotation); a run that finds stale keys finishes the interrupted rotation instead.
 */
export interface RotationReport {
  readonly kekId: string;
  /** True when this run created a new local KEK version. */
  readonly newKekVersion: boolean;
  readonly rewrapped: number;
  readonly vaultKeysRewrapped: number;
  /** Live keys under the current KEK after the run (re-wrapped now or before). */
  readonly current: number;
  /** Keys destroyed by erasure: nothing to re-wrap. */
  readonly destroyed: number;
}

export async function rotateDataKeys(
  db: Database,
  kms: KeyManagement,
  options: { batchSize?: number; onBatch?: (rewrapped: number) => void } = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? keyRotationBatchSize;
  let kekId = await kms.currentKekId();
  let newKekVersion = false;
  if (kms.createKekVersion && (await repo.countDataKeys(db, kekId)).stale === 0) {
    kekId = await kms.createKekVersion();
    newKekVersion = true;
  }
  const vaultKeysRewrapped = await db.transaction(async (tx) => {
    const stale = await repo.lockStaleVaultKeys(tx, kekId);
    for (const { name, key } of stale) {
      await repo.updateWrappedVaultKey(tx, name, await kms.rewrapDataKey(key, { purpose: 'vault-key', name }));
    }
    return stale.length;
  });
  let rewrapped = 0;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const stale = await repo.lockStaleDataKeys(tx, kekId, batchSize);
      for (const { customerId, key } of stale) {
        const rewrappedKey = await kms.rewrapDataKey(key, { purpose: 'customer-data-key', customerId });
        await repo.updateWrappedDataKey(tx, customerId, rewrappedKey);
      }
      return stale.length;
    });
    if (done === 0) break;
    rewrapped += done;
    options.onBatch?.(rewrapped);
  }
  const counts = await repo.countDataKeys(db, kekId);
  // The audit record is written by the caller (cli/rotate-keys.ts), which knows who ran it.
  return { kekId, newKekVersion, rewrapped, vaultKeysRewrapped, current: counts.current, destroyed: counts.destroyed };
}
