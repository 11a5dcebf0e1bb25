import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { awsDefaultCredentials } from './crypto/signing.ts';
import { type AwsCredentials, createS3Client, parseS3Url, S3Error } from './s3.ts';

/**
 * Where a model artifact is read from (docs/adr/0132): a file (the repository's, or a mounted
 * volume) or an S3 object (`s3://bucket/key`), read again only when it changed, so the API and the
 * worker can poll it cheaply and switch models without a restart. A file is "changed" when its size
 * or modification time is; an object when its ETag is (a conditional GET answers 304 otherwise).
 */
export type ArtifactRead =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'read'; readonly tag: string; readonly text: string };

export interface ArtifactSource {
  /** Where it is, safe to log (a path or an s3:// URL: no credentials). */
  readonly location: string;
  /** The artifact's text, or `unchanged` when its tag is still `previousTag`. */
  read(previousTag: string | undefined): Promise<ArtifactRead>;
}

/** The artifact is missing (no file, no object): the same code as a missing file, for problem words. */
class ArtifactMissing extends Error {
  readonly code = 'ENOENT';
}

class ArtifactTooLarge extends Error {}

export interface S3ArtifactSettings {
  readonly region: string | undefined;
  readonly endpoint?: string | undefined;
  /** The standard AWS chain by default; tests pass the fake's. */
  readonly credentials?: () => Promise<AwsCredentials>;
}

function fileSource(file: string, maxBytes: number): ArtifactSource {
  return {
    location: file,
    async read(previousTag) {
      const { size, mtimeMs } = await stat(file);
      const tag = `${size}:${mtimeMs}`;
      if (tag === previousTag) return { kind: 'unchanged' };
      if (size > maxBytes) throw new ArtifactTooLarge(`the model file is larger than ${maxBytes} bytes`);
      return { kind: 'read', tag, text: await readFile(file, 'utf8') };
    },
  };
}

function s3Source(location: string, maxBytes: number, settings: S3ArtifactSettings): ArtifactSource {
  const parsed = parseS3Url(location);
  if (!parsed) throw new RangeError(`${location} is not an s3://bucket/key URL`);
  const { bucket, key } = parsed;
  const region = settings.region;
  if (!region) throw new RangeError('an S3 model location needs a region');
  const client = createS3Client({
    bucket,
    region,
    endpoint: settings.endpoint,
    credentials: settings.credentials ?? awsDefaultCredentials(region),
  });
  return {
    location,
    async read(previousTag) {
      const headers: Record<string, string> = previousTag ? { 'if-none-match': previousTag } : {};
      const response = await client.request('GET', key, { headers });
      if (response.status === 304) return { kind: 'unchanged' };
      if (response.status === 404) throw new ArtifactMissing('the model object does not exist');
      if (response.status !== 200) throw new S3Error(`S3 answered ${response.status} for the model`, response.status);
      if (response.body.length > maxBytes)
        throw new ArtifactTooLarge(`the model object is larger than ${maxBytes} bytes`);
      const etag = response.headers.etag;
      return { kind: 'read', tag: typeof etag === 'string' ? etag : '', text: response.body.toString('utf8') };
    },
  };
}

/** A file path (resolved against the working directory) or `s3://bucket/key`. */
export function artifactSource(location: string, maxBytes: number, s3: S3ArtifactSettings): ArtifactSource {
  return location.startsWith('s3://') ? s3Source(location, maxBytes, s3) : fileSource(path.resolve(location), maxBytes);
}

/** Why an artifact could not be used, in words safe for a log line or an event (no contents, no stack). */
export function artifactProblem(error: unknown): string {
  if (error instanceof ArtifactMissing) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'the model file does not exist';
  if (code === 'EACCES') return 'the model file cannot be read';
  if (error instanceof SyntaxError) return 'the model file is not JSON';
  // @nextgen/ml's InvalidArtifact, known by name: the platform layer does not import the ml package.
  if (error instanceof Error && error.name === 'InvalidArtifact') return `the artifact is invalid: ${error.message}`;
  if (error instanceof ArtifactTooLarge) return error.message;
  if (error instanceof S3Error) return `the model could not be fetched from S3 (${error.status})`;
  return `the model could not be loaded (${error instanceof Error ? error.name : 'unknown error'})`;
}
