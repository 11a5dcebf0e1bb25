import type { Config } from '../config.ts';
import { createAwsKeyManagement } from './aws-kms.ts';
import type { KeyManagement } from './key-management.ts';
import { createLocalKeyManagement } from './local-kms.ts';

/**
 * Personal data protection: key management, envelope encryption, blind indexes, crypto-shredding.
 *
 * HOW OTHER MODULES USE IT: `services.vault` (a `PersonalDataVault`, built in app.ts createServices
 * from `createKeyManagement(deps.config)`). Modules never see keys:
 *
 *   const ciphertext = await services.vault.encrypt(customerId, 'kyc.document_number', '123456789');
 *   const plaintext  = await services.vault.decrypt(customerId, 'kyc.document_number', ciphertext);
 *   const index      = await services.vault.blindIndex('email', normalizedEmail); // equality lookups
 *   await services.vault.destroyCustomerKey(customerId, tx);                     // GDPR erasure
 *
 * Ciphertexts are text (`pd1.…`), stored in `text` columns; the field name (lower case, dots and
 * underscores, e.g. `kyc.document_number`) is authenticated, so always pass the same one to both
 * calls. After erasure `decrypt` throws DomainError 410 `customer_erased`; `decryptUnlessErased`
 * answers undefined instead, for readers that show a placeholder.
 *
 * Call the vault BEFORE opening a transaction, never inside one: it runs its own queries on the
 * database (data keys), and on the embedded PGlite (one connection) a query outside the open
 * transaction waits for it forever. Encrypt first, then write the ciphertexts in the transaction.
 * (`destroyCustomerKey(customerId, tx)` is the exception: it takes the transaction.)
 */
export { canonicalContext, type KeyContext, type KeyManagement, type WrappedDataKey } from './key-management.ts';
export { type RotationReport, rotateDataKeys } from './rotation.ts';
export { createPersonalDataVault, customerErased, type PersonalDataVault } from './vault.ts';
export { createAwsKeyManagement, createLocalKeyManagement };

/** The KMS the configuration names. Production is refused without AWS KMS by config.ts already. */
export function createKeyManagement(config: Config): KeyManagement {
  if (config.kmsProvider === 'aws') {
    if (!config.kmsKeyId || !config.awsRegion) throw new Error('config.ts guarantees KMS_KEY_ID and AWS_REGION');
    return createAwsKeyManagement({ keyId: config.kmsKeyId, region: config.awsRegion, endpoint: config.kmsEndpoint });
  }
  if (config.localKekFile) return createLocalKeyManagement(config.localKekFile);
  if (config.environment === 'test') return createLocalKeyManagement(undefined);
  return createLocalKeyManagement(`${config.dataDir}/kek.json`);
}
