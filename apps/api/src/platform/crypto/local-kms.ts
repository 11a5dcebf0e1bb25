import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assert } from '../errors.ts';
import { canonicalContext, type KeyContext, type KeyManagement, type WrappedDataKey } from './key-management.ts';

/**
 * Key management from a local key file, for development and tests: never in production (config.ts
 * refuses it there). The file holds every KEK version ever made, so keys wrapped before a rotation
 * still unwrap; the current one wraps new keys. A wrapped key is iv (12) | ciphertext (32) | tag (16),
 * AES-256-GCM under the KEK with the KEK id and the context as additional data.
 *
 * Under NG_ENV=test without a file, one fixed KEK derived from a public string is used, so a test
 * and the API processes it starts agree on it. It protects nothing and is refused outside tests.
 */
interface KekFile {
  readonly format: 'nextgen-local-kek/1';
  readonly current: number;
  readonly keks: readonly { readonly version: number; readonly key: string; readonly createdAt: string }[];
}

const ivBytes = 12;
const tagBytes = 16;
const kekIdOf = (version: number) => `local/v${version}`;

const publicTestKek = (): KekFile => ({
  format: 'nextgen-local-kek/1',
  current: 1,
  keks: [
    {
      version: 1,
      key: createHash('sha256').update('nextgen public test KEK: protects nothing').digest('base64'),
      createdAt: new Date(0).toISOString(),
    },
  ],
});

function newKekFile(previous?: KekFile): KekFile {
  const version = (previous?.keks.reduce((max, k) => Math.max(max, k.version), 0) ?? 0) + 1;
  const kek = { version, key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() };
  return { format: 'nextgen-local-kek/1', current: version, keks: [...(previous?.keks ?? []), kek] };
}

function parseKekFile(text: string, file: string): KekFile {
  const parsed = JSON.parse(text) as KekFile;
  if (parsed.format !== 'nextgen-local-kek/1' || !parsed.keks.some((k) => k.version === parsed.current)) {
    throw new Error(`${file} is not a NextGen local KEK file`);
  }
  return parsed;
}

/** Writes through a temporary file and a rename, so a crash never leaves half a key file. */
async function writeKekFile(file: string, content: KekFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(content, null, 2), { mode: 0o600 });
  await rename(temporary, file);
}

async function loadOrCreate(file: string): Promise<KekFile> {
  try {
    return parseKekFile(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const created = newKekFile();
  await writeKekFile(file, created);
  return created;
}

/** `file` undefined means the public test KEK (only ever passed under NG_ENV=test). */
export function createLocalKeyManagement(file: string | undefined): KeyManagement {
  let loaded: Promise<KekFile> | undefined;
  const keks = () => {
    loaded ??= file ? loadOrCreate(file) : Promise.resolve(publicTestKek());
    return loaded;
  };
  const kekBytes = async (kekId: string) => {
    const kek = (await keks()).keks.find((k) => kekIdOf(k.version) === kekId);
    if (!kek) throw new Error(`local KEK ${kekId} is not in the key file; was the file replaced?`);
    return Buffer.from(kek.key, 'base64');
  };
  const currentKekId = async () => kekIdOf((await keks()).current);

  async function wrap(plaintextKey: Buffer, context: KeyContext): Promise<WrappedDataKey> {
    const kekId = await currentKekId();
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', await kekBytes(kekId), iv);
    cipher.setAAD(Buffer.from(`${kekId}|${canonicalContext(context)}`));
    const wrappedKey = Buffer.concat([iv, cipher.update(plaintextKey), cipher.final(), cipher.getAuthTag()]);
    return { wrappedKey, kekId };
  }

  async function unwrapDataKey(key: WrappedDataKey, context: KeyContext): Promise<Buffer> {
    assert(key.wrappedKey.length > ivBytes + tagBytes, 'a wrapped key holds iv, key and tag');
    const decipher = createDecipheriv('aes-256-gcm', await kekBytes(key.kekId), key.wrappedKey.subarray(0, ivBytes));
    decipher.setAAD(Buffer.from(`${key.kekId}|${canonicalContext(context)}`));
    decipher.setAuthTag(key.wrappedKey.subarray(-tagBytes));
    return Buffer.concat([decipher.update(key.wrappedKey.subarray(ivBytes, -tagBytes)), decipher.final()]);
  }

  return {
    provider: 'local',
    async generateDataKey(context) {
      const plaintextKey = randomBytes(32);
      return { plaintextKey, ...(await wrap(plaintextKey, context)) };
    },
    unwrapDataKey,
    async rewrapDataKey(key, context) {
      const plaintextKey = await unwrapDataKey(key, context);
      try {
        return await wrap(plaintextKey, context);
      } finally {
        plaintextKey.fill(0);
      }
    },
    currentKekId,
    async createKekVersion() {
      if (!file) throw new Error('the public test KEK cannot be rotated; set LOCAL_KEK_FILE');
      const next = newKekFile(await keks());
      await writeKekFile(file, next);
      loaded = Promise.resolve(next);
      return kekIdOf(next.current);
    },
  };
}
