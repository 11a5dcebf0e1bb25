import { personalDataBackfillBatchSize } from '../platform/constants.ts';
import type { PersonalDataVault } from '../platform/crypto/index.ts';
import type { Database } from '../platform/database.ts';
import * as repository from './repository.ts';

/**
 * Encrypts customers written before migration 0037 (plaintext name and e-mail), at start-up after
 * migrations and before the API serves. In batches: read a batch, encrypt it (the vault's own
 * queries run outside any transaction, as the one-connection PGlite needs), then write each row with
 * one conditional UPDATE that stores the ciphertexts and empties the plaintext together. A crash
 * leaves every row either plaintext or encrypted, and the next start carries on; two pods starting
 * together may encrypt a row twice, but only the first write lands. Running it on an encrypted
 * database does nothing. The e-mail index comes from the stored email_normalized, which made it unique.
 */
export async function encryptPlaintextCustomers(
  db: Database,
  vault: PersonalDataVault,
  batchSize = personalDataBackfillBatchSize,
): Promise<number> {
  let encrypted = 0;
  for (;;) {
    const rows = await repository.findPlaintextCustomers(db, batchSize);
    if (rows.length === 0) return encrypted;
    for (const row of rows) {
      const [nameCiphertext, emailCiphertext, emailIndex] = await Promise.all([
        vault.encrypt(row.id, 'name', row.name),
        vault.encrypt(row.id, 'email', row.email),
        vault.blindIndex('email', row.email_normalized),
      ]);
      if (await repository.replacePlaintext(db, row.id, { nameCiphertext, emailCiphertext, emailIndex }))
        encrypted += 1;
    }
  }
}
