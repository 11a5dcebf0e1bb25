import { createServices } from '../app.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { createKeyManagement, rotateDataKeys } from '../platform/crypto/index.ts';
import { openDependencies } from '../platform/runtime.ts';

/**
 * `./ng rotate-keys`: re-wraps every customer data key (and the blind-index key) under the current
 * key-encryption key, on the configured database. Local key file: a new KEK version is created and
 * becomes current; AWS KMS: keys wrapped under another KMS key than KMS_KEY_ID are moved to it with
 * ReEncrypt (AWS rotates a key's material itself). Resumable: run it again after an interruption
 * and it finishes the same rotation. Prints one JSON line with the counts.
 *
 * After a local rotation, restart the API processes so they wrap new keys under the new version
 * (until then they still wrap under the old one, and the next run re-wraps those too).
 */
try {
  const config = loadConfig();
  const deps = await openDependencies(config, console);
  try {
    const report = await rotateDataKeys(deps.db, createKeyManagement(config), {
      onBatch: (rewrapped) => process.stderr.write(`re-wrapped ${rewrapped} data keys\n`),
    });
    await createServices(deps).audit.record(deps.db, {
      action: 'keys.rotated',
      actor: { kind: 'system', id: 'rotate-keys' },
      details: {
        provider: config.kmsProvider,
        newKekVersion: report.newKekVersion,
        rewrapped: report.rewrapped,
        vaultKeysRewrapped: report.vaultKeysRewrapped,
      },
    });
    process.stdout.write(`${JSON.stringify({ provider: config.kmsProvider, ...report })}\n`);
  } finally {
    await Promise.allSettled([deps.db.close(), deps.cache.close()]);
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `rotate-keys failed: ${String(error)}`}\n`);
  process.exit(1);
}
