import { createHash, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { auditHeadBytesMax } from '../platform/constants.ts';
import { createS3Client, S3Error, type S3Settings, xmlValues } from '../platform/s3.ts';

/**
 * Write-once storage for exported audit chain heads (docs/adr/0055-signed-audit-chain-heads.md).
 * A head is written under a name once and never replaced: `putOnce` answers 'exists' when the name
 * is taken, whatever the content. Names are the head's position, zero-padded, so listing order is
 * chain order.
 */
export interface HeadStore {
  readonly kind: 'local' | 's3';
  /** Writes `body` under `name` unless the name is taken; `retainUntil` is the write-once period (S3). */
  putOnce(name: string, body: Buffer, retainUntil: Date): Promise<'written' | 'exists'>;
  /** The stored bytes (at most auditHeadBytesMax), or undefined when there is no such name. */
  get(name: string): Promise<Buffer | undefined>;
  /** Every stored name in ascending order, in pages (the caller keeps what it needs: memory stays bounded). */
  list(): AsyncIterable<string>;
}

export const headNamePattern = /^[0-9]{20}\.json$/;

/**
 * Development store: one read-only file per head in a folder. A head is written to a unique
 * temporary file (opened with 'wx') and published with link(2), which, unlike rename(2), fails
 * when the name exists: two writers racing for one name cannot replace each other, and a crash
 * never leaves half a head under its name. Nothing stops the folder's owner deleting files: this
 * is for development only (config.ts refuses it in production).
 */
export function createLocalHeadStore(folder: string): HeadStore {
  return {
    kind: 'local',
    async putOnce(name, body) {
      if (!headNamePattern.test(name)) throw new Error(`not a head name: ${name}`);
      await mkdir(folder, { recursive: true });
      const final = path.join(folder, name);
      const temporary = path.join(folder, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      const file = await open(temporary, 'wx', 0o600);
      try {
        await file.writeFile(body);
        await file.sync();
      } finally {
        await file.close();
      }
      try {
        await chmod(temporary, 0o444);
        await link(temporary, final);
        return 'written';
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
        throw error;
      } finally {
        await unlink(temporary);
      }
    },
    async get(name) {
      if (!headNamePattern.test(name)) return undefined;
      try {
        // Reads one byte past the limit, so the caller sees an oversized head without loading it all.
        const file = await open(path.join(folder, name), 'r');
        try {
          const buffer = Buffer.alloc(auditHeadBytesMax + 1);
          const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
          return buffer.subarray(0, bytesRead);
        } finally {
          await file.close();
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async *list() {
      let names: string[];
      try {
        names = await readdir(folder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      yield* names.filter((name) => headNamePattern.test(name)).sort();
    },
  };
}

export interface S3HeadStoreSettings extends S3Settings {
  /** Key prefix inside the bucket, e.g. `audit-heads/`. */
  readonly prefix: string;
}

/**
 * S3 with Object Lock (production). Each head is one object, PUT with:
 *  - `x-amz-object-lock-mode: COMPLIANCE` and a retain-until date: no one, the root account
 *    included, can delete or shorten it before then (the bucket must have Object Lock enabled);
 *  - `If-None-Match: *`: S3 refuses the PUT (412) when the key exists, so a head is never shadowed
 *    by a newer version; the bucket policy should deny PutObject without it (s3:if-none-match);
 *  - `Content-MD5`, which S3 requires on a PUT with Object Lock parameters.
 */
export function createS3HeadStore(settings: S3HeadStoreSettings): HeadStore {
  const client = createS3Client(settings);
  const failure = (operation: string, status: number, body: Buffer) =>
    new S3Error(
      `S3 ${operation} failed with ${status}${xmlValues(body.toString(), 'Code')[0] ? ` (${xmlValues(body.toString(), 'Code')[0]})` : ''}`,
      status,
    );
  return {
    kind: 's3',
    async putOnce(name, body, retainUntil) {
      if (!headNamePattern.test(name)) throw new Error(`not a head name: ${name}`);
      const response = await client.request('PUT', `${settings.prefix}${name}`, {
        body,
        headers: {
          'content-type': 'application/json',
          'content-md5': createHash('md5').update(body).digest('base64'),
          'if-none-match': '*',
          'x-amz-object-lock-mode': 'COMPLIANCE',
          'x-amz-object-lock-retain-until-date': retainUntil.toISOString(),
        },
      });
      if (response.status === 200) return 'written';
      // 412: the key exists. (409, a concurrent conditional PUT of the same key still in flight, is
      // an error like any other: the other writer's head may not be readable yet; the next run retries.)
      if (response.status === 412) return 'exists';
      throw failure('PutObject', response.status, response.body);
    },
    async get(name) {
      if (!headNamePattern.test(name)) return undefined;
      const response = await client.request('GET', `${settings.prefix}${name}`);
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw failure('GetObject', response.status, response.body);
      return response.body;
    },
    async *list() {
      let continuationToken: string | undefined;
      for (;;) {
        const response = await client.request('GET', undefined, {
          query: {
            'list-type': '2',
            prefix: settings.prefix,
            ...(continuationToken ? { 'continuation-token': continuationToken } : {}),
          },
        });
        if (response.status !== 200) throw failure('ListObjectsV2', response.status, response.body);
        const xml = response.body.toString('utf8');
        const names = xmlValues(xml, 'Key')
          .map((key) => key.slice(settings.prefix.length))
          .filter((name) => headNamePattern.test(name));
        yield* names;
        continuationToken = xmlValues(xml, 'NextContinuationToken')[0];
        if (xmlValues(xml, 'IsTruncated')[0] !== 'true' || !continuationToken) return;
      }
    },
  };
}
